/**
 * A seeded model-based test engine for the checkpoint-requests domain: random action lists
 * ({@link io.checkpoints.testkit.model.ActionGenerator}) run against a {@code SyncClient} on any
 * store and against an independent model of the specification, compared after every step, with
 * failures shrunk ({@link io.checkpoints.testkit.support.Shrinker}) to a short, readable action list.
 *
 * <p>Storage adapters run it by extending {@link io.checkpoints.testkit.model.SyncClientModelContract}.
 * The random source is {@link java.util.SplittableRandom} through
 * {@link io.checkpoints.testkit.support.SeededRandom}: one seed replays one action list exactly.
 */
package io.checkpoints.testkit.model;
