package dev.cumulus.runtime;

import java.util.Map;

/** One HTTP response; header names are lower-cased so look-ups ignore case as HTTP requires. */
record HttpResponse(int status, Map<String, String> headers, byte[] body) {
    String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }
}
