package dev.cumulus.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** One line of /proc/self/mountinfo: enough to find where each cgroup hierarchy is mounted. */
record Mountinfo(String mountPoint, String fsType, Set<String> superOptions) {

    static List<Mountinfo> read() throws IOException {
        return parse(Files.readAllLines(Path.of("/proc/self/mountinfo")));
    }

    static List<Mountinfo> parse(List<String> lines) {
        var result = new ArrayList<Mountinfo>();
        for (String line : lines) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] left = line.substring(0, dash).split(" ");
            String[] right = line.substring(dash + 3).split(" ");
            if (left.length < 5 || right.length < 3) {
                continue;
            }
            result.add(new Mountinfo(unescape(left[4]), right[0], Set.of(right[2].split(","))));
        }
        return result;
    }

    // The kernel octal-escapes space, tab, newline and backslash in paths.
    private static String unescape(String s) {
        var out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
