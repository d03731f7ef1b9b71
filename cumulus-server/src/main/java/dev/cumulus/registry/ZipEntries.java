package dev.cumulus.registry;

import dev.cumulus.errors.ApiException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Rules for entry names that keep an extracted package inside its directory (no zip-slip). */
final class ZipEntries {
    /** Unpacked code larger than this is refused: it guards the disk against zip bombs. */
    static final long MAX_UNPACKED_BYTES = 512L * 1024 * 1024;

    private ZipEntries() {}

    /** The path {@code entryName} extracts to under {@code root}; refuses names that escape it. */
    static Path resolve(Path root, String entryName) {
        Path target;
        try {
            target = root.resolve(entryName).normalize();
        } catch (InvalidPathException e) {
            throw unsafe(entryName);
        }
        if (entryName.startsWith("/") || entryName.contains("\\") || !target.startsWith(root)) {
            throw unsafe(entryName);
        }
        return target;
    }

    static ApiException unsafe(String entryName) {
        return ApiException.badRequest("InvalidCode", "code package entry '" + entryName + "' points outside the package");
    }

    static ApiException tooBig() {
        return ApiException.badRequest(
                "InvalidCode", "code package unpacks to more than " + MAX_UNPACKED_BYTES + " bytes");
    }
}
