package io.checkpoints.benchmarks;

import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.LocalWrite;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
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
 * Benchmark 7 (issue 16, item 3): 1,000 local writes in one transaction; one operation is the
 * whole transaction. Ours by SQL: {@code BEGIN IMMEDIATE}, one {@code ps_tx} id, 1,000 inserts into
 * ps_crud on a connection a store joined (the TEMP trigger arms the gate), {@code COMMIT}. Ours by
 * the Java API: {@code barrier().recordLocalWrites} of 1,000 writes. Ours nested: the same writes
 * as 1,000 {@code recordLocalWrite} calls inside one store transaction of the host's (each nests
 * in a savepoint). Reference: 1,000 inserts through {@code powersync_crud} in {@code BEGIN
 * IMMEDIATE ... COMMIT}. Floor: the 1,000 ps_crud inserts, one ps_tx update and one arming, by
 * hand.
 *
 * <p>Before every operation the gate of the benchmark's database is opened (target 3, last seen 3,
 * in a transaction of its own, not timed), so that every operation has to arm it once, as the
 * floor does; without that, our trigger would find the gate armed by the previous operation and
 * arm nothing. The queues are emptied before every iteration.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BulkWriteBenchmark {

  private static final int WRITES = 1000;
  private static final String DATA = "{\"op\":\"PUT\",\"id\":\"id1\",\"type\":\"items\",\"data\":{}}";
  private static final String TRANSACTION_ID =
      "UPDATE ps_tx SET next_tx = next_tx + 1 WHERE id = 1 RETURNING next_tx - 1";
  private static final String OPEN_GATE = "INSERT OR REPLACE INTO ps_kv(key, value) VALUES"
      + " ('target_checkpoint_request_id', 3), ('last_seen_checkpoint_request_id', 3)";

  private Path directory;
  private Connection oursSql;
  private SqliteCheckpointStore oursSqlStore;
  private Statements oursStatements;
  private SqliteCheckpointStore apiStore;
  private SyncClient apiClient;
  private Connection apiConnection;
  private List<LocalWrite> writes;
  private Connection reference;
  private PreparedStatement referenceBegin;
  private PreparedStatement referenceInsert;
  private PreparedStatement referenceCommit;
  private Connection floor;
  private Statements floorStatements;
  private PreparedStatement floorTarget;
  private PreparedStatement floorDelete;

  /** Transaction control, the ps_tx id and the ps_crud insert on one plain connection. */
  private static final class Statements {
    final PreparedStatement begin;
    final PreparedStatement transactionId;
    final PreparedStatement insert;
    final PreparedStatement commit;

    Statements(Connection connection) throws SQLException {
      begin = connection.prepareStatement("BEGIN IMMEDIATE");
      transactionId = connection.prepareStatement(TRANSACTION_ID);
      insert = connection.prepareStatement("INSERT INTO ps_crud(data, tx_id) VALUES (?, ?)");
      commit = connection.prepareStatement("COMMIT");
    }

    /** Begins, takes a ps_tx id and inserts the writes; the caller commits. */
    int beginAndInsert() throws SQLException {
      begin.execute();
      Object txId = Databases.value(transactionId);
      int rows = 0;
      for (int i = 0; i < WRITES; i++) {
        insert.setString(1, DATA);
        insert.setObject(2, txId);
        rows += insert.executeUpdate();
      }
      return rows;
    }
  }

  @Setup
  public void setUp() throws SQLException {
    directory = Databases.newDirectory();

    oursSql = Databases.plain(directory.resolve("ours-sql.db"));
    oursSqlStore = SqliteCheckpointStore.join(oursSql);
    oursStatements = new Statements(oursSql);

    apiStore = SqliteCheckpointStore.open(directory.resolve("ours-api.db"));
    apiClient = SyncClient.create(apiStore);
    apiConnection = apiStore.inTransaction(tx -> tx.unwrap(Connection.class).orElseThrow());
    writes = new ArrayList<>(WRITES);
    for (int i = 0; i < WRITES; i++) {
      writes.add(LocalWrite.put("items", "id1", "{}"));
    }

    floor = Databases.floor(directory.resolve("floor.db"));
    reference = Databases.reference(directory.resolve("reference.db"));
    referenceBegin = reference.prepareStatement("BEGIN IMMEDIATE");
    referenceInsert = reference.prepareStatement(
        "INSERT INTO powersync_crud(op, id, type, data) VALUES ('PUT', 'id1', 'items', '{}')");
    referenceCommit = reference.prepareStatement("COMMIT");

    floorStatements = new Statements(floor);
    floorTarget = floor.prepareStatement(
        "INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('target_checkpoint_request_id', 9223372036854775807)");
    floorDelete = floor.prepareStatement(
        "DELETE FROM ps_kv WHERE key IN ('last_seen_checkpoint_request_id', 'last_applied_checkpoint_request_id')");
    Databases.execute(oursSql, "INSERT OR IGNORE INTO ps_tx(id, current_tx, next_tx) VALUES (1, NULL, 1)");
  }

  /** Empties the queues, so that the tables do not grow over the run. */
  @Setup(Level.Iteration)
  public void emptyQueues() throws SQLException {
    Databases.execute(oursSql, "DELETE FROM ps_crud");
    apiStore.inTransaction(tx -> {
      tx.uploadQueue().removeThrough(tx.uploadQueue().lastSequence());
      return null;
    });
    Databases.execute(reference, "DELETE FROM ps_crud");
    Databases.execute(reference, "DELETE FROM ps_updated_rows");
    Databases.execute(floor, "DELETE FROM ps_crud");
  }

  /** Opens the gate of the running benchmark's database, so that its operation must arm it. */
  @Setup(Level.Invocation)
  public void openGate(BenchmarkParams params) throws SQLException {
    String benchmark = params.getBenchmark();
    if (benchmark.endsWith(".oursSql")) {
      Databases.execute(oursSql, OPEN_GATE);
    } else if (benchmark.endsWith(".oursApi") || benchmark.endsWith(".oursApiNested")) {
      apiStore.inTransaction(tx -> {
        try {
          Databases.execute(apiConnection, OPEN_GATE);
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
        return null;
      });
    } else if (benchmark.endsWith(".reference")) {
      Databases.execute(reference, OPEN_GATE);
    } else {
      Databases.execute(floor, OPEN_GATE);
    }
  }

  @TearDown
  public void tearDown() throws Exception {
    Databases.closeAndDelete(directory, oursSqlStore, oursSql, apiStore, reference, floor);
  }

  @Benchmark
  public int oursSql() throws SQLException {
    int rows = oursStatements.beginAndInsert();
    oursStatements.commit.execute();
    return rows;
  }

  @Benchmark
  public List<Long> oursApi() {
    return apiClient.barrier().recordLocalWrites(writes);
  }

  @Benchmark
  public long oursApiNested() {
    return apiStore.inTransaction(tx -> {
      long last = 0;
      for (LocalWrite write : writes) {
        last = apiClient.barrier().recordLocalWrite(write);
      }
      return last;
    });
  }

  @Benchmark
  public int reference() throws SQLException {
    referenceBegin.execute();
    int rows = 0;
    for (int i = 0; i < WRITES; i++) {
      rows += referenceInsert.executeUpdate();
    }
    referenceCommit.execute();
    return rows;
  }

  @Benchmark
  public int floor() throws SQLException {
    int rows = floorStatements.beginAndInsert();
    rows += floorTarget.executeUpdate();
    rows += floorDelete.executeUpdate();
    floorStatements.commit.execute();
    return rows;
  }
}
