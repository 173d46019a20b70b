package io.checkpoints.ports;

import java.util.Objects;

/**
 * HTTP 400: the service refused the request as invalid (for example {@code PSYNC_S2001}). An
 * argument error: retrying the same request cannot succeed. Immutable and thread-safe.
 */
public class CheckpointRequestRejectedException extends CheckpointArgumentException {

  private static final long serialVersionUID = 1L;

  /** The service's error code; part of the serialized form. */
  private final String errorCode;

  /**
   * @param errorCode the service's error code, for example {@code PSYNC_S2001}; may be empty
   * @param message the service's description
   */
  public CheckpointRequestRejectedException(String errorCode, String message) {
    super(message);
    this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
  }

  /** @return the service's error code, or an empty string if it sent none */
  public String errorCode() {
    return errorCode;
  }
}
