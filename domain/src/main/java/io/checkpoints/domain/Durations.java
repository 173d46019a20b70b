package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointArgumentException;
import java.time.Duration;
import java.util.Objects;

/** Checks of the durations the client is given. Stateless. */
final class Durations {

  private Durations() {}

  /**
   * @return {@code duration}
   * @throws CheckpointArgumentException if it is zero or negative
   */
  static Duration requirePositive(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new CheckpointArgumentException(name + " must be positive, got " + duration);
    }
    return duration;
  }
}
