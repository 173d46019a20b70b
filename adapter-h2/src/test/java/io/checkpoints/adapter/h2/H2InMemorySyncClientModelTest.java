package io.checkpoints.adapter.h2;

import io.checkpoints.adapter.jdbc.JdbcBackedStore;
import io.checkpoints.adapter.jdbc.testing.SqlSyncClientModelContract;
import java.nio.file.Path;

/**
 * The model-based test of the domain on {@link H2CheckpointStore}: each of 300 action lists on a
 * fresh private in-memory database (the directory stays unused).
 */
class H2InMemorySyncClientModelTest extends SqlSyncClientModelContract {

  @Override
  protected JdbcBackedStore openFresh(Path directory, int index) {
    return H2CheckpointStore.openInMemory();
  }
}
