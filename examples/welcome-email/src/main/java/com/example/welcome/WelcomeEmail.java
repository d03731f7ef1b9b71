package com.example.welcome;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.Map;

/**
 * Subscribed to the project's topic {@code user.created}: sends the new user the project's
 * {@code welcome} mail through the node's outbox ({@code Context.mail()}; the function's role
 * allows {@code mail:SendMail}). Anonymous users have no address yet and get nothing; the
 * outbox retries until the relay takes the mail. The event id keys nothing here: a redelivered
 * event (at-least-once) would mail twice, which for a welcome is the lesser harm than none.
 */
public class WelcomeEmail implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> user, Context context) {
        if (!(user.get("email") instanceof String email) || email.isEmpty()) {
            context.logger().log("user " + user.get("userId") + " has no address yet: no welcome mail");
            return Map.of("sent", false);
        }
        String id = context.mail().send(email, "welcome", Map.of("email", email));
        context.logger().log("welcome mail " + id + " queued for user " + user.get("userId"));
        return Map.of("sent", true, "mailId", id);
    }
}
