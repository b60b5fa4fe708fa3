package parley.runtime.http;

import java.util.function.BooleanSupplier;

/** One thing {@code GET /ready} checks: Redis, a peer service. */
public record ReadinessCheck(String name, BooleanSupplier healthy) {}
