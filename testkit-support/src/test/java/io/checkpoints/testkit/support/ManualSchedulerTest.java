package io.checkpoints.testkit.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Virtual time: nothing runs until {@code advance}, then what fell due, in due order. */
class ManualSchedulerTest {

  private final ManualScheduler clock = ManualScheduler.startingAt(Instant.parse("2026-01-01T00:00:00Z"));
  private final List<String> ran = new ArrayList<>();

  @Test
  void tasksRunOnlyWhenTimeReachesThemInDueOrderTiesInSchedulingOrder() {
    clock.schedule(Duration.ofSeconds(2), () -> ran.add("b at " + clock.nanoTime()));
    clock.schedule(Duration.ofSeconds(1), () -> ran.add("a at " + clock.nanoTime()));
    clock.schedule(Duration.ofSeconds(2), () -> ran.add("c at " + clock.nanoTime()));
    assertThat(clock.pendingDelays()).containsExactly(
        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2));

    clock.advance(Duration.ofMillis(999));
    assertThat(ran).isEmpty();
    clock.advance(Duration.ofSeconds(5));
    assertThat(ran).containsExactly("a at 1000000000", "b at 2000000000", "c at 2000000000");
    assertThat(clock.nanoTime()).isEqualTo(5_999_000_000L);
    assertThat(clock.wallTime()).isEqualTo(Instant.parse("2026-01-01T00:00:05.999Z"));
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void aTaskScheduledByATaskRunsInTheSameAdvanceIfItFallsDueThere() {
    clock.schedule(Duration.ofSeconds(1), () -> {
      ran.add("first");
      clock.schedule(Duration.ofSeconds(1), () -> ran.add("second"));
      clock.schedule(Duration.ofSeconds(10), () -> ran.add("later"));
    });
    clock.advance(Duration.ofSeconds(3));
    assertThat(ran).containsExactly("first", "second");
    assertThat(clock.pendingDelays()).containsExactly(Duration.ofSeconds(8));
  }

  @Test
  void aCancelledTaskNeverRuns() {
    Scheduler.Cancellable cancellable = clock.schedule(Duration.ofSeconds(1), () -> ran.add("x"));
    cancellable.cancel();
    clock.advance(Duration.ofSeconds(2));
    assertThat(ran).isEmpty();
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void negativeDurationsAreRefusedAndChangeNothing() {
    clock.schedule(Duration.ofSeconds(1), () -> ran.add("x"));
    assertThatThrownBy(() -> clock.schedule(Duration.ofSeconds(-1), () -> ran.add("y")))
        .isInstanceOf(CheckpointArgumentException.class).hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> clock.advance(Duration.ofNanos(-1)))
        .isInstanceOf(CheckpointArgumentException.class).hasMessageContaining("backwards");
    assertThat(clock.nanoTime()).isZero();
    assertThat(clock.pendingDelays()).containsExactly(Duration.ofSeconds(1));
    assertThat(ran).isEmpty();
  }
}
