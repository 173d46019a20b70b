package io.checkpoints.ports;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One open store transaction: the views of the state that checkpoint requests need, all reading
 * and writing in the same transaction. Valid only inside {@link CheckpointStore#inTransaction};
 * confined to the thread running that work.
 */
public interface CheckpointTransaction {

  /** @return the checkpoint keys of {@code ps_kv} */
  CheckpointState state();

  /** @return the upload queue ({@code ps_crud}) */
  UploadQueue uploadQueue();

  /** @return the per-user sequences, which a clear does not touch */
  UserSequences userSequences();

  /**
   * An optional fast path for a local write that arms the gate: queues the write, and reports
   * whether the database armed the gate for it in the same statement (for example a trigger on the
   * queue table). Arming is the domain's rule: when {@link Enqueued#gateArmed()} is false, the
   * domain arms the gate itself. The default only queues the write.
   *
   * @param write the write
   * @return the write's sequence number and whether the gate was armed with it
   * @throws CheckpointArgumentException if the write's data is not the text of a JSON object;
   *     nothing was queued
   */
  default Enqueued enqueueArmingGate(LocalWrite write) {
    return new Enqueued(uploadQueue().enqueue(write), false);
  }

  /**
   * {@link #enqueueArmingGate} for several writes in order, in this transaction: a store may queue
   * them with far fewer statements than one per write. Either every write is queued or, if one is
   * refused, the transaction must be rolled back (the domain does) for nothing to have changed; a
   * store that can check every write before it queues any leaves nothing queued. The default calls
   * {@link #enqueueArmingGate} for each write.
   *
   * @param writes the writes, in order; none insert-only (the domain queues those itself)
   * @return the writes' sequence numbers in order, and whether the gate is armed after the last
   *     write as {@link Enqueued#gateArmed()} tells (false if any write left arming to the domain)
   * @throws CheckpointArgumentException if a write's data is not the text of a JSON object
   * @throws NullPointerException if {@code writes} or one of its elements is null
   */
  default EnqueuedAll enqueueAllArmingGate(List<LocalWrite> writes) {
    List<Long> sequences = new ArrayList<>(writes.size());
    boolean gateArmed = true;
    for (LocalWrite write : writes) {
      Enqueued enqueued = enqueueArmingGate(write);
      gateArmed &= enqueued.gateArmed();
      sequences.add(enqueued.sequence());
    }
    return new EnqueuedAll(sequences, gateArmed);
  }

  /**
   * What {@link #enqueueAllArmingGate} did.
   *
   * @param sequences the writes' sequence numbers in the upload queue, in the writes' order
   * @param gateArmed whether the gate is armed as arming leaves it after the last write, as
   *     {@link Enqueued#gateArmed()} tells for one write; where false, the domain arms it
   */
  record EnqueuedAll(List<Long> sequences, boolean gateArmed) {
    /**
     * Copies the sequences, so that the record is immutable.
     *
     * @param sequences the writes' sequence numbers, in the writes' order
     * @param gateArmed whether the gate is armed after the last write
     */
    public EnqueuedAll {
      sequences = List.copyOf(sequences);
    }
  }

  /**
   * What {@link #enqueueArmingGate} did.
   *
   * @param sequence the write's sequence number in the upload queue
   * @param gateArmed whether the gate is armed as arming leaves it (target {@code MAX}, last seen
   *     and last applied deleted) after the same statement: the store armed it, or found it armed
   *     already, where arming again would have changed nothing
   */
  record Enqueued(long sequence, boolean gateArmed) {}

  /**
   * Registers a callback for the end of the outermost transaction this work belongs to: the
   * store's own, or the caller's transaction it joined. The domain keeps state in memory beside
   * the database (the seed, the pending checkpoint, the status and its waiters); it changes that
   * state tentatively inside the transaction and settles it here, so that a rolled-back
   * transaction leaves the client as the database is.
   *
   * <p>Each callback runs exactly once, in registration order, after the transaction committed
   * or rolled back and after the store released its own lock, on the thread that ended the
   * transaction. A callback that throws does not stop the others.
   *
   * @param callback told whether the transaction committed
   */
  void afterCompletion(CompletionCallback callback);

  /** Told how a transaction ended. */
  @FunctionalInterface
  interface CompletionCallback {
    /** @param committed true if the transaction committed, false if it rolled back */
    void completed(boolean committed);
  }

  /**
   * Deletes what {@code powersync_clear(flags)} deletes: every {@code ps_kv} key except
   * {@code client_id}, the upload queue, and whatever downloaded data the store keeps. The
   * per-user sequences are left untouched. Whether a soft clear is allowed is the caller's
   * decision; the store only passes the flags on.
   *
   * @param flags the clear flags
   */
  void clear(ClearFlags flags);

  /**
   * Gives the host the adapter's own handle on this transaction, for example a JDBC connection,
   * so that it can publish checkpoint data in the same transaction.
   *
   * @param type the handle type the adapter documents
   * @param <T> that type
   * @return the handle, or empty if this adapter has none of that type
   */
  <T> Optional<T> unwrap(Class<T> type);
}
