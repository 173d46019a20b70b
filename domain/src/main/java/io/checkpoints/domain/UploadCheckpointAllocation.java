package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointRequestId;
import java.util.Objects;

/**
 * An id allocated after an upload batch, remembered together with the upload queue's sequence at
 * allocation, so that {@link WriteCheckpointBarrier#targetAcceptedRequest} can tell whether a
 * write was queued since. Immutable and thread-safe.
 *
 * @param id the allocated id, to post to the service
 * @param queueSequenceAtAllocation the upload queue's {@code lastSequence()} when it was allocated
 */
public record UploadCheckpointAllocation(CheckpointRequestId id, long queueSequenceAtAllocation) {

  /**
   * @param id the allocated id, to post to the service
   * @param queueSequenceAtAllocation the upload queue's {@code lastSequence()} when it was allocated
   * @throws NullPointerException if the id is null
   */
  public UploadCheckpointAllocation {
    Objects.requireNonNull(id, "id");
  }
}
