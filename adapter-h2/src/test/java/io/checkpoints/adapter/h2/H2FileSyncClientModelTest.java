package io.checkpoints.adapter.h2;

import io.checkpoints.adapter.jdbc.JdbcBackedStore;
import io.checkpoints.adapter.jdbc.testing.SqlSyncClientModelContract;
import java.nio.file.Path;

/**
 * The model-based test of the domain on {@link H2CheckpointStore}: each of 300 action lists on a
 * fresh embedded database file.
 */
class H2FileSyncClientModelTest extends SqlSyncClientModelContract {

  @Override
  protected JdbcBackedStore openFresh(Path directory, int index) {
    return H2CheckpointStore.open(directory.resolve("model-" + index));
  }
}
