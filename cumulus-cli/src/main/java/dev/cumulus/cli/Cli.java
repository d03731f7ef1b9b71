package dev.cumulus.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cumulus} command, runnable in-process: streams, environment, working directory and
 * stdin are injected, and {@link #run(String...)} returns the exit code instead of exiting.
 *
 * <p>Exit codes: 0 ok, 1 error, 2 usage error, 130 interrupted. Every failure is one line on
 * stderr, {@code error: <message>}; {@code --verbose} adds the stack trace.
 */
public final class Cli {
    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;
    final Path cwd;
    final InputStream in;
    final boolean errTerminal;
    final CountDownLatch shutdownSignal;

    public Cli(PrintStream out, PrintStream err, Map<String, String> env) {
        this(out, err, env, Path.of("").toAbsolutePath(), InputStream.nullInputStream(), false, null);
    }

    private Cli(PrintStream out, PrintStream err, Map<String, String> env, Path cwd, InputStream in,
                boolean errTerminal, CountDownLatch shutdownSignal) {
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
        this.cwd = cwd.toAbsolutePath();
        this.in = in;
        this.errTerminal = errTerminal;
        this.shutdownSignal = shutdownSignal;
    }

    /** The real process: System streams and environment; stderr-is-a-terminal from the launcher or the console. */
    public static Cli system() {
        String tty = System.getProperty("cumulus.stderr.tty");
        boolean terminal = tty != null ? Boolean.parseBoolean(tty)
                : System.console() != null && System.console().isTerminal();
        return new Cli(System.out, System.err, System.getenv()).withStdin(System.in).withErrTerminal(terminal);
    }

    /** Relative paths ({@code --code}, {@code --data @file}, data dirs) resolve against this directory. */
    public Cli withCwd(Path dir) {
        return new Cli(out, err, env, dir, in, errTerminal, shutdownSignal);
    }

    public Cli withStdin(InputStream stdin) {
        return new Cli(out, err, env, cwd, stdin, errTerminal, shutdownSignal);
    }

    public Cli withErrTerminal(boolean terminal) {
        return new Cli(out, err, env, cwd, in, terminal, shutdownSignal);
    }

    /**
     * For in-process use of {@code serve}: instead of running until the JVM gets SIGINT/SIGTERM,
     * serve runs until this latch opens, then closes the platform and returns 0.
     */
    public Cli withShutdownSignal(CountDownLatch signal) {
        return new Cli(out, err, env, cwd, in, errTerminal, signal);
    }

    ApiClient client(ClientOptions options) {
        return new ApiClient(Target.resolve(options, env, cwd), CliConfig.project(options.project, env));
    }

    public int run(String... args) {
        return commandLine(verbose(args), Main.COMMANDS.stream().filter(named(args)).findFirst()).execute(args);
    }

    /** The configured picocli tree, e.g. for {@code parseArgs} in tests. */
    public CommandLine commandLine() {
        return commandLine(false, Optional.empty());
    }

    /** @param only the one subcommand the arguments name (the tree needs no other), else all of them */
    private CommandLine commandLine(boolean verbose, Optional<Class<?>> only) {
        CommandLine cl = new CommandLine(Main.class, new Factory(this));
        for (Class<?> command : only.map(List::<Class<?>>of).orElse(Main.COMMANDS)) {
            cl.addSubcommand(command);
        }
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpWidth(100);
        cl.setParameterExceptionHandler((ex, args) -> {
            String cmd = ex.getCommandLine().getCommandSpec().qualifiedName();
            err.println("error: " + oneLine(ex.getMessage()) + " (see '" + cmd + " --help')");
            err.flush();
            return CliException.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (verbose) {
                ex.printStackTrace(err);
            }
            int code = ex instanceof CliException ce ? ce.exitCode() : CliException.ERROR;
            err.println("error: " + describe(ex));
            err.flush();
            return code;
        });
        return cl;
    }

    /** One line for any failure; CliException messages are already written for the user. */
    static String describe(Throwable ex) {
        if (ex instanceof CliException) {
            return oneLine(ex.getMessage());
        }
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return "cannot listen: " + oneLine(String.valueOf(t.getMessage()))
                        + " (is another node running? choose another --port)";
            }
        }
        if (ex instanceof NoSuchFileException e) {
            return "no such file: " + e.getFile();
        }
        if (ex instanceof AccessDeniedException e) {
            return "permission denied: " + e.getFile();
        }
        String msg = ex.getMessage();
        if (msg == null || msg.isBlank()) {
            msg = ex.getClass().getSimpleName();
        } else if (!(ex instanceof java.io.IOException || ex instanceof IllegalArgumentException
                || ex instanceof IllegalStateException)) {
            msg = ex.getClass().getSimpleName() + ": " + msg;
        }
        return oneLine(msg);
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /**
     * Whether a subcommand class is the one the arguments name: their first word that is not an
     * option. {@code help} names none (it reads the others), nor does anything unknown, so help,
     * usage errors and "did you mean" see every command.
     */
    private static Predicate<Class<?>> named(String[] args) {
        String first = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse(null);
        return command -> {
            Command annotation = command.getAnnotation(Command.class);
            return first != null && command != CommandLine.HelpCommand.class && annotation != null
                    && (annotation.name().equals(first) || Arrays.asList(annotation.aliases()).contains(first));
        };
    }

    private static boolean verbose(String[] args) {
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** Creates command objects, handing this Cli to those that take it in their constructor. */
    private record Factory(Cli cli) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                Constructor<K> c = cls.getDeclaredConstructor(Cli.class);
                c.setAccessible(true);
                return c.newInstance(cli);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }
}
