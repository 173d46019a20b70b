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
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Benchmark 2: one local write that arms the gate, in a transaction of its own. Ours by SQL: an
 * insert into ps_crud on a connection a store joined (our TEMP trigger arms the gate). Ours by the
 * Java API: {@code barrier().recordLocalWrite}. Reference: an insert through {@code powersync_crud}.
 * Floor: the ps_crud insert plus the two ps_kv statements, by hand.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LocalWriteBenchmark {

  private static final String DATA = "{\"op\":\"PUT\",\"id\":\"id1\",\"type\":\"items\",\"data\":{}}";

  private Path directory;
  private Connection oursSql;
  private SqliteCheckpointStore oursSqlStore;
  private PreparedStatement oursBegin;
  private PreparedStatement oursInsert;
  private PreparedStatement oursCommit;
  private SqliteCheckpointStore apiStore;
  private SyncClient apiClient;
  private LocalWrite write;
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

    reference = Databases.reference(directory.resolve("reference.db"));
    referenceBegin = reference.prepareStatement("BEGIN IMMEDIATE");
    referenceInsert = reference.prepareStatement(
        "INSERT INTO powersync_crud(op, id, type, data) VALUES ('PUT', 'id1', 'items', '{}')");
    referenceCommit = reference.prepareStatement("COMMIT");

    floor = Databases.plain(directory.resolve("floor.db"));
    Databases.execute(floor, "CREATE TABLE IF NOT EXISTS ps_kv(key TEXT PRIMARY KEY NOT NULL, value BLOB)");
    Databases.execute(floor, "CREATE TABLE IF NOT EXISTS ps_crud (id INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT, tx_id INTEGER)");
    floorBegin = floor.prepareStatement("BEGIN IMMEDIATE");
    floorInsert = floor.prepareStatement("INSERT INTO ps_crud(data, tx_id) VALUES (?, 1)");
    floorTarget = floor.prepareStatement(
        "INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('target_checkpoint_request_id', 9223372036854775807)");
    floorDelete = floor.prepareStatement(
        "DELETE FROM ps_kv WHERE key IN ('last_seen_checkpoint_request_id', 'last_applied_checkpoint_request_id')");
    floorCommit = floor.prepareStatement("COMMIT");
    Databases.execute(floor, "CREATE TABLE IF NOT EXISTS ps_tx(id INTEGER PRIMARY KEY NOT NULL, current_tx INTEGER, next_tx INTEGER)");
    Databases.execute(floor, "INSERT OR IGNORE INTO ps_tx(id, current_tx, next_tx) VALUES (1, NULL, 1)");
    floorTransactionId = floor.prepareStatement("UPDATE ps_tx SET next_tx = next_tx + 1 WHERE id = 1 RETURNING next_tx - 1");
  }

  @TearDown
  public void tearDown() throws SQLException {
    oursSqlStore.close();
    oursSql.close();
    apiStore.close();
    reference.close();
    floor.close();
    Databases.delete(directory);
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

  /**
   * Not the floor: the floor plus taking a {@code ps_tx} transaction id, which a PowerSync
   * upload queue needs and which the reference and our API write both do (our SQL write leaves
   * {@code tx_id} to the caller).
   */
  @Benchmark
  public int floorWithTransactionId() throws SQLException {
    floorBegin.execute();
    Object txId = Databases.value(floorTransactionId);
    floorInsert.setString(1, DATA);
    int rows = floorInsert.executeUpdate();
    rows += floorTarget.executeUpdate();
    rows += floorDelete.executeUpdate();
    floorCommit.execute();
    return rows + (txId == null ? 0 : 1);
  }

  @Benchmark
  public int floor() throws SQLException {
    floorBegin.execute();
    floorInsert.setString(1, DATA);
    int rows = floorInsert.executeUpdate();
    rows += floorTarget.executeUpdate();
    rows += floorDelete.executeUpdate();
    floorCommit.execute();
    return rows;
  }
}
