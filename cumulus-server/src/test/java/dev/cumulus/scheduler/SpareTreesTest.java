package dev.cumulus.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Code trees linked into stem cells ahead of use, on real directories: the right tree, and only it. */
class SpareTreesTest {
    @TempDir
    Path dir;
    private Path codeA;
    private Path codeB;
    private final SpareTrees spares = new SpareTrees();

    @BeforeEach
    void code() throws IOException {
        codeA = tree("a", "a/Handler.class", "lib/aws-core.jar");
        codeB = tree("b", "b/Other.class");
    }

    private Path tree(String name, String... files) throws IOException {
        Path root = dir.resolve("code-" + name);
        for (String file : files) {
            Path path = root.resolve(file);
            Files.createDirectories(path.getParent());
            Files.writeString(path, name + ":" + file);
        }
        return root;
    }

    private StemCell cell(String id, int memoryMb) throws IOException {
        return new StemCell(id, memoryMb, Files.createDirectories(dir.resolve("cells").resolve(id).resolve("task")));
    }

    private static List<String> files(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void aNewCellOfTheSizeInDemandGetsTheTreeOfTheLatestColdStart() throws IOException {
        spares.demanded(256, codeA);
        StemCell cell = cell("c1", 256);
        spares.prepare(cell);

        assertThat(files(cell.taskDir())).containsExactly("a/Handler.class", "lib/aws-core.jar");
        assertThat(cell.preparedWith()).isEqualTo(codeA);
        assertThat(Files.isSameFile(cell.taskDir().resolve("a/Handler.class"), codeA.resolve("a/Handler.class")))
                .as("a link, not a copy").isTrue();
    }

    @Test
    void aCellOfAnotherSizeOrWithNoDemandStaysEmpty() throws IOException {
        spares.demanded(256, codeA);
        StemCell other = cell("c1", 512);
        spares.prepare(other);
        assertThat(files(other.taskDir())).isEmpty();
        assertThat(other.preparedWith()).isNull();
    }

    @Test
    void fittingTheTreeItWasPreparedWithKeepsIt() throws IOException {
        spares.demanded(256, codeA);
        StemCell cell = cell("c1", 256);
        spares.prepare(cell);
        Path linked = cell.taskDir().resolve("a/Handler.class");
        Object before = Files.readAttributes(linked, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

        SpareTrees.fit(cell, codeA);
        assertThat(files(cell.taskDir())).containsExactly("a/Handler.class", "lib/aws-core.jar");
        assertThat(Files.readAttributes(linked, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                .isEqualTo(before);
    }

    @Test
    void aCellPreparedForOneFunctionAndTakenByAnotherHoldsOnlyTheOthersCode() throws IOException {
        spares.demanded(256, codeA);
        StemCell cell = cell("c1", 256);
        spares.prepare(cell);

        SpareTrees.fit(cell, codeB);
        assertThat(files(cell.taskDir())).as("nothing of the other function's code").containsExactly("b/Other.class");
        assertThat(cell.taskDir()).isDirectory();
        assertThat(files(codeA)).as("the stored code is untouched").containsExactly("a/Handler.class", "lib/aws-core.jar");
    }

    @Test
    void aCellWhosePreparationFailedHalfwayIsEmptiedBeforeItIsFitted() throws IOException {
        StemCell cell = cell("c1", 256);
        // what a preparation cut short leaves: some files, and no record of a finished tree
        Files.createDirectories(cell.taskDir().resolve("a"));
        Files.writeString(cell.taskDir().resolve("a/Handler.class"), "left over");
        assertThat(cell.preparedWith()).isNull();

        SpareTrees.fit(cell, codeB);
        assertThat(files(cell.taskDir())).containsExactly("b/Other.class");
    }

    @Test
    void codeThatIsGoneLeavesTheCellUnprepared() throws IOException {
        spares.demanded(256, dir.resolve("no-such-code"));
        StemCell cell = cell("c1", 256);
        spares.prepare(cell);
        assertThat(cell.preparedWith()).isNull();
        assertThat(files(cell.taskDir())).isEmpty();
    }
}
