package io.checkpoints.ports;

import java.util.Optional;

/**
 * Driving port: the four checkpoint commands of {@code powersync_control} with dynamically typed
 * payloads, exactly as the reference core accepts them. Storage adapters expose it as SQL
 * functions; the replay format drives it from JSON. Implementations are thread-safe.
 *
 * <p>Preconditions come before the argument: {@code seed} without an active iteration is a state
 * error whatever its payload; {@code next} and {@code current} take no payload.
 */
public interface CheckpointControl {

  /**
   * {@code seed_checkpoint_request_id}: stores the counter verbatim.
   *
   * @param payload an integer or decimal text in {@code 1..MAX}
   * @return the seeded id
   * @throws CheckpointStateException if no iteration is active
   * @throws CheckpointArgumentException if the payload is not an id
   */
  CheckpointRequestId seed(ControlPayload payload);

  /**
   * {@code next_checkpoint_request_id}: allocates the next id.
   *
   * @return the new id
   * @throws CheckpointStateException if no iteration is active, the counter was not seeded in
   *     this iteration, or it is at {@code MAX}
   */
  CheckpointRequestId next();

  /**
   * {@code current_checkpoint_request_id}: reads the counter; needs no iteration.
   *
   * @return the counter, or empty if it is not set
   */
  Optional<CheckpointRequestId> current();

  /**
   * {@code target_checkpoint_request_id}: reads, sets ({@code 1..MAX}) or deletes ({@code 0})
   * the target; needs no iteration.
   *
   * @param payload null to only read, 0 to delete, or an id to store
   * @return the target before the call, or empty if there was none
   * @throws CheckpointArgumentException if the payload is negative or not an integer form
   */
  Optional<CheckpointRequestId> target(ControlPayload payload);
}
