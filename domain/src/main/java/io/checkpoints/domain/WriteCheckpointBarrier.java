package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointPublication;
import io.checkpoints.ports.CheckpointPublisher;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.QueuedWrite;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.SyncProtocolException;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The apply gate of one client: holds downloaded checkpoints back until the service has
 * acknowledged the client's own writes.
 *
 * <p>A full checkpoint, or a partial one of priority 1 or more, may publish only if the upload
 * queue is empty and the target is absent or {@code <= last_seen}. Priority-0 partial checkpoints
 * always publish. A validated full checkpoint the gate blocks becomes the pending checkpoint, which
 * {@code completed_upload} retries; unlike the reference, it stays pending until it applies or a
 * new checkpoint replaces it, and once applied it is not applied again.
 *
 * <p>Thread-safe: runs each operation in one store transaction, under the client's lock.
 */
public final class WriteCheckpointBarrier {

  private final ClientState state;
  private final CheckpointPublisher publisher;

  WriteCheckpointBarrier(ClientState state, CheckpointPublisher publisher) {
    this.state = state;
    this.publisher = publisher;
  }

  /**
   * Queues a local write and, unless it is insert-only, arms the gate in the same transaction:
   * target {@code MAX}, last seen and last applied deleted. Every write re-arms the gate, not only
   * the first of a transaction. Needs no iteration.
   *
   * @param write the write
   * @return the write's sequence number in the upload queue
   * @throws io.checkpoints.ports.CheckpointArgumentException if the write's data is not the text of
   *     a JSON object; nothing changed
   */
  public long recordLocalWrite(LocalWrite write) {
    Objects.requireNonNull(write, "write");
    return state.write(tx -> {
      CheckpointTransaction.Enqueued enqueued = enqueue(tx, write);
      if (!enqueued.gateArmed()) {
        armGate(tx);
      }
      return enqueued.sequence();
    });
  }

  /**
   * Queues several local writes in one transaction, in order, as {@link #recordLocalWrite} queues
   * each: they share one upload transaction ({@code tx_id} on SQL stores), and the gate is armed
   * as after every write that is not insert-only. Either every write is queued or, if one is
   * refused, none is and nothing changed. Faster than one {@code recordLocalWrite} per write inside
   * a store transaction of the host's, which nests each write in a savepoint of its own. Needs no
   * iteration.
   *
   * @param writes the writes, in order; may be empty (then nothing runs)
   * @return the writes' sequence numbers in the upload queue, in the same order (increasing)
   * @throws NullPointerException if {@code writes} or one of its elements is null; nothing changed
   * @throws io.checkpoints.ports.CheckpointArgumentException if a write's data is not the text of a
   *     JSON object; nothing changed
   */
  public List<Long> recordLocalWrites(List<LocalWrite> writes) {
    List<LocalWrite> batch = List.copyOf(writes);
    if (batch.isEmpty()) {
      return List.of();
    }
    return state.write(tx -> {
      List<Long> sequences = new ArrayList<>(batch.size());
      // Arming is idempotent and nothing else runs between the writes of the batch, so arming
      // once after them leaves the state every write arming in turn would leave.
      boolean armAfter = false;
      int start = 0;
      while (start < batch.size()) {
        if (batch.get(start).insertOnly()) {
          sequences.add(enqueue(tx, batch.get(start)).sequence());
          start++;
          continue;
        }
        // A run of arming writes goes to the store at once: SQL stores queue it in a few
        // statements instead of one per write (docs/performance.md, item 3).
        int end = start + 1;
        while (end < batch.size() && !batch.get(end).insertOnly()) {
          end++;
        }
        CheckpointTransaction.EnqueuedAll run = tx.enqueueAllArmingGate(batch.subList(start, end));
        armAfter |= !run.gateArmed();
        sequences.addAll(run.sequences());
        start = end;
      }
      if (armAfter) {
        armGate(tx);
      }
      return List.copyOf(sequences);
    });
  }

  /**
   * Queues one write; {@code gateArmed} of the result is false where the domain must still arm
   * the gate for it (never for an insert-only write, which does not arm).
   */
  private static CheckpointTransaction.Enqueued enqueue(CheckpointTransaction tx, LocalWrite write) {
    return write.insertOnly()
        ? new CheckpointTransaction.Enqueued(tx.uploadQueue().enqueue(write), true)
        : tx.enqueueArmingGate(write);
  }

  /**
   * Arms the gate, as every local write that is not insert-only does: the target becomes
   * {@code MAX} and last seen and last applied are deleted, so that no downloaded checkpoint
   * publishes before the service acknowledged a request allocated after the write.
   */
  static void armGate(CheckpointTransaction tx) {
    tx.state().setTarget(CheckpointRequestId.MAX);
    tx.state().deleteLastSeen();
    tx.state().deleteLastApplied();
  }

  /** @return the target, absent when there is no gate; needs no iteration */
  public Optional<CheckpointRequestId> target() {
    return state.write(tx -> (tx.state().target()));
  }

  /**
   * Stores a target; never touches the counter. Needs no iteration.
   *
   * @param target the id that must have been seen before full checkpoints publish
   * @return the target before the call
   */
  public Optional<CheckpointRequestId> setTarget(CheckpointRequestId target) {
    Objects.requireNonNull(target, "target");
    return state.write(tx -> {
      Optional<CheckpointRequestId> previous = tx.state().target();
      tx.state().setTarget(target);
      return previous;
    });
  }

