package dev.cumulus.function;

import java.util.Map;

/**
 * Sending one of the project's mail templates ({@code welcome}, {@code verification},
 * {@code reset}, {@code test}) through the node's outbox, as this function: its execution role
 * must allow {@code mail:SendMail}. Reached through {@link Context#mail()}; the message is durable
 * once the call returns and is retried by the node until the relay takes it.
 */
public interface Mail {

    /**
     * @param values the template's placeholders ({@code email}, or any the project's template uses)
     * @return the message's id in the outbox
     * @throws ServiceException e.g. 403 when the role may not send mail, 400 for a bad address or
     *     template, 429 past the project's sends per hour
     */
    String send(String to, String template, Map<String, String> values);
}
