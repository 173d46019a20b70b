package io.checkpoints.ports;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Port: time and delayed tasks. Every timeout and retry of the library goes through it, so tests
 * run in virtual time with a manual implementation and no sleeps. Implementations must be
 * thread-safe.
 */
public interface Scheduler {

  /** @return monotonic time in nanoseconds, for measuring durations only */
  long nanoTime();

  /** @return the wall-clock time */
  Instant wallTime();

  /**
   * Runs {@code task} once after {@code delay}.
   *
   * @param delay how long to wait; zero or more
   * @param task the task; it must not block
   * @return a handle that cancels the task if it has not run yet
   * @throws CheckpointArgumentException if {@code delay} is negative
   */
  Cancellable schedule(Duration delay, Runnable task);

  /** A scheduled task that may be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not run yet; does nothing otherwise. */
    void cancel();
  }

  /**
   * @return the system scheduler: {@link System#nanoTime()}, the system clock, and one shared
   *     daemon thread for delayed tasks
   */
  static Scheduler system() {
    return SystemScheduler.INSTANCE;
  }
}

/** The real-time scheduler behind {@link Scheduler#system()}. */
final class SystemScheduler implements Scheduler {

  static final SystemScheduler INSTANCE = new SystemScheduler();

  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
      runnable -> {
        Thread thread = new Thread(runnable, "checkpoints-scheduler");
        thread.setDaemon(true);
        return thread;
      });

  private SystemScheduler() {}

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Instant wallTime() {
    return Instant.now();
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Objects.requireNonNull(task, "task");
    if (delay.isNegative()) {
      throw new CheckpointArgumentException("delay must not be negative, got " + delay);
    }
    var future = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }
}
