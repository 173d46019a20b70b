package io.checkpoints.adapter.inmemory;

import io.checkpoints.ports.Scheduler;
import java.time.Duration;

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

  PeriodicCompaction(Scheduler scheduler, Duration interval, Runnable compaction) {
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
