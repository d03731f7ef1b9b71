package dev.cumulus.runtime;

import dev.cumulus.function.Context;

/** A resolved function: event bytes in, result bytes out; whatever it throws is the function's error. */
interface Handler {
    byte[] handle(byte[] event, Context context) throws Throwable;
}
