package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Does the bad thing named by {@code {"do": ...}}, or by the body of a function URL request:
 * throw, exit, spin (on this thread, or {@code spin-all}: on twice as many threads as there are
 * CPUs), allocate or fork-bomb.
 */
public class Misbehave implements RequestHandler<Map<String, Object>, String> {
    private static final List<byte[]> HOARD = new ArrayList<>();

    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        String what = String.valueOf(input.containsKey("do") ? input.get("do") : input.get("body"));
        switch (what) {
            case "throw" -> throw new IllegalStateException("boom");
            case "exit" -> System.exit(3);
            case "spin" -> spin();
            case "spin-all" -> {
                for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors(); i++) {
                    Thread t = new Thread(Misbehave::spin);
                    t.setDaemon(true);
                    t.start();
                }
                spin();
            }
            case "alloc" -> {
                while (true) {
                    HOARD.add(new byte[1024 * 1024]);
                }
            }
            case "forkbomb" -> {
                while (true) {
                    Thread t = new Thread(() -> {
                        try {
                            Thread.sleep(Long.MAX_VALUE);
                        } catch (InterruptedException ignored) {
                            // parked forever on purpose
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                }
            }
            default -> {
                return "behaved";
            }
        }
        return "unreachable";
    }

    private static void spin() {
        long x = 0;
        while (x >= 0) {
            x = (x + 1) % Long.MAX_VALUE;
        }
    }
}
