package dev.cumulus.registry;

/** A stored code package, named by the sha256 of its bytes (lowercase hex). */
public record CodeRef(String sha256, long sizeBytes) {}
