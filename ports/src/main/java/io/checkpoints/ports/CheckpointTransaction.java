package io.checkpoints.ports;

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
   * Queues a local write and arms the gate, in this transaction: the same as
   * {@code uploadQueue().enqueue(write)} followed by {@code state().armGate()}. A store whose
   * database arms the gate by itself when a write enters the queue (a trigger) may let it do both
   * in one statement.
   *
   * @param write the write; whether it is insert-only does not matter here (the caller decided)
   * @return the write's sequence number
   */
  default long enqueueArmingGate(LocalWrite write) {
    long sequence = uploadQueue().enqueue(write);
    state().armGate();
    return sequence;
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
