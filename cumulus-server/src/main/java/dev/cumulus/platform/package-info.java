/** The composition root: builds every capability from a {@link dev.cumulus.platform.PlatformConfig} and wires them. */
package dev.cumulus.platform;
