package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointPublication;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.SyncProtocolException;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The apply gate of one {@link SyncClient}: holds downloaded checkpoints back until the service has
 * acknowledged the client's own writes.
 *
 * <p>A full checkpoint, or a partial one of priority 1 or more, may publish only if the upload
 * queue is empty and the target is absent or {@code <= last_seen}. Priority-0 partial checkpoints
 * always publish. A validated full checkpoint the gate blocks becomes the pending checkpoint, which
 * {@code completed_upload} retries; unlike the reference, it stays pending until it applies or a
 * new checkpoint replaces it, and once applied it is not applied again.
 *
 * <p>Thread-safe: shares the client's lock.
 */
public final class WriteCheckpointBarrier {

  private final SyncClient client;

  WriteCheckpointBarrier(SyncClient client) {
    this.client = client;
  }

  /**
   * Queues a local write and, unless it is insert-only, arms the gate in the same transaction:
   * target {@code MAX}, last seen and last applied deleted. Every write re-arms the gate, not only
   * the first of a transaction. Needs no iteration.
   *
   * @param write the write
   * @return the write's sequence number in the upload queue
   */
  public long recordLocalWrite(LocalWrite write) {
    Objects.requireNonNull(write, "write");
    return client.locked(() -> client.store.inTransaction(tx -> {
      if (write.insertOnly()) {
        return tx.uploadQueue().enqueue(write);
      }
      CheckpointTransaction.Enqueued enqueued = tx.enqueueArmingGate(write);
      if (!enqueued.gateArmed()) {
        tx.state().setTarget(CheckpointRequestId.MAX);
        tx.state().deleteLastSeen();
        tx.state().deleteLastApplied();
      }
      return enqueued.sequence();
    }));
  }

  /**
   * Removes uploaded writes from the upload queue.
   *
   * @param throughSequence the sequence number of the last uploaded write; {@link Long#MAX_VALUE}
   *     for all
   */
  public void markUploaded(long throughSequence) {
    client.locked(() -> client.store.inTransaction(tx -> {
      tx.uploadQueue().removeThrough(throughSequence);
      return null;
    }));
  }

  /** @return the target, absent when there is no gate; needs no iteration */
  public Optional<CheckpointRequestId> target() {
    return client.locked(() -> client.store.inTransaction(tx -> tx.state().target()));
  }

  /**
   * Stores a target; never touches the counter. Needs no iteration.
   *
   * @param target the id that must have been seen before full checkpoints publish
   * @return the target before the call
   */
  public Optional<CheckpointRequestId> setTarget(CheckpointRequestId target) {
    Objects.requireNonNull(target, "target");
    return client.locked(() -> client.store.inTransaction(tx -> {
      Optional<CheckpointRequestId> previous = tx.state().target();
      tx.state().setTarget(target);
      return previous;
    }));
  }

  /**
   * Deletes the target: no gate. Needs no iteration.
   *
   * @return the target before the call
   */
  public Optional<CheckpointRequestId> clearTarget() {
    return client.locked(() -> client.store.inTransaction(tx -> {
      Optional<CheckpointRequestId> previous = tx.state().target();
      tx.state().deleteTarget();
      return previous;
    }));
  }

  /**
   * The last step before {@code completed_upload} in the upload flow: adopts the id the service
   * accepted for {@code allocation} as the target, if the target is still {@code MAX}, the queue is
   * empty and no write was queued since the id was allocated.
   *
   * @param allocation what {@link CheckpointSequence#allocateForUpload()} returned
   * @param accepted the id the service returned (it may be greater than the posted one)
   * @return whether the target was set
   */
  public boolean targetAcceptedRequest(
      UploadCheckpointAllocation allocation, CheckpointRequestId accepted) {
    Objects.requireNonNull(allocation, "allocation");
    return adoptTargetIfNoWriteSince(allocation.queueSequenceAtAllocation(), accepted);
  }

  /**
   * The legacy-mode counterpart of {@link #targetAcceptedRequest}: adopts the service's legacy
   * write checkpoint as the target under the same conditions.
   *
   * @param queueSequenceAtRequest {@link #uploadQueueSequence()} read before the write checkpoint
   *     was requested
   * @param writeCheckpoint the write checkpoint the service returned
   * @return whether the target was set
   */
  public boolean targetLegacyWriteCheckpoint(
      long queueSequenceAtRequest, CheckpointRequestId writeCheckpoint) {
    return adoptTargetIfNoWriteSince(queueSequenceAtRequest, writeCheckpoint);
  }

  /** @return the upload queue's sequence: it changes whenever a write is queued */
  public long uploadQueueSequence() {
    return client.locked(() -> client.store.inTransaction(tx -> tx.uploadQueue().lastSequence()));
  }

  private boolean adoptTargetIfNoWriteSince(long queueSequence, CheckpointRequestId accepted) {
    Objects.requireNonNull(accepted, "accepted");
    return client.locked(() -> client.store.inTransaction(tx -> {
      boolean adopt = tx.state().target().filter(CheckpointRequestId::isMax).isPresent()
          && tx.uploadQueue().isEmpty()
          && tx.uploadQueue().lastSequence() == queueSequence;
      if (adopt) {
        tx.state().setTarget(accepted);
      }
      return adopt;
    }));
  }

