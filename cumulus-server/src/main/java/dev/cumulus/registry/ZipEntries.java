package dev.cumulus.registry;

import dev.cumulus.errors.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Rules for code packages: entry names that keep an extracted package inside its directory (no
 * zip-slip), and the limits that keep a small upload from becoming a large unpacked tree (zip
 * bombs): inflated bytes, entry count, path depth and name length.
 */
final class ZipEntries {
    /** Unpacked code larger than this is refused: it guards the disk against zip bombs. */
    static final long MAX_UNPACKED_BYTES = 512L * 1024 * 1024;
    /** Entries (files and directories) a package may hold: each becomes an inode when unpacked. */
    static final int MAX_ENTRIES = 100_000;
    /** Path segments in an entry name: {@code a/b/c.txt} is 3. */
    static final int MAX_DEPTH = 64;
    /** Bytes of one entry name (UTF-8), well inside PATH_MAX with the unpack directory in front. */
    static final int MAX_NAME_BYTES = 2048;
    /** Bytes of one path segment: Linux's NAME_MAX. */
    static final int MAX_SEGMENT_BYTES = 255;

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

    /** Refuses a name too long or too deep to unpack (checked at upload, before anything is kept). */
    static void checkShape(String entryName) {
        if (entryName.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw invalid("code package entry name is longer than " + MAX_NAME_BYTES + " bytes: '"
                    + entryName.substring(0, 64) + "...'");
        }
        String[] segments = entryName.split("/");
        if (segments.length > MAX_DEPTH) {
            throw invalid("code package entry '" + entryName + "' is nested " + segments.length
                    + " directories deep; at most " + MAX_DEPTH + " are allowed");
        }
        for (String segment : segments) {
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw invalid("code package entry '" + entryName + "' has a name segment longer than "
                        + MAX_SEGMENT_BYTES + " bytes");
            }
        }
    }

    /**
     * Reads {@code in} to its end without keeping it and returns {@code counted} plus the bytes
     * read: real inflated bytes, not the sizes a crafted zip declares.
     *
     * @throws ApiException once the total passes {@link #MAX_UNPACKED_BYTES}
     */
    static long countInflated(InputStream in, long counted) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) != -1) {
            counted += n;
            if (counted > MAX_UNPACKED_BYTES) {
                throw tooBig();
            }
        }
        return counted;
    }

    static ApiException unsafe(String entryName) {
        return invalid("code package entry '" + entryName + "' points outside the package");
    }

    static ApiException tooBig() {
        return invalid("code package unpacks to more than " + MAX_UNPACKED_BYTES + " bytes");
    }

    static ApiException tooManyEntries() {
        return invalid("code package has more than " + MAX_ENTRIES + " entries");
    }

    private static ApiException invalid(String message) {
        return ApiException.badRequest("InvalidCode", message);
    }
}
