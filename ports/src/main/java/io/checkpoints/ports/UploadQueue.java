package io.checkpoints.ports;

import java.util.List;

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
   * @throws CheckpointArgumentException if the write's data is not the text of a JSON object;
   *     nothing was queued
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

  /**
   * Reads the oldest queued writes, in queue order, without removing them (PowerSync's
   * {@code getCrudBatch}).
   *
   * @param limit the most writes to return; at least 1
   * @return up to {@code limit} writes, oldest first; empty if the queue is empty; their data as
   *     {@link QueuedWrite} says (the JSON text as written, or as the database writes it)
   * @throws CheckpointArgumentException if {@code limit} is below 1
   */
  List<QueuedWrite> firstWrites(int limit);

  /**
   * Reads the writes of the oldest local transaction still queued, in queue order, without
   * removing them (PowerSync's {@code getNextCrudTransaction}).
   *
   * @return the writes with the smallest transaction id; empty if the queue is empty
   */
  List<QueuedWrite> firstTransaction();
}
