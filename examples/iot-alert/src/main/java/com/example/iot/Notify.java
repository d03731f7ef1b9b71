package com.example.iot;

import dev.cumulus.function.CloudEvent;
import dev.cumulus.function.Context;
import dev.cumulus.function.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Subscribed to topic {@code alerts}: turns an alert into a notification. Today that is one log
 * line, {@code NOTIFY <subject> <alert>}; the mail service of a later issue plugs in here (a
 * {@code context.mail()} beside {@code context.topics()}).
 */
public class Notify implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String alert = new String(input.readAllBytes(), StandardCharsets.UTF_8).replace("\n", " ");
        String subject = context.cloudEvent().map(CloudEvent::subject).orElse("-");
        System.out.println("NOTIFY " + subject + " " + alert);
        System.out.flush();
        output.write("{}".getBytes(StandardCharsets.UTF_8));
    }
}
