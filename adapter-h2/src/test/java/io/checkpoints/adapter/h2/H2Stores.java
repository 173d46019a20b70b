package io.checkpoints.adapter.h2;

import io.checkpoints.adapter.jdbc.testing.SqlStores;
import io.checkpoints.ports.ClientId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/** The H2 adapter, on database files, for the shared SQL store tests. Stateless and thread-safe. */
final class H2Stores implements SqlStores {

  static final H2Stores INSTANCE = new H2Stores();

  private H2Stores() {}

  @Override
  public H2CheckpointStore open(Path file, String... insertOnlyTables) {
    return H2CheckpointStore.open(file, H2StoreOptions.defaults().withInsertOnlyTables(insertOnlyTables));
  }

  @Override
  public H2CheckpointStore open(Path file, ClientId clientIdIfAbsent) {
    return H2CheckpointStore.open(file, H2StoreOptions.defaults().withClientIdIfAbsent(clientIdIfAbsent));
  }

  @Override
  public Connection connect(Path file) {
    return H2Connections.open(file, H2StoreOptions.defaults());
  }

  @Override
  public H2CheckpointStore join(Connection connection, String... insertOnlyTables) {
    return H2CheckpointStore.join(connection, H2StoreOptions.defaults().withInsertOnlyTables(insertOnlyTables));
  }

  /** Auto-commit off: the store joins the caller's transaction in a savepoint. */
  @Override
  public void begin(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
  }

  @Override
  public void commit(Connection connection) throws SQLException {
    connection.commit();
    connection.setAutoCommit(true);
  }

  @Override
  public String stored(Connection connection, String key) throws SQLException {
    return Sql.stored(connection, key);
  }

  /** H2 keeps {@code ps_kv} values as JSON text. */
  @Override
  public String integer(long value) {
    return Long.toString(value);
  }

  @Override
  public String text(String value) {
    return "\"" + value + "\"";
  }
}
