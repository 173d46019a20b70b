package io.checkpoints.benchmarks;

import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.LocalWrite;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Benchmark 2: one local write that arms the gate, in a transaction of its own. Ours by SQL: an
 * insert into ps_crud on a connection a store joined (our TEMP trigger arms the gate). Ours by the
 * Java API: {@code barrier().recordLocalWrite}. Reference: an insert through {@code powersync_crud}.
 * Floor (issue 16): the ps_tx transaction id, the ps_crud insert and the two ps_kv statements, by
 * hand; {@code floorWithoutTransactionId} leaves out the ps_tx id, as our SQL write does.
 *
 * <p>The gate stays armed between operations (nothing acknowledges the writes), so our writes find
 * it armed and skip the arming statements, while the reference and the floor run them every time.
 * The {@code ...Arming} pair opens the gate before every operation (target 3, last seen 3, in a
 * transaction of its own, not timed), so that our write has to arm it too.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LocalWriteBenchmark {

  private static final String DATA = "{\"op\":\"PUT\",\"id\":\"id1\",\"type\":\"items\",\"data\":{}}";
  private static final String OPEN_GATE = "INSERT OR REPLACE INTO ps_kv(key, value) VALUES"
      + " ('target_checkpoint_request_id', 3), ('last_seen_checkpoint_request_id', 3)";

  private Path directory;
  private Connection oursSql;
  private SqliteCheckpointStore oursSqlStore;
  private PreparedStatement oursBegin;
  private PreparedStatement oursInsert;
  private PreparedStatement oursCommit;
  private SqliteCheckpointStore apiStore;
  private SyncClient apiClient;
  private LocalWrite write;
  private Connection apiConnection;
  private Connection reference;
  private PreparedStatement referenceBegin;
  private PreparedStatement referenceInsert;
  private PreparedStatement referenceCommit;
  private Connection floor;
  private PreparedStatement floorBegin;
  private PreparedStatement floorInsert;
  private PreparedStatement floorTarget;
  private PreparedStatement floorDelete;
  private PreparedStatement floorCommit;
  private PreparedStatement floorTransactionId;

  @Setup
  public void setUp() throws SQLException {
    directory = Databases.newDirectory();

    oursSql = Databases.plain(directory.resolve("ours-sql.db"));
    oursSqlStore = SqliteCheckpointStore.join(oursSql);
    oursBegin = oursSql.prepareStatement("BEGIN IMMEDIATE");
    oursInsert = oursSql.prepareStatement("INSERT INTO ps_crud(data, tx_id) VALUES (?, 1)");
    oursCommit = oursSql.prepareStatement("COMMIT");

    apiStore = SqliteCheckpointStore.open(directory.resolve("ours-api.db"));
    apiClient = SyncClient.create(apiStore);
    write = LocalWrite.put("items", "id1", "{}");
    apiConnection = apiStore.inTransaction(tx -> tx.unwrap(Connection.class).orElseThrow());

    reference = Databases.reference(directory.resolve("reference.db"));
    referenceBegin = reference.prepareStatement("BEGIN IMMEDIATE");
    referenceInsert = reference.prepareStatement(
        "INSERT INTO powersync_crud(op, id, type, data) VALUES ('PUT', 'id1', 'items', '{}')");
    referenceCommit = reference.prepareStatement("COMMIT");

    floor = Databases.floor(directory.resolve("floor.db"));
    floorBegin = floor.prepareStatement("BEGIN IMMEDIATE");
    floorInsert = floor.prepareStatement("INSERT INTO ps_crud(data, tx_id) VALUES (?, 1)");
    floorTarget = floor.prepareStatement(
        "INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('target_checkpoint_request_id', 9223372036854775807)");
    floorDelete = floor.prepareStatement(
        "DELETE FROM ps_kv WHERE key IN ('last_seen_checkpoint_request_id', 'last_applied_checkpoint_request_id')");
    floorCommit = floor.prepareStatement("COMMIT");
    floorTransactionId = floor.prepareStatement("UPDATE ps_tx SET next_tx = next_tx + 1 WHERE id = 1 RETURNING next_tx - 1");
  }

  @TearDown
  public void tearDown() throws Exception {
    Databases.closeAndDelete(directory, oursSqlStore, oursSql, apiStore, reference, floor);
  }

  @Benchmark
  public int oursSql() throws SQLException {
    oursBegin.execute();
    oursInsert.setString(1, DATA);
    int rows = oursInsert.executeUpdate();
    oursCommit.execute();
    return rows;
  }

  @Benchmark
  public long oursApi() {
    return apiClient.barrier().recordLocalWrite(write);
  }

  @Benchmark
  public int reference() throws SQLException {
    referenceBegin.execute();
    int rows = referenceInsert.executeUpdate();
    referenceCommit.execute();
    return rows;
  }

  /** The floor: the ps_tx id, the ps_crud insert and the arming, by hand. */
  @Benchmark
  public int floor() throws SQLException {
    floorBegin.execute();
    Object txId = Databases.value(floorTransactionId);
    floorInsert.setString(1, DATA);
    int rows = floorInsert.executeUpdate();
    rows += floorTarget.executeUpdate();
    rows += floorDelete.executeUpdate();
    floorCommit.execute();
    return rows + (txId == null ? 0 : 1);
  }

  /**
   * The floor without the ps_tx id (the floor of earlier rounds): what our SQL write, which leaves
   * {@code tx_id} to the caller, compares with.
   */
  @Benchmark
  public int floorWithoutTransactionId() throws SQLException {
    floorBegin.execute();
    floorInsert.setString(1, DATA);
    int rows = floorInsert.executeUpdate();
    rows += floorTarget.executeUpdate();
    rows += floorDelete.executeUpdate();
    floorCommit.execute();
    return rows;
  }

  /** Our API write where every operation finds the gate open and arms it. */
  @Benchmark
  public long oursApiArming(OpenedGate gate) {
    return oursApi();
  }

  /** The floor with the same untimed opening of the gate before every operation. */
  @Benchmark
  public int floorArming(OpenedGate gate) throws SQLException {
    return floor();
  }

  /**
   * Opens the gate of the running benchmark's database before every operation, in a transaction
   * of its own. Used by one benchmark thread, as JMH runs it.
   */
  @State(Scope.Thread)
  public static class OpenedGate {
    /**
     * @param benchmark the benchmark's state, with its databases
     * @param params which benchmark runs
     * @throws SQLException if the gate cannot be opened
     */
    @Setup(Level.Invocation)
    public void open(LocalWriteBenchmark benchmark, BenchmarkParams params) throws SQLException {
      if (params.getBenchmark().endsWith(".oursApiArming")) {
        benchmark.apiStore.inTransaction(tx -> {
          try {
            Databases.execute(benchmark.apiConnection, OPEN_GATE);
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
          return null;
        });
      } else {
        Databases.execute(benchmark.floor, OPEN_GATE);
      }
    }
  }
}
