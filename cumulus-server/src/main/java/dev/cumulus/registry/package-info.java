/**
 * Functions, their immutable versions and their content-addressed code packages: validation of
 * names and settings, storage in the Store, unpacking code for instances.
 */
package dev.cumulus.registry;
