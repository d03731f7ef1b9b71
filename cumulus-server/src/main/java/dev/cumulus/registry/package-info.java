/**
 * Functions, their immutable versions and their content-addressed code packages: validation of
 * names and settings, storage in the Store, unpacking code for instances.
 *
 * <p>Entry point: {@link dev.cumulus.registry.FunctionRegistry#open}. Code bytes live in the code
 * directory as {@code <sha256>.zip} and, once unpacked, {@code unpacked/<sha256>/}; both appear
 * only by atomic rename, so nodes may share the directory.
 */
package dev.cumulus.registry;
