package io.checkpoints.testkit.support;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * A scheduler in virtual time: time stands still until {@link #advance} moves it, and then the
 * tasks that fell due run on the calling thread in order of due time (ties in scheduling order).
 *
 * <p>Thread-safe. Tasks run outside the scheduler's lock, so a task may schedule further tasks;
 * those that fall due within the same advance run in that advance too.
 */
public final class ManualScheduler implements Scheduler {

  private final Instant wallTimeAtZero;
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private long nowNanos;
  private long scheduledCount;

  private ManualScheduler(Instant wallTimeAtZero) {
    this.wallTimeAtZero = wallTimeAtZero;
  }

  /**
   * @param wallTimeAtZero the wall-clock time at virtual time zero
   * @return a scheduler at virtual time zero
   */
  public static ManualScheduler startingAt(Instant wallTimeAtZero) {
    return new ManualScheduler(Objects.requireNonNull(wallTimeAtZero, "wallTimeAtZero"));
  }

  /** @return a scheduler at virtual time zero, whose wall clock starts at the epoch */
  public static ManualScheduler create() {
    return startingAt(Instant.EPOCH);
  }

  @Override
  public synchronized long nanoTime() {
    return nowNanos;
  }

  @Override
  public synchronized Instant wallTime() {
    return wallTimeAtZero.plusNanos(nowNanos);
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    Objects.requireNonNull(task, "task");
    if (delay.isNegative()) {
      throw new CheckpointArgumentException("delay must not be negative, got " + delay);
    }
    Task scheduled = new Task(Math.addExact(nowNanos, delay.toNanos()), scheduledCount++, task);
    tasks.add(scheduled);
    return () -> {
      synchronized (ManualScheduler.this) {
        tasks.remove(scheduled);
      }
    };
  }

  /**
   * Moves virtual time forward by {@code duration}, running every task that falls due, each at its
   * own due time.
   *
   * @param duration how far to move; zero or more
   * @throws CheckpointArgumentException if {@code duration} is negative
   */
  public void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new CheckpointArgumentException("cannot move time backwards by " + duration);
    }
    long until;
    synchronized (this) {
      until = Math.addExact(nowNanos, duration.toNanos());
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.dueNanos > until) {
          nowNanos = until;
          return;
        }
        tasks.poll();
        nowNanos = next.dueNanos;
      }
      next.action.run();
    }
  }

  /** @return the number of tasks waiting to run */
  public synchronized int pendingTasks() {
    return tasks.size();
  }

  /** @return the due times of waiting tasks, as delays from now, soonest first */
  public synchronized List<Duration> pendingDelays() {
    List<Duration> delays = new ArrayList<>();
    tasks.stream().sorted().forEach(t -> delays.add(Duration.ofNanos(t.dueNanos - nowNanos)));
    return delays;
  }

  private record Task(long dueNanos, long order, Runnable action) implements Comparable<Task> {
    @Override
    public int compareTo(Task other) {
      int byTime = Long.compare(dueNanos, other.dueNanos);
      return byTime != 0 ? byTime : Long.compare(order, other.order);
    }
  }
}
