package io.checkpoints.adapter.inmemory;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.ClientId;
import java.util.Objects;

/**
 * The key of a record of the {@link SimulatedCheckpointService}, {@code user/client}; a record, so
 * a slash in a user id cannot collide. Immutable.
 */
record ServiceKey(String userId, ClientId clientId) {

  static ServiceKey of(String userId, ClientId clientId) {
    return new ServiceKey(checkUserId(userId), Objects.requireNonNull(clientId, "clientId"));
  }

  static String checkUserId(String userId) {
    if (userId == null || userId.isEmpty()) {
      throw new CheckpointArgumentException("a user id must be a non-empty string, got "
          + (userId == null ? "null" : "\"\""));
    }
    return userId;
  }

  @Override
  public String toString() {
    return userId + "/" + clientId;
  }
}
