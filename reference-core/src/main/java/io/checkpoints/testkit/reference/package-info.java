/**
 * The reference core (PowerSync SQLite core 0.5.3) as a test oracle, fetched from the npm registry
 * and checked by SHA-256: {@link io.checkpoints.testkit.reference.ReferenceCore}.
 */
package io.checkpoints.testkit.reference;
