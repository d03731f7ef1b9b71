package com.example.iot;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One sensor reading, {@code {"sensor":"s1","celsius":71.5}}. The function API has no JSON
 * library and this example wants none; a real function would bind its records with Jackson.
 */
record Reading(String sensor, double celsius) {
    private static final Pattern SENSOR = Pattern.compile("\"sensor\"\\s*:\\s*\"([A-Za-z0-9_.-]{1,64})\"");
    private static final Pattern CELSIUS = Pattern.compile("\"celsius\"\\s*:\\s*(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)");

    /** @throws IllegalArgumentException when the body is not such a reading */
    static Reading parse(String body) {
        Matcher sensor = SENSOR.matcher(body);
        Matcher celsius = CELSIUS.matcher(body);
        if (!body.strip().startsWith("{") || !sensor.find() || !celsius.find()) {
            throw new IllegalArgumentException("not a reading {\"sensor\": ID, \"celsius\": NUMBER}: " + body);
        }
        return new Reading(sensor.group(1), Double.parseDouble(celsius.group(1)));
    }
}
