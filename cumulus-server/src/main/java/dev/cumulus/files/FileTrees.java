package dev.cumulus.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/** Removes directory trees: instance scratch space, stem-cell code links, socket dirs, training dirs. */
public final class FileTrees {
    private FileTrees() {}

    /**
     * Deletes {@code root} and everything below it; symbolic links are removed, not followed.
     * A missing root is fine.
     *
     * @throws UncheckedIOException if something could not be deleted
     */
    public static void delete(Path root) {
        deleteBelow(root, false);
    }

    /**
     * Deletes everything below {@code root} and keeps {@code root} itself: a directory that is
     * mounted somewhere (a stem cell's code directory) must stay the same directory.
     *
     * @throws UncheckedIOException if something could not be deleted
     */
    public static void deleteContents(Path root) {
        deleteBelow(root, true);
    }

    private static void deleteBelow(Path root, boolean keepRoot) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> paths;
        try (var walk = Files.walk(root)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        } catch (NoSuchFileException gone) {
            return;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
        for (Path p : paths) {
            if (keepRoot && p.equals(root)) {
                continue;
            }
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + p, e);
            }
        }
    }

    /** {@link #delete}, for leftovers that are harmless: false instead of an exception. */
    public static boolean deleteQuietly(Path root) {
        try {
            delete(root);
            return true;
        } catch (UncheckedIOException e) {
            return false;
        }
    }
}
