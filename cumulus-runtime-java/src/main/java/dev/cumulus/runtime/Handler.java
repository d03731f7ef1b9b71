package dev.cumulus.runtime;

/** A resolved function: event bytes in, result bytes out; whatever it throws is the function's error. */
interface Handler {
    byte[] handle(byte[] event, InvocationContext context) throws Throwable;
}
