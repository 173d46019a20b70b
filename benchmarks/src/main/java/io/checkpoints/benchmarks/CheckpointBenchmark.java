package io.checkpoints.benchmarks;

import io.checkpoints.adapter.http.SyncLineDecoder;
import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.domain.LineOutcome;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
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
 * Benchmark 3: one full checkpoint through the gate, from the JSON lines to the applied event, with
 * no buckets. Ours: decode both lines, {@code handleLine} each (gate + persistence on SQLite).
 * Reference: {@code powersync_control('line_text', ...)} for the checkpoint and the
 * checkpoint_complete line, each in its own transaction (as an SDK calls it per line).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CheckpointBenchmark {

  /** The checkpoint's write_checkpoint: none, or "1" (then both sides persist it as last seen/applied). */
  @Param({"null", "\"1\""})
  public String writeCheckpoint;

  private String checkpointLine;
  static final String COMPLETE = "{\"checkpoint_complete\":{\"last_op_id\":\"1\"}}";

  private Path directory;
  private SqliteCheckpointStore store;
  private SyncClient client;
  private SyncLineDecoder decoder;
  private Connection reference;
  private PreparedStatement begin;
  private PreparedStatement line;
  private PreparedStatement commit;

  @Setup
  public void setUp() throws SQLException {
    checkpointLine = "{\"checkpoint\":{\"last_op_id\":\"1\",\"write_checkpoint\":" + writeCheckpoint
        + ",\"buckets\":[]}}";
    directory = Databases.newDirectory();
    store = SqliteCheckpointStore.open(directory.resolve("ours.db"));
    client = SyncClient.create(store);
    client.start(CheckpointMode.REQUESTS);
    decoder = SyncLineDecoder.create();
    if (!(ours().get(0) instanceof LineOutcome.Applied)) {
      throw new IllegalStateException("our checkpoint was not applied");
    }

    reference = Databases.reference(directory.resolve("reference.db"));
    Databases.execute(reference, "BEGIN IMMEDIATE");
    Databases.execute(reference, "SELECT powersync_control('start', '{\"checkpoint_mode\":\"requests\"}')");
    Databases.execute(reference, "COMMIT");
    begin = reference.prepareStatement("BEGIN IMMEDIATE");
    line = reference.prepareStatement("SELECT powersync_control('line_text', ?)");
    commit = reference.prepareStatement("COMMIT");
    String instructions = reference();
    if (!instructions.contains("DidCompleteSync")) {
      throw new IllegalStateException("the reference did not complete: " + instructions);
    }
  }

  @TearDown
  public void tearDown() throws SQLException {
    client.stop();
    store.close();
    reference.close();
    Databases.delete(directory);
  }

  @Benchmark
  public List<LineOutcome> ours() {
    client.handleLine(decoder.decode(checkpointLine));
    return client.handleLine(decoder.decode(COMPLETE));
  }

  @Benchmark
  public String reference() throws SQLException {
    begin.execute();
    line.setString(1, checkpointLine);
    Databases.value(line);
    commit.execute();
    begin.execute();
    line.setString(1, COMPLETE);
    Object instructions = Databases.value(line);
    commit.execute();
    return (String) instructions;
  }
}
