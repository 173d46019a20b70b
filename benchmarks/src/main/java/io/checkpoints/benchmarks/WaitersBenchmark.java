package io.checkpoints.benchmarks;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.WriteCheckpoint;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Benchmark 4: 100,000 outstanding {@code awaitApplied} waiters (distinct ids 1..100,000) resolved
 * by one applied checkpoint with write_checkpoint 100,000. The measured time runs from the
 * checkpoint_complete line to the last waiter completed (they complete inside handleLine). The
 * retained bytes per waiter are measured by {@link #main}: a GC-based heap delta.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class WaitersBenchmark {

  static final int WAITERS = 100_000;

  private SyncClient client;
  private List<CompletableFuture<WriteCheckpoint>> waiters;

  @Setup(Level.Invocation)
  public void setUp() {
    client = SyncClient.create(InMemoryCheckpointStore.create());
    client.start(CheckpointMode.REQUESTS);
    waiters = register(client);
    client.handleLine(new SyncLine.Checkpoint("1", Optional.of(WriteCheckpoint.of(WAITERS))));
    System.gc(); // the setup's garbage is not collected during the measured apply (as HandlesBenchmark)
  }

  static List<CompletableFuture<WriteCheckpoint>> register(SyncClient client) {
    List<CompletableFuture<WriteCheckpoint>> list = new ArrayList<>(WAITERS);
    for (int i = 1; i <= WAITERS; i++) {
      list.add(client.status().awaitApplied(CheckpointRequestId.of(i)));
    }
    return list;
  }

  @Benchmark
  public int resolveAll() {
    client.handleLine(new SyncLine.CheckpointComplete("1"));
    CompletableFuture<WriteCheckpoint> last = waiters.get(WAITERS - 1);
    if (!last.isDone() || client.status().waiterCount() != 0) {
      throw new IllegalStateException("waiters left");
    }
    return waiters.size();
  }

  /**
   * Retained bytes per waiter: used heap after a full GC with 100,000 waiters registered, minus the
   * same without, divided by 100,000; the futures' list itself (about 4-8 bytes per entry) is
   * subtracted by keeping it alive in both measurements.
   */
  public static void main(String[] args) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int round = 0; round < 3; round++) {
      SyncClient client = SyncClient.create(InMemoryCheckpointStore.create());
      client.start(CheckpointMode.REQUESTS);
      List<CompletableFuture<WriteCheckpoint>> holder = new ArrayList<>(WAITERS);
      for (int i = 0; i < WAITERS; i++) {
        holder.add(null);
      }
      long before = used(memory);
      List<CompletableFuture<WriteCheckpoint>> registered = register(client);
      for (int i = 0; i < WAITERS; i++) {
        holder.set(i, registered.get(i));
      }
      registered = null;
      long after = used(memory);
      System.out.printf("waiters: %d registered, %d waiting; retained %.1f bytes per waiter (heap delta after full GC)%n",
          WAITERS, client.status().waiterCount(), (after - before) / (double) WAITERS);
      holder.clear();
    }
  }

  static long used(MemoryMXBean memory) {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
