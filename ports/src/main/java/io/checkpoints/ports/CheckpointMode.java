package io.checkpoints.ports;

/**
 * How a sync iteration acknowledges the client's writes. Immutable and thread-safe.
 */
public enum CheckpointMode {
  /** The service generates write checkpoints ({@code GET /write-checkpoint2.json}). The default. */
  LEGACY("legacy"),
  /** The client allocates checkpoint request ids and posts them ({@code POST /sync/checkpoint-request}). */
  REQUESTS("requests");

  private final String wireName;

  CheckpointMode(String wireName) {
    this.wireName = wireName;
  }

  /** @return the name in the start request's {@code checkpoint_mode} */
  public String wireName() {
    return wireName;
  }

  /**
   * @param wireName {@code "legacy"} or {@code "requests"}
   * @return the mode
   * @throws CheckpointArgumentException for any other value, including null
   */
  public static CheckpointMode fromWireName(String wireName) {
    for (CheckpointMode mode : values()) {
      if (mode.wireName.equals(wireName)) {
        return mode;
      }
    }
    throw new CheckpointArgumentException("checkpoint_mode must be \"legacy\" or \"requests\", got "
        + (wireName == null ? "null" : "\"" + wireName + "\""));
  }
}
