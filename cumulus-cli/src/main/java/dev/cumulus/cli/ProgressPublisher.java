package dev.cumulus.cli;

import java.io.PrintStream;
import java.net.http.HttpRequest.BodyPublisher;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.Flow;

/**
 * Wraps a body publisher with a known length and reports progress on stderr: a redrawn line
 * ({@code \r}) when stderr is a terminal, else one line that is completed when the upload ends.
 */
final class ProgressPublisher implements BodyPublisher {
    private final BodyPublisher delegate;
    private final String label;
    private final PrintStream err;
    private final boolean terminal;
    private final long total;

    ProgressPublisher(BodyPublisher delegate, String label, PrintStream err, boolean terminal) {
        this.delegate = delegate;
        this.label = label;
        this.err = err;
        this.terminal = terminal;
        this.total = delegate.contentLength();
    }

    @Override
    public long contentLength() {
        return total;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        if (!terminal) {
            err.print("uploading " + label + " (" + Text.bytes(total) + ") ...");
            err.flush();
        }
        delegate.subscribe(new Flow.Subscriber<ByteBuffer>() {
            private long sent;
            private long lastDraw;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscriber.onSubscribe(s);
            }

            @Override
            public void onNext(ByteBuffer item) {
                sent += item.remaining();
                long now = System.nanoTime();
                if (terminal && (now - lastDraw > 100_000_000L || sent == total)) {
                    lastDraw = now;
                    int pct = total > 0 ? (int) (sent * 100 / total) : 100;
                    err.print(String.format(Locale.ROOT, "\ruploading %s  %s / %s  %3d%%",
                            label, Text.bytes(sent), Text.bytes(total), pct));
                    err.flush();
                }
                subscriber.onNext(item);
            }

            @Override
            public void onError(Throwable t) {
                err.println(terminal ? "" : " failed");
                subscriber.onError(t);
            }

            @Override
            public void onComplete() {
                err.println(terminal ? "" : " done");
                subscriber.onComplete();
            }
        });
    }
}
