/**
 * JUnit-free building blocks shared by the store author's kit ({@code checkpoints-testkit}) and the
 * deterministic simulation ({@code checkpoints-simulation}): the scheduler in virtual time
 * ({@link io.checkpoints.testkit.support.ManualScheduler}), the seeded random source
 * ({@link io.checkpoints.testkit.support.SeededRandom}), the list shrinker
 * ({@link io.checkpoints.testkit.support.Shrinker}) and the waiter ledger
 * ({@link io.checkpoints.testkit.support.WaiterLedger}); and, for tests of any module, a capture
 * of what a class logs ({@link io.checkpoints.testkit.support.CapturedLog}) and a snapshot of a
 * file and its side files ({@link io.checkpoints.testkit.support.FileSnapshot}). They live apart so
 * that the simulation, which the CLI ships, need not carry the JUnit-bound contract suite; they
 * depend on {@code checkpoints-ports} only.
 */
package io.checkpoints.testkit.support;
