package io.checkpoints.adapter.sqlite;

import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.testkit.reference.ReferenceCore;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;

/**
 * The same SQL surface twice: the reference core's functions on its own database, and this
 * library's functions on a store joined to the connection, driven by a {@link SyncClient}.
 */
final class Surfaces {

  private Surfaces() {}

  /** One side: a connection with {@code powersync_control} and a way to start iterations. */
  interface Surface extends AutoCloseable {
    Connection connection();

    /** Starts an iteration in that mode, or ends the active one if {@code mode} is null. */
    void iteration(CheckpointMode mode) throws SQLException;

    @Override
    void close() throws SQLException;
  }

  /** The reference core on a new in-memory PowerSync database. */
  static Surface reference() throws SQLException {
    Connection connection = ReferenceCore.get().openInMemory();
    ReferenceCore.initialize(connection);
    return new Surface() {
      @Override
      public Connection connection() {
        return connection;
      }

      @Override
      public void iteration(CheckpointMode mode) throws SQLException {
        String payload = mode == null ? null
            : mode == CheckpointMode.LEGACY ? "NULL" : "'{\"checkpoint_mode\":\"requests\"}'";
        ReferenceCore.inTransaction(connection, payload == null
            ? "SELECT powersync_control('stop', NULL)"
            : "SELECT powersync_control('start', " + payload + ")");
      }

      @Override
      public void close() throws SQLException {
        connection.close();
      }
    };
  }

  /** This library on a new in-memory database, the functions bound to a sync client. */
  static Ours ours() throws SQLException {
    return new Ours(new SQLiteConfig().createConnection("jdbc:sqlite::memory:"));
  }

  /** This library's side, with access to its client and store. */
  static final class Ours implements Surface {
    final Connection connection;
    final SqliteCheckpointStore store;
    final SyncClient client;

    Ours(Connection connection) {
      this.connection = connection;
      this.store = SqliteCheckpointStore.join(connection);
      this.client = SyncClient.create(store);
      SqliteControlFunctions.register(connection, client.control());
    }

    @Override
    public Connection connection() {
      return connection;
    }

    @Override
    public void iteration(CheckpointMode mode) {
      if (mode == null) {
        client.stop();
      } else {
        client.start(mode);
      }
    }

    @Override
    public void close() throws SQLException {
      store.close();
      connection.close();
    }
  }
}