  /**
   * @return the concrete target while it is not acknowledged ({@code target > last_seen}): the id
   *     the gate waits for, which the client keeps posting until the service acknowledges it
   */
  public Optional<CheckpointRequestId> unacknowledgedTarget() {
    return client.locked(() -> client.store.inTransaction(tx -> tx.state().target()
        .filter(target -> !target.isMax())
        .filter(target -> target.value() > tx.state().lastSeen().map(WriteCheckpoint::value).orElse(0L))));
  }

  /** @return the validated full checkpoint the gate holds back, if any (for diagnostics) */
  public Optional<String> pendingCheckpointLastOpId() {
    return client.locked(() -> {
      Iteration it = client.currentIteration();
      return it == null || it.pending == null ? Optional.empty() : Optional.of(it.pending.lastOpId());
    });
  }

  List<LineOutcome> handleLine(Iteration it, SyncLine line) {
    if (line instanceof SyncLine.Checkpoint checkpoint) {
      it.checkpoint = new Iteration.Checkpoint(checkpoint.lastOpId(), checkpoint.writeCheckpoint());
      it.pending = null;
      return List.of();
    }
    if (line instanceof SyncLine.CheckpointDiff diff) {
      if (it.checkpoint == null) {
        throw new SyncProtocolException(
            "Sync protocol error: Received checkpoint_diff without previous checkpoint");
      }
      it.checkpoint = new Iteration.Checkpoint(diff.lastOpId(), diff.writeCheckpoint());
      it.pending = null;
      return List.of();
    }
    if (line instanceof SyncLine.CheckpointComplete) {
      if (it.checkpoint == null) {
        throw new SyncProtocolException(
            "Sync protocol error: Received checkpoint complete without previous checkpoint");
      }
      return List.of(validated(it, it.checkpoint));
    }
    if (line instanceof SyncLine.PartialCheckpointComplete partial) {
      if (it.checkpoint == null) {
        throw new CheckpointStateException(CheckpointStateException.Reason.LINE_OUT_OF_ORDER,
            "Received checkpoint complete without previous checkpoint");
      }
      return publishPartial(it.checkpoint, partial.priority());
    }
    if (line instanceof SyncLine.TokenExpiresIn expiry) {
      return expiry.seconds() <= 0 ? List.of(LineOutcome.CLOSED) : List.of();
    }
    return List.of();
  }

  List<LineOutcome> completedUpload(Iteration it) {
    Iteration.Checkpoint pending = it.pending;
    if (pending == null) {
      return List.of();
    }
    // One transaction for the age check and the retry, so that another connection cannot change
    // the target or the queue in between.
    Retry retry = client.store.inTransaction(tx -> {
      boolean olderThanTarget = tx.state().target()
          .filter(target -> pending.writeCheckpoint().map(wc -> !wc.acknowledges(target)).orElse(true))
          .isPresent();
      if (olderThanTarget) {
        return Retry.SKIPPED; // kept pending: a later checkpoint or upload may still let it through
      }
      return applyIfGateOpen(tx, pending) ? Retry.APPLIED : Retry.BLOCKED;
    });
    if (retry != Retry.APPLIED) {
      return List.of(); // a blocked retry is not reported as held again
    }
    return List.of(applied(it, pending));
  }

  private enum Retry { SKIPPED, BLOCKED, APPLIED }

  /**
   * A full checkpoint validated: records it as last seen, then lets the gate decide. Applying
   * records last applied and publishes in the same transaction.
   */
  private LineOutcome validated(Iteration it, Iteration.Checkpoint checkpoint) {
    if (!client.store.inTransaction(tx -> applyIfGateOpen(tx, checkpoint))) {
      it.pending = checkpoint;
      return LineOutcome.HELD;
    }
    return applied(it, checkpoint);
  }

  /** Stores last seen, then applies (last applied and publication) if the gate is open. */
  private boolean applyIfGateOpen(CheckpointTransaction tx, Iteration.Checkpoint checkpoint) {
    Optional<WriteCheckpoint> writeCheckpoint = checkpoint.writeCheckpoint();
    writeCheckpoint.ifPresent(tx.state()::setLastSeen);
    if (!gateOpen(tx)) {
      return false;
    }
    writeCheckpoint.ifPresent(tx.state()::setLastApplied);
    client.publisher.publish(
        new CheckpointPublication(checkpoint.lastOpId(), writeCheckpoint, OptionalInt.empty()), tx);
    return true;
  }

  /** After the applying transaction committed: the in-memory side of an apply. */
  private LineOutcome applied(Iteration it, Iteration.Checkpoint checkpoint) {
    it.pending = null;
    client.status().onApplied(checkpoint.writeCheckpoint());
    return new LineOutcome.Applied(checkpoint.writeCheckpoint());
  }

  private List<LineOutcome> publishPartial(Iteration.Checkpoint checkpoint, int priority) {
    boolean published = client.store.inTransaction(tx -> {
      if (priority > 0 && !gateOpen(tx)) {
        return false;
      }
      client.publisher.publish(new CheckpointPublication(
          checkpoint.lastOpId(), checkpoint.writeCheckpoint(), OptionalInt.of(priority)), tx);
      return true;
    });
    return published ? List.of(new LineOutcome.PartialApplied(priority)) : List.of();
  }

  private static boolean gateOpen(CheckpointTransaction tx) {
    if (!tx.uploadQueue().isEmpty()) {
      return false;
    }
    Optional<CheckpointRequestId> target = tx.state().target();
    if (target.isEmpty()) {
      return true;
    }
    long lastSeen = tx.state().lastSeen().map(WriteCheckpoint::value).orElse(0L);
    return target.get().value() <= lastSeen;
  }
}
