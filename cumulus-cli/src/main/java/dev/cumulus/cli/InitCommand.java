package dev.cumulus.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cumulus init NAME}: a new function project, ready for {@code cumulus deploy}. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Create a function project in a new folder: a handler, its unit test and cumulus.yaml.",
                "Then 'cumulus deploy' in that folder builds and deploys it (docs/getting-started.md).",
                "Templates: java (cumulus-function-api, Maven), lambda-java (aws-lambda-java-core, Maven),",
                "provided-sh (a shell bootstrap with curl), provided-python (a Python bootstrap, standard library)."})
final class InitCommand implements Callable<Integer> {
    private final Cli cli;

    @Parameters(index = "0", paramLabel = "NAME", description = "Function name (1-64 of A-Z a-z 0-9 _ -); also the folder's.")
    String name;

    @Option(names = {"-t", "--template"}, paramLabel = "TEMPLATE", defaultValue = "java",
            description = "java (default), lambda-java, provided-sh or provided-python.")
    String template;

    @Option(names = "--package", paramLabel = "PACKAGE",
            description = "Java package of the handler (Java templates). Default: com.example.NAME.")
    String javaPackage;

    @Option(names = "--dir", paramLabel = "DIR", description = "Folder to create (must not exist or be empty). Default: ./NAME.")
    Path dir;

    InitCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws IOException {
        Names.check(name);
        ProjectTemplate project = ProjectTemplate.named(template);
        if (javaPackage != null && !project.isJava()) {
            throw CliException.usage("--package is for the Java templates, not " + template);
        }
        String pkg = javaPackage != null ? ProjectTemplate.checkPackage(javaPackage) : ProjectTemplate.defaultPackage(name);
        Path given = dir != null ? dir : Path.of(name);
        Path target = cli.cwd.resolve(given).normalize();
        if (Files.exists(target) && !isEmptyDirectory(target)) {
            throw CliException.usage(given + " exists already and is not an empty folder (choose another NAME or --dir)");
        }
        Map<String, String> values = ProjectTemplate.values(name, pkg, given.toString());
        List<String> files = project.writeTo(target, values);
        cli.out.println("created " + name + " from template " + template + " in " + given + ":");
        files.forEach(f -> cli.out.println("  " + f));
        cli.out.println("next:");
        cli.out.print(project.nextSteps(values));
        cli.out.flush();
        return 0;
    }

    private static boolean isEmptyDirectory(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(path)) {
            return entries.findAny().isEmpty();
        }
    }
}
