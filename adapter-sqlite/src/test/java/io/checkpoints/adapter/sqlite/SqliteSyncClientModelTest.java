package io.checkpoints.adapter.sqlite;

import io.checkpoints.adapter.jdbc.JdbcBackedStore;
import io.checkpoints.adapter.jdbc.testing.SqlSyncClientModelContract;
import java.nio.file.Path;

/**
 * The model-based test of the domain on {@link SqliteCheckpointStore}: each action list on a fresh
 * temporary database file.
 */
class SqliteSyncClientModelTest extends SqlSyncClientModelContract {

  @Override
  protected JdbcBackedStore openFresh(Path directory, int index) {
    return SqliteCheckpointStore.open(directory.resolve("model-" + index + ".db"));
  }
}
