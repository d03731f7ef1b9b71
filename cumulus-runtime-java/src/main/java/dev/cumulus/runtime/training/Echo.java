package dev.cumulus.runtime.training;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Raw bytes in and out, as functions that bring their own JSON library use the runtime. */
public class Echo implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) throws IOException {
        in.transferTo(out);
    }
}
