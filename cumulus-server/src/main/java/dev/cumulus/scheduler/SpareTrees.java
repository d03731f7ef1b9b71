package dev.cumulus.scheduler;

import dev.cumulus.files.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Links a function's code tree into a stem cell before the cell is offered, so that specialising
 * it does not wait for the links (ADR 0044): a Lambda handler's jar with its AWS libraries unpacks
 * to about a thousand files, and linking them was most of what its cold start with a cell cost
 * over a Cumulus handler's. Which tree to prepare is a guess: the code of the latest cold start of
 * the cell's memory size. A wrong guess costs what not guessing costs, plus emptying the directory.
 *
 * <p>A cell's directory holds one function's code and nothing else when it is specialised: a
 * tree prepared for another function is removed first, so no function ever sees another's files.
 */
final class SpareTrees {
    /** The code directory of the latest cold start per memory size: what the next cell is prepared with. */
    private final Map<Integer, Path> expected = new ConcurrentHashMap<>();

    /** A cold start of {@code memoryMb} for the code in {@code code}: the next cells of its size get that tree. */
    void demanded(int memoryMb, Path code) {
        expected.put(memoryMb, code);
    }

    /** Links the expected tree into a new cell's directory; leaves it empty if there is none or linking fails. */
    void prepare(StemCell cell) {
        Path code = expected.get(cell.memoryMb());
        if (code == null || !Files.isDirectory(code)) {
            return;
        }
        try {
            link(code, cell.taskDir());
            cell.preparedWith(code);
        } catch (IOException | RuntimeException e) {
            // specialisation empties the directory again and links whatever it needs then
            cell.preparedWith(null);
        }
    }

    /**
     * Makes the cell's directory hold exactly the tree of {@code code}: as it is if it was
     * prepared with that tree, else emptied and linked now.
     */
    static void fit(StemCell cell, Path code) throws IOException {
        if (code.equals(cell.preparedWith())) {
            return;
        }
        FileTrees.deleteContents(cell.taskDir()); // links only: the code they point to stays
        link(code, cell.taskDir());
    }

    /**
     * Hard links keep this cheap (no bytes copied) and safe: the cell sees the code through a
     * read-only mount, so it cannot change the shared files. Copies where links fail.
     */
    static void link(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    try {
                        Files.createLink(target, source);
                    } catch (IOException | UnsupportedOperationException crossDevice) {
                        Files.copy(source, target);
                    }
                }
            }
        }
    }
}
