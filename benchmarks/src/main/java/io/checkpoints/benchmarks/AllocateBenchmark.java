package io.checkpoints.benchmarks;

import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Benchmark 1: allocate one checkpoint request id in a transaction of its own, on a file database
 * (WAL, synchronous=NORMAL). Ours: {@code sequence().next()} on an owned SQLite store. Reference:
 * {@code BEGIN IMMEDIATE; powersync_control('next_checkpoint_request_id', NULL); COMMIT}. Floor: the
 * same transaction around one {@code INSERT ... ON CONFLICT DO UPDATE ... RETURNING} on ps_kv.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AllocateBenchmark {

  private Path directory;
  private SqliteCheckpointStore store;
  private SyncClient client;
  private Connection reference;
  private PreparedStatement referenceBegin;
  private PreparedStatement referenceNext;
  private PreparedStatement referenceCommit;
  private Connection floor;
  private PreparedStatement floorBegin;
  private PreparedStatement floorNext;
  private PreparedStatement floorCommit;

  @Setup
  public void setUp() throws SQLException {
    directory = Databases.newDirectory();

    store = SqliteCheckpointStore.open(directory.resolve("ours.db"));
    client = SyncClient.create(store);
    CheckpointRequestId initial = client.start(CheckpointMode.REQUESTS).orElseThrow().id();
    client.sequence().seed(initial);

    reference = Databases.reference(directory.resolve("reference.db"));
    Databases.execute(reference, "BEGIN IMMEDIATE");
    Databases.execute(reference, "SELECT powersync_control('start', '{\"checkpoint_mode\":\"requests\"}')");
    Databases.execute(reference, "SELECT powersync_control('seed_checkpoint_request_id', 1)");
    Databases.execute(reference, "COMMIT");
    referenceBegin = reference.prepareStatement("BEGIN IMMEDIATE");
    referenceNext = reference.prepareStatement("SELECT powersync_control('next_checkpoint_request_id', NULL)");
    referenceCommit = reference.prepareStatement("COMMIT");

    floor = Databases.plain(directory.resolve("floor.db"));
    Databases.execute(floor, "CREATE TABLE IF NOT EXISTS ps_kv(key TEXT PRIMARY KEY NOT NULL, value BLOB)");
    floorBegin = floor.prepareStatement("BEGIN IMMEDIATE");
    floorNext = floor.prepareStatement("INSERT INTO ps_kv(key, value) VALUES ('last_requested_checkpoint_request_id', 1)"
        + " ON CONFLICT(key) DO UPDATE SET value = value + 1 RETURNING value");
    floorCommit = floor.prepareStatement("COMMIT");
  }

  @TearDown
  public void tearDown() throws SQLException {
    store.close();
    reference.close();
    floor.close();
    Databases.delete(directory);
  }

  @Benchmark
  public long ours() {
    return client.sequence().next().value();
  }

  @Benchmark
  public Object reference() throws SQLException {
    referenceBegin.execute();
    Object id = Databases.value(referenceNext);
    referenceCommit.execute();
    return id;
  }

  @Benchmark
  public Object floor() throws SQLException {
    floorBegin.execute();
    Object id = Databases.value(floorNext);
    floorCommit.execute();
    return id;
  }
}
