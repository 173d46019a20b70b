package io.checkpoints.adapter.sqlite;

import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.model.SyncClientModelContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model-based test of the domain on {@link SqliteCheckpointStore}: each action list on a fresh
 * temporary database file.
 */
class SqliteSyncClientModelTest extends SyncClientModelContract {

  @TempDir Path directory;

  private SqliteCheckpointStore current;
  private int files;

  @Override
  protected CheckpointStore newStore() {
    // The runner asks for one store per action list and never closes them: close the previous one.
    closeCurrent();
    current = SqliteCheckpointStore.open(directory.resolve("model-" + files++ + ".db"));
    return current;
  }

  @Override
  protected int defaultRuns() {
    return 300;
  }

  @AfterEach
  void closeCurrent() {
    if (current != null) {
      current.close();
      current = null;
    }
  }
}
