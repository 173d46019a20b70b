package io.checkpoints.benchmarks;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.LocalWrite;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Benchmarks 5 and 6: domain operations per second on one thread, per store. The operations: {@code
 * next()} (a write transaction), {@code target()} (a read transaction), and a mix of 1 local write,
 * 1 next and 2 target reads (4 operations per invocation).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DomainOpsBenchmark {

  @Param({"inmemory", "sqlite", "h2"})
  public String store;

  private Path directory;
  private CheckpointStore checkpointStore;
  private SyncClient client;
  private LocalWrite write;

  @Setup
  public void setUp() throws Exception {
    switch (store) {
      case "inmemory" -> checkpointStore = InMemoryCheckpointStore.create();
      case "sqlite" -> {
        directory = Databases.newDirectory();
        checkpointStore = SqliteCheckpointStore.open(directory.resolve("ops.db"));
      }
      case "h2" -> {
        directory = Databases.newDirectory();
        checkpointStore = H2Stores.open(directory.resolve("ops"));
      }
      default -> throw new IllegalArgumentException(store);
    }
    client = SyncClient.create(checkpointStore);
    CheckpointRequestId initial = client.start(CheckpointMode.REQUESTS).orElseThrow().id();
    client.sequence().seed(initial);
    write = LocalWrite.put("items", "id1", "{}");
  }

  @TearDown
  public void tearDown() throws Exception {
    client.stop();
    checkpointStore.close();
    Databases.delete(directory);
  }

  @Benchmark
  public CheckpointRequestId next() {
    return client.sequence().next();
  }

  @Benchmark
  public Optional<CheckpointRequestId> target() {
    return client.barrier().target();
  }

  @Benchmark
  @org.openjdk.jmh.annotations.OperationsPerInvocation(4)
  public Object mix() {
    client.barrier().recordLocalWrite(write);
    client.sequence().next();
    client.barrier().target();
    return client.barrier().target();
  }
}
