package dev.cumulus.registry;

/**
 * A host file or directory the admin grants a function: bound into its sandbox at {@code target}
 * (under {@code /mnt/}), read-only unless {@code writable}. Functions see nothing of the host
 * otherwise, so each grant is explicit in the function's settings.
 */
public record FunctionMount(String source, String target, boolean writable) {}
