package io.checkpoints.adapter.inmemory;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.Scheduler;
import java.time.Duration;
import java.util.Objects;

/**
 * Runs a compaction every interval of scheduler time until cancelled. Thread-safe: its own
 * monitor guards the next run and the cancelled flag.
 */
final class PeriodicCompaction {
  private final Scheduler scheduler;
  private final Duration interval;
  private final Runnable compaction;
  // Guarded by this.
  private Scheduler.Cancellable next;
  private boolean cancelled;

  /**
   * @return a handle that stops the compaction
   * @throws CheckpointArgumentException if {@code interval} is not positive
   */
  static Scheduler.Cancellable start(Scheduler scheduler, Duration interval, Runnable compaction) {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new CheckpointArgumentException("a compaction interval must be positive, got " + interval);
    }
    PeriodicCompaction periodic = new PeriodicCompaction(scheduler, interval, compaction);
    periodic.scheduleNext();
    return periodic::cancel;
  }

  private PeriodicCompaction(Scheduler scheduler, Duration interval, Runnable compaction) {
    this.scheduler = scheduler;
    this.interval = interval;
    this.compaction = compaction;
  }

  synchronized void scheduleNext() {
    if (!cancelled) {
      next = scheduler.schedule(interval, this::run);
    }
  }

  private void run() {
    synchronized (this) {
      if (cancelled) {
        return;
      }
    }
    compaction.run();
    scheduleNext();
  }

  synchronized void cancel() {
    cancelled = true;
    if (next != null) {
      next.cancel();
    }
  }
}
