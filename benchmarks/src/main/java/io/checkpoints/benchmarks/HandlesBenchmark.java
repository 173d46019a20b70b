package io.checkpoints.benchmarks;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.adapter.inmemory.SimulatedCheckpointService;
import io.checkpoints.domain.CheckpointHandle;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.domain.SyncConnection;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.Credentials;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.support.ManualScheduler;
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
 * Open handles (issue 16, item 5): 100,000 open {@link CheckpointHandle}s, each obtained the way a
 * host gets one ({@link SyncConnection#requestCheckpoint()} over the in-process transport of the
 * simulated service, lag 0, virtual time) and each with the future of its
 * {@link CheckpointHandle#waitForSync()}, resolved by one applied checkpoint whose
 * {@code write_checkpoint} is the last accepted id. The measured single shot runs from the
 * {@code checkpoint_complete} line until every future is complete and no waiter is left; the
 * setup (fresh per invocation) builds the handles and handles the {@code checkpoint} line.
 * {@link #main} measures the retained bytes per handle: a GC-based heap delta.
 *
 * <p>Not thread-safe: JMH gives each benchmark thread its own instance ({@link Scope#Thread}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class HandlesBenchmark {

  static final int HANDLES = 100_000;

  private Host host;
  private List<CompletableFuture<WriteCheckpoint>> waits;

  /** A connected client and what a host holds for each request: the handle and its wait. */
  static final class Host {
    final SyncClient client;
    final SyncConnection connection;
    long lastId;

    Host() {
      ManualScheduler scheduler = ManualScheduler.create();
      SimulatedCheckpointService service = SimulatedCheckpointService.create(scheduler);
      client = SyncClient.builder(InMemoryCheckpointStore.create()).scheduler(scheduler).build();
      connection = SyncConnection.builder(client,
          service.transport(Credentials.fixed("alice"), token -> token)).build();
      connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId("alice")).join();
    }

    /** Requests {@code count} checkpoints; fills {@code handles} and {@code waits} (index i each). */
    void open(int count, List<CheckpointHandle> handles, List<CompletableFuture<WriteCheckpoint>> waits) {
      for (int i = 0; i < count; i++) {
        CheckpointHandle handle = connection.requestCheckpoint().join();
        handles.set(i, handle);
        waits.set(i, handle.waitForSync());
        lastId = handle.id().value();
      }
    }
  }

  static <T> List<T> nulls(int size) {
    List<T> list = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      list.add(null);
    }
    return list;
  }

  @Setup(Level.Invocation)
  public void setUp() {
    host = new Host();
    waits = nulls(HANDLES);
    host.open(HANDLES, nulls(HANDLES), waits);
    if (host.client.status().waiterCount() != HANDLES) {
      throw new IllegalStateException("expected " + HANDLES + " open handles, got "
          + host.client.status().waiterCount());
    }
    host.connection.handleLine(new SyncLine.Checkpoint("1", Optional.of(WriteCheckpoint.of(host.lastId))));
    // The setup leaves garbage behind (every request's futures); collected now, it is not
    // collected during the measured apply, whose time is what this benchmark is about.
    System.gc();
  }

  @Benchmark
  public int resolveAll() {
    host.connection.handleLine(new SyncLine.CheckpointComplete("1"));
    for (CompletableFuture<WriteCheckpoint> wait : waits) {
      if (!wait.isDone() || wait.isCompletedExceptionally()) {
        throw new IllegalStateException("a wait is not synced");
      }
    }
    if (host.client.status().waiterCount() != 0) {
      throw new IllegalStateException("waiters left: " + host.client.status().waiterCount());
    }
    return waits.size();
  }

  /**
   * Retained bytes per handle: used heap after repeated full GCs with 100,000 handles open (each
   * held with its wait's future), minus the same on the connected client before opening them,
   * divided by 100,000. The lists holding handles and futures exist before the first measurement,
   * so they are not counted. Three rounds, each on a fresh client.
   */
  public static void main(String[] args) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int round = 0; round < 3; round++) {
      Host host = new Host();
      List<CheckpointHandle> handles = nulls(HANDLES);
      List<CompletableFuture<WriteCheckpoint>> waits = nulls(HANDLES);
      long before = WaitersBenchmark.used(memory);
      host.open(HANDLES, handles, waits);
      long after = WaitersBenchmark.used(memory);
      System.out.printf("handles: %d open, %d waiting; retained %.1f bytes per handle (heap delta after full GC)%n",
          HANDLES, host.client.status().waiterCount(), (after - before) / (double) HANDLES);
      host.connection.handleLine(new SyncLine.Checkpoint("1", Optional.of(WriteCheckpoint.of(host.lastId))));
      host.connection.handleLine(new SyncLine.CheckpointComplete("1"));
      if (host.client.status().waiterCount() != 0 || !waits.get(HANDLES - 1).isDone()) {
        throw new IllegalStateException("the handles were not resolved");
      }
    }
  }
}
