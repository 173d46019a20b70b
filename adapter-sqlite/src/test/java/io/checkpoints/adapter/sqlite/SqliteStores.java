package io.checkpoints.adapter.sqlite;

import io.checkpoints.adapter.jdbc.testing.SqlStores;
import io.checkpoints.ports.ClientId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/** The SQLite adapter for the shared SQL store tests. Stateless and thread-safe. */
final class SqliteStores implements SqlStores {

  static final SqliteStores INSTANCE = new SqliteStores();

  private SqliteStores() {}

  @Override
  public SqliteCheckpointStore open(Path file, String... insertOnlyTables) {
    return SqliteCheckpointStore.open(file, SqliteStoreOptions.defaults().withInsertOnlyTables(insertOnlyTables));
  }

  @Override
  public SqliteCheckpointStore open(Path file, ClientId clientIdIfAbsent) {
    return SqliteCheckpointStore.open(file, SqliteStoreOptions.defaults().withClientIdIfAbsent(clientIdIfAbsent));
  }

  @Override
  public Connection connect(Path file) {
    return SqliteConnections.open(file, SqliteStoreOptions.defaults());
  }

  @Override
  public SqliteCheckpointStore join(Connection connection, String... insertOnlyTables) {
    return SqliteCheckpointStore.join(connection,
        SqliteStoreOptions.defaults().withInsertOnlyTables(insertOnlyTables));
  }

  /** {@code BEGIN IMMEDIATE}, as the store's documentation asks of a caller's transaction. */
  @Override
  public void begin(Connection connection) throws SQLException {
    Sql.execute(connection, "BEGIN IMMEDIATE");
  }

  @Override
  public void commit(Connection connection) throws SQLException {
    Sql.execute(connection, "COMMIT");
  }

  @Override
  public String stored(Connection connection, String key) throws SQLException {
    return Sql.stored(connection, key);
  }

  @Override
  public String integer(long value) {
    return value + " (integer)";
  }

  @Override
  public String text(String value) {
    return "'" + value.replace("'", "''") + "' (text)";
  }
}
