package dev.cumulus.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Code packages built in memory; class files only need the right names for the registry. */
public final class Zips {
    private Zips() {}

    public static byte[] withClasses(String... classFiles) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (String classFile : classFiles) {
            entries.put(classFile, new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE});
        }
        return zip(entries);
    }

    public static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bomb;

    /**
     * A zip bomb: about 500 KB holding one entry of zeros that inflates to one byte more than a
     * code package may unpack to. Built once per JVM.
     */
    public static synchronized byte[] bomb() {
        if (bomb == null) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                zip.setLevel(9);
                zip.putNextEntry(new ZipEntry("zeros.bin"));
                byte[] chunk = new byte[1 << 20];
                long size = ZipEntries.MAX_UNPACKED_BYTES + 1;
                for (long written = 0; written < size; written += chunk.length) {
                    zip.write(chunk, 0, (int) Math.min(chunk.length, size - written));
                }
                zip.closeEntry();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            bomb = bytes.toByteArray();
        }
        return bomb;
    }
}
