package io.checkpoints.ports;

import java.util.Objects;

/**
 * The client's identity as stored under {@code ps_kv.client_id} (a UUID string in PowerSync
 * databases) and sent to the service. Immutable and thread-safe.
 *
 * @param value the id; not blank
 */
public record ClientId(String value) {

  /**
   * @param value the id; not blank
   * @throws CheckpointArgumentException if {@code value} is null or blank
   */
  public ClientId {
    if (value == null || value.isBlank()) {
      throw new CheckpointArgumentException("client id must be a non-blank string, got "
          + (value == null ? "null" : "\"" + value + "\""));
    }
  }

  /**
   * @param value the id; not blank
   * @return the client id
   * @throws CheckpointArgumentException if {@code value} is null or blank
   */
  public static ClientId of(String value) {
    return new ClientId(value);
  }

  /** @return a new random client id, as a PowerSync database creates one */
  public static ClientId random() {
    return new ClientId(java.util.UUID.randomUUID().toString());
  }

  @Override
  public String toString() {
    return Objects.toString(value);
  }
}
