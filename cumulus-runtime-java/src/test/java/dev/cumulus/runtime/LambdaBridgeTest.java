package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The runtime ships without aws-lambda-java-core: only the bridge package may name it, and that
 * package is only ever defined against a function's own copy (see {@link LambdaBridge}).
 */
class LambdaBridgeTest {
    @Test
    void onlyTheBridgePackageNamesLambdasCoreLibrary() throws IOException {
        Path classes = TestCompiler.runtimeLocation();
        List<String> naming;
        try (Stream<Path> files = Files.walk(classes)) {
            naming = files.filter(f -> f.toString().endsWith(".class"))
                    .filter(f -> !classes.relativize(f).toString().startsWith("dev/cumulus/runtime/lambda/"))
                    .filter(LambdaBridgeTest::namesLambdaCore)
                    .map(f -> classes.relativize(f).toString())
                    .toList();
        }
        assertThat(naming).as("classes the runtime's own loader would fail to link without the core").isEmpty();
    }

    @Test
    void aLoaderWithoutLambdasCoreGetsNoBridge() {
        // the runtime's loader in an instance, or a function that bundles no core: proxies then, no failure
        ClassLoader bare = new ClassLoader("bare", ClassLoader.getPlatformClassLoader()) {};
        LambdaBridge.preload();
        assertThat(LambdaBridge.of(bare)).isNull();
        assertThat(LambdaBridge.of(null)).isNull();
    }

    private static boolean namesLambdaCore(Path classFile) {
        try {
            return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains("com/amazonaws/");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
