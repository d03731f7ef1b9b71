package dev.cumulus.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Small formatting helpers: human sizes and left-aligned tables. */
final class Text {
    private Text() {}

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / (1024.0 * 1024 * 1024));
    }

    static String shortSha(String sha) {
        return sha == null ? "-" : sha.length() > 12 ? sha.substring(0, 12) : sha;
    }

    /** Columns separated by two spaces, widths from the widest cell; no trailing spaces. */
    static final class Table {
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            rows.add(header);
        }

        Table row(Object... cells) {
            String[] r = new String[cells.length];
            for (int i = 0; i < cells.length; i++) {
                r[i] = cells[i] == null ? "-" : String.valueOf(cells[i]);
            }
            rows.add(r);
            return this;
        }

        void print(PrintStream out) {
            int cols = rows.stream().mapToInt(r -> r.length).max().orElse(0);
            int[] w = new int[cols];
            for (String[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    w[i] = Math.max(w[i], r[i].length());
                }
            }
            for (String[] r : rows) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < r.length; i++) {
                    sb.append(r[i]);
                    if (i < r.length - 1) {
                        sb.append(" ".repeat(w[i] - r[i].length() + 2));
                    }
                }
                out.println(sb.toString().stripTrailing());
            }
            out.flush();
        }
    }
}
