package io.checkpoints.ports;

/**
 * The upload queue ({@code ps_crud}) inside one transaction. Confined to the transaction's
 * thread.
 *
 * <p>Every queued write gets a sequence number greater than any before it, also across uploads and
 * clears, so that "no write was queued since X" is {@code lastSequence() == X}.
 */
public interface UploadQueue {

  /**
   * Queues one write. Arming the gate is the domain's business, not the queue's.
   *
   * @param write the write
   * @return the write's sequence number
   */
  long enqueue(LocalWrite write);

  /** @return whether no write is queued */
  boolean isEmpty();

  /** @return how many writes are queued */
  long size();

  /** @return the sequence number of the latest write ever queued, or 0 if none was */
  long lastSequence();

  /**
   * Removes the writes up to and including {@code sequence}: they were uploaded.
   *
   * @param sequence the last uploaded write's sequence number
   */
  void removeThrough(long sequence);
}
