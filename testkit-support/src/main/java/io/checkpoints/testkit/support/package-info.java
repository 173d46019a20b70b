/**
 * JUnit-free building blocks shared by the store author's kit ({@code checkpoints-testkit}) and the
 * deterministic simulation ({@code checkpoints-simulation}): the seeded random source
 * ({@link io.checkpoints.testkit.support.SeededRandom}), the list shrinker
 * ({@link io.checkpoints.testkit.support.Shrinker}) and the waiter ledger
 * ({@link io.checkpoints.testkit.support.WaiterLedger}). They live apart so that the simulation,
 * which the CLI ships, need not carry the JUnit-bound contract suite.
 */
package io.checkpoints.testkit.support;
