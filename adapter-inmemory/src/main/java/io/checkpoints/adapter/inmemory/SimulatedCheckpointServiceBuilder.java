package io.checkpoints.adapter.inmemory;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.Scheduler;
import java.time.Duration;
import java.util.Objects;

/**
 * Builds a {@link SimulatedCheckpointService}; get one from {@link
 * SimulatedCheckpointService#builder}. Not thread-safe; use it on one thread.
 */
public final class SimulatedCheckpointServiceBuilder {
  final Scheduler scheduler;
  Duration retention = SimulatedCheckpointService.DEFAULT_RETENTION;
  Duration replicationLag = Duration.ZERO;
  CheckpointObserver checkpointObserver = (lastOpId, replicatedPosition) -> {};

  SimulatedCheckpointServiceBuilder(Scheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  /**
   * @param retention how long a record lives after it was last stored or refreshed; positive
   * @return this builder
   * @throws CheckpointArgumentException if {@code retention} is not positive
   */
  public SimulatedCheckpointServiceBuilder retention(Duration retention) {
    Objects.requireNonNull(retention, "retention");
    if (retention.isNegative() || retention.isZero()) {
      throw new CheckpointArgumentException("a retention must be positive, got " + retention);
    }
    this.retention = retention;
    return this;
  }

  /**
   * @param lag how long after a request replication reaches it; zero (the default) or more
   * @return this builder
   * @throws CheckpointArgumentException if {@code lag} is negative
   */
  public SimulatedCheckpointServiceBuilder replicationLag(Duration lag) {
    ServiceCalls.checkLag(lag);
    this.replicationLag = lag;
    return this;
  }

  /**
   * @param observer told of every new checkpoint and the replication position it reflects
   * @return this builder
   */
  public SimulatedCheckpointServiceBuilder checkpointObserver(CheckpointObserver observer) {
    this.checkpointObserver = Objects.requireNonNull(observer, "observer");
    return this;
  }

  /** @return a new service with no records, streams or faults */
  public SimulatedCheckpointService build() {
    return new SimulatedCheckpointService(this);
  }
}