  /**
   * Deletes the target: no gate. Needs no iteration.
   *
   * @return the target before the call
   */
  public Optional<CheckpointRequestId> clearTarget() {
    return state.write(tx -> {
      Optional<CheckpointRequestId> previous = tx.state().target();
      tx.state().deleteTarget();
      return previous;
    });
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

  /** The oldest queued writes, in order, read in one transaction. */
  List<QueuedWrite> firstWrites(int limit) {
    return state.write(tx -> tx.uploadQueue().firstWrites(limit));
  }

  /** The writes of the oldest local transaction still queued. */
  List<QueuedWrite> firstTransaction() {
    return state.write(tx -> tx.uploadQueue().firstTransaction());
  }

  /**
   * Removes exactly the writes of an upload batch, which must still lead the queue and belong to
   * the current epoch; writes queued after it stay (and keep the gate armed).
   *
   * @throws CheckpointStateException if the batch is stale: from another epoch, or its writes
   *     no longer lead the queue (completed already, or removed by a clear)
   */
  void removeUploaded(List<QueuedWrite> batch, Epoch batchEpoch) {
    state.write(tx -> {
      if (!batchEpoch.equals(state.epoch())) {
        throw new CheckpointStateException(CheckpointStateException.Reason.STALE_UPLOAD_BATCH,
            "the upload batch was read before a clear or as another user; read a new batch");
      }
      long first = batch.get(0).sequence();
      List<QueuedWrite> head = tx.uploadQueue().firstWrites(1);
      if (head.isEmpty() || head.get(0).sequence() != first) {
        throw new CheckpointStateException(CheckpointStateException.Reason.STALE_UPLOAD_BATCH,
            "the writes of the upload batch starting at sequence " + first
                + " are no longer queued: was it completed already?");
      }
      tx.uploadQueue().removeThrough(batch.get(batch.size() - 1).sequence());
      return null;
    });
  }

  /** Whether the gate waits for a write checkpoint that nothing will request: target MAX, queue empty. */
  boolean awaitsWriteCheckpoint() {
    return state.write(tx -> tx.state().target().filter(CheckpointRequestId::isMax).isPresent()
        && tx.uploadQueue().isEmpty());
  }

  /** @return the upload queue's sequence: it changes whenever a write is queued */
  public long uploadQueueSequence() {
    return state.write(tx -> (tx.uploadQueue().lastSequence()));
  }

  private boolean adoptTargetIfNoWriteSince(long queueSequence, CheckpointRequestId accepted) {
    Objects.requireNonNull(accepted, "accepted");
    return state.write(tx -> {
      boolean adopt = tx.state().target().filter(CheckpointRequestId::isMax).isPresent()
          && tx.uploadQueue().isEmpty()
          && tx.uploadQueue().lastSequence() == queueSequence;
      if (adopt) {
        tx.state().setTarget(accepted);
      }
      return adopt;
    });
  }

  /**
   * @return the concrete target while it is not acknowledged ({@code target > last_seen}): the id
   *     the gate waits for, which the client keeps posting until the service acknowledges it
   */
  public Optional<CheckpointRequestId> unacknowledgedTarget() {
    return state.write(tx -> (tx.state().target()
        .filter(target -> !target.isMax())
        .filter(target -> target.value() > tx.state().lastSeen().map(WriteCheckpoint::value).orElse(0L))));
  }

  /** @return the validated full checkpoint the gate holds back, if any (for diagnostics) */
  public Optional<String> pendingCheckpointLastOpId() {
    return state.locked(() -> {
      Iteration it = state.iteration();
      return it == null || it.pending == null ? Optional.empty() : Optional.of(it.pending.lastOpId());
    });
  }

  List<LineOutcome> handleLine(Iteration it, SyncLine line) {
    if (line instanceof SyncLine.Checkpoint checkpoint) {
      replaceCheckpoint(it, new Iteration.Checkpoint(checkpoint.lastOpId(), checkpoint.writeCheckpoint()));
      return List.of();
    }
    if (line instanceof SyncLine.CheckpointDiff diff) {
      if (it.checkpoint == null) {
        throw new SyncProtocolException(
            "Sync protocol error: Received checkpoint_diff without previous checkpoint");
      }
      replaceCheckpoint(it, new Iteration.Checkpoint(diff.lastOpId(), diff.writeCheckpoint()));
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
    Retry retry = state.write(tx -> {
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
    if (!state.write(tx -> applyIfGateOpen(tx, checkpoint))) {
      setPending(it, checkpoint);
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
    publisher.publish(
        new CheckpointPublication(checkpoint.lastOpId(), writeCheckpoint, OptionalInt.empty()), tx);
    return true;
  }

  /** The in-memory side of an apply; the client tells the status about the outcome. */
  private LineOutcome applied(Iteration it, Iteration.Checkpoint checkpoint) {
    setPending(it, null);
    return new LineOutcome.Applied(checkpoint.writeCheckpoint());
  }

  private void replaceCheckpoint(Iteration it, Iteration.Checkpoint checkpoint) {
    Iteration.Checkpoint previous = it.checkpoint;
    it.checkpoint = checkpoint;
    state.onRollback(() -> it.checkpoint = previous);
    setPending(it, null);
  }

  private void setPending(Iteration it, Iteration.Checkpoint pending) {
    Iteration.Checkpoint previous = it.pending;
    it.pending = pending;
    state.onRollback(() -> it.pending = previous);
  }

  private List<LineOutcome> publishPartial(Iteration.Checkpoint checkpoint, int priority) {
    boolean published = state.write(tx -> {
      if (priority > 0 && !gateOpen(tx)) {
        return false;
      }
      publisher.publish(new CheckpointPublication(
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
