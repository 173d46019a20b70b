package io.checkpoints.benchmarks;

import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.adapter.sqlite.SqliteControlFunctions;
import io.checkpoints.adapter.sqlite.SqliteStoreOptions;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
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
 * Benchmark 7: the checkpoint SQL functions on a warm JVM, each call in its own
 * {@code BEGIN IMMEDIATE ... COMMIT} through prepared statements, on a file database (WAL,
 * synchronous=NORMAL). Ours: {@link SqliteControlFunctions} on a sqlite-jdbc connection a
 * {@link SqliteCheckpointStore} joined, as {@code checkpoints sql} sets it up. Reference: the
 * reference core's {@code powersync_control} on a connection of the same kind. Both sides run the
 * same statement text and return the same values (checked once in the setup). {@code call}
 * chooses the statement: {@code next} ({@code next_checkpoint_request_id}), {@code seed} (seeds
 * 42), {@code targetSet} (sets the target to 7, returning the previous one) or {@code targetRead}
 * (reads it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SqlFunctionBenchmark {

  static final String NEXT = "SELECT powersync_control('next_checkpoint_request_id', NULL)";
  /** Seeds 42 every time: the same work on every call, and the same result (42). */
  static final String SEED = "SELECT powersync_control('seed_checkpoint_request_id', 42)";
  /** Sets the target to 7 and returns the previous target (7 from the second call on). */
  static final String TARGET_SET = "SELECT powersync_control('target_checkpoint_request_id', 7)";
  /** Reads the target (7). */
  static final String TARGET_READ = "SELECT powersync_control('target_checkpoint_request_id', NULL)";

  /** Which call: {@code next}, {@code seed}, {@code targetSet} or {@code targetRead}. */
  @Param({"next", "seed", "targetSet", "targetRead"})
  public String call;

  private Path directory;
  private SqliteCheckpointStore store;
  private SyncClient client;
  private Side ours;
  private Side reference;

  /** One connection with its kept statements. */
  private static final class Side {
    final Connection connection;
    final PreparedStatement begin;
    final PreparedStatement commit;
    final PreparedStatement next;
    final PreparedStatement seed;
    final PreparedStatement targetSet;
    final PreparedStatement targetRead;

    Side(Connection connection) throws SQLException {
      this.connection = connection;
      begin = connection.prepareStatement("BEGIN IMMEDIATE");
      commit = connection.prepareStatement("COMMIT");
      next = connection.prepareStatement(NEXT);
      seed = connection.prepareStatement(SEED);
      targetSet = connection.prepareStatement(TARGET_SET);
      targetRead = connection.prepareStatement(TARGET_READ);
    }

    PreparedStatement statement(String call) {
      switch (call) {
        case "next":
          return next;
        case "seed":
          return seed;
        case "targetSet":
          return targetSet;
        case "targetRead":
          return targetRead;
        default:
          throw new IllegalArgumentException("unknown call " + call);
      }
    }

    Object call(PreparedStatement statement) throws SQLException {
      begin.execute();
      Object value = Databases.value(statement);
      commit.execute();
      return value;
    }

    /** Seeds, checks that each call returns what the reference returns, and seeds again. */
    void check() throws SQLException {
      expect(SEED, call(seed), 42L);
      expect(NEXT, call(next), 43L);
      call(targetSet);
      expect(TARGET_SET, call(targetSet), 7L);
      expect(TARGET_READ, call(targetRead), 7L);
      expect(SEED, call(seed), 42L);
    }

    private static void expect(String sql, Object actual, long expected) {
      long value = actual instanceof Number number ? number.longValue() : -1;
      if (!(actual instanceof Number) || value != expected) {
        throw new IllegalStateException(sql + " returned " + actual + ", expected " + expected);
      }
    }
  }

  @Setup
  public void setUp() throws SQLException {
    directory = Databases.newDirectory();

    // As `checkpoints sql` does: a connection opened here, joined by the store, functions on it.
    Connection connection = Databases.plain(directory.resolve("ours.db"));
    store = SqliteCheckpointStore.join(connection, SqliteStoreOptions.defaults());
    client = SyncClient.create(store);
    Objects.requireNonNull(client.start(CheckpointMode.REQUESTS).orElseThrow());
    SqliteControlFunctions.register(connection, client.control());
    ours = new Side(connection);
    ours.check();

    Connection core = Databases.reference(directory.resolve("reference.db"));
    Databases.execute(core, "BEGIN IMMEDIATE");
    Databases.execute(core, "SELECT powersync_control('start', '{\"checkpoint_mode\":\"requests\"}')");
    Databases.execute(core, "COMMIT");
    reference = new Side(core);
    reference.check();
  }

  @TearDown
  public void tearDown() throws SQLException {
    client.stop();
    store.close();
    ours.connection.close();
    reference.connection.close();
    Databases.delete(directory);
  }

  @Benchmark
  public Object ours() throws SQLException {
    return ours.call(ours.statement(call));
  }

  @Benchmark
  public Object reference() throws SQLException {
    return reference.call(reference.statement(call));
  }
}
