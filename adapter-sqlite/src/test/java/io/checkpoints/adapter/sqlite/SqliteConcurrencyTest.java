package io.checkpoints.adapter.sqlite;

import io.checkpoints.adapter.jdbc.JdbcCheckpointStore;
import io.checkpoints.adapter.jdbc.testing.SqlConcurrencyContract;
import io.checkpoints.adapter.jdbc.testing.SqlStores;
import io.checkpoints.domain.SyncClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Concurrent allocation on one SQLite database file (the shared cases of
 * {@link SqlConcurrencyContract}), and stores that share no JVM lock, as in separate processes: no
 * SQLITE_BUSY reaches a caller.
 */
class SqliteConcurrencyTest extends SqlConcurrencyContract {

  @Override
  protected SqlStores stores() {
    return SqliteStores.INSTANCE;
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("4 clients whose stores share no JVM lock, as in separate processes: the busy timeout keeps them apart")
  void clientsWithoutAJvmLock() throws Exception {
    // Fewer ids: SQLite's busy handler polls with sleeps of 1 ms and more, which is slow by design.
    int perThread = 250;
    Path file = directory.resolve("unlocked.db");
    List<JdbcCheckpointStore> stores = new ArrayList<>();
    try {
      List<SyncClient> clients = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        Connection connection = SqliteConnections.open(file, SqliteStoreOptions.defaults());
        JdbcCheckpointStore store = JdbcCheckpointStore
            .builder(Jdbi.create(connection).open(), SqliteDialect.INSTANCE)
            .ownedBy(connection)
            .open();
        stores.add(store);
        clients.add(seededClient(store));
      }
      long started = System.nanoTime();
      List<List<Long>> ids = allocate(thread -> () -> clients.get(thread).sequence().next().value(), perThread);
      report("4 clients, no JVM lock (busy timeout only)", started, perThread);
      assertUniqueAndIncreasing(ids, perThread);
    } finally {
      stores.forEach(JdbcCheckpointStore::close);
    }
  }
}
