package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.QueuedWrite;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Queued local writes to upload, oldest first, read by {@link SyncConnection#nextUploadBatch} or
 * {@link SyncConnection#nextUploadTransaction}. Upload them to the backend, then call
 * {@link #complete()}: it removes exactly these writes from the queue and requests the write
 * checkpoint, so that no step can be forgotten.
 *
 * <p>Thread-safe; {@link #complete()} succeeds at most once.
 */
public final class UploadBatch {

  private final List<QueuedWrite> writes;
  private final Function<List<QueuedWrite>, CompletableFuture<Void>> completion;
  private final AtomicBoolean completed = new AtomicBoolean();

  UploadBatch(List<QueuedWrite> writes, Function<List<QueuedWrite>, CompletableFuture<Void>> completion) {
    this.writes = List.copyOf(writes);
    this.completion = completion;
  }

  /** @return the writes, oldest first; never empty */
  public List<QueuedWrite> writes() {
    return writes;
  }

  /**
   * The writes were uploaded: removes exactly them from the queue (writes queued since stay, and
   * keep the gate armed), then requests the write checkpoint (requests mode: allocate an id, post
   * it and adopt the accepted id as the target; legacy mode: fetch the legacy write checkpoint)
   * and retries the pending checkpoint. The removal commits whether or not the client is
   * connected: the upload happened.
   *
   * @return a future completed once the write checkpoint was requested and adopted; failed with
   *     {@link io.checkpoints.ports.CheckpointWaitException.Disconnected} when not connected (the
   *     gate then stays armed until the next upload completes), or with the transport's failure
   * @throws CheckpointStateException ({@link CheckpointStateException.Reason#STALE_UPLOAD_BATCH})
   *     if the batch was completed already, was read before a clear or as another user, or its
   *     writes left the queue another way; nothing is changed then
   */
  public CompletableFuture<Void> complete() {
    if (!completed.compareAndSet(false, true)) {
      throw new CheckpointStateException(CheckpointStateException.Reason.STALE_UPLOAD_BATCH,
          "this upload batch was completed already");
    }
    try {
      return completion.apply(writes);
    } catch (RuntimeException e) {
      completed.set(false);
      throw e;
    }
  }

  @Override
  public String toString() {
    return "UploadBatch[" + writes.size() + " writes, sequences " + writes.get(0).sequence() + ".."
        + writes.get(writes.size() - 1).sequence() + "]";
  }
}
