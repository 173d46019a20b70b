package io.checkpoints.ports;

import java.util.Objects;

/**
 * A checkpoint request as posted to the service: {@code {client_id, checkpoint_request_id}}.
 * Immutable and thread-safe.
 *
 * @param clientId the client posting the request
 * @param id the requested id
 */
public record CheckpointRequest(ClientId clientId, CheckpointRequestId id) {

  /**
   * @param clientId the client posting the request
   * @param id the requested id
   * @throws NullPointerException if an argument is null
   */
  public CheckpointRequest {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(id, "id");
  }
}
