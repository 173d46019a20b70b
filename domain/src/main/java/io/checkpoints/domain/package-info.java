/**
 * The pure domain of checkpoint requests: the counter ({@link io.checkpoints.domain.CheckpointSequence}),
 * the apply gate ({@link io.checkpoints.domain.WriteCheckpointBarrier}), the status with its
 * waiters ({@link io.checkpoints.domain.SyncStatus}), and the {@link io.checkpoints.domain.SyncClient}
 * that ties them to one sync connection.
 *
 * <p>Depends on {@code io.checkpoints.ports} and the JDK only; storage and time come in through
 * ports.
 */
package io.checkpoints.domain;
