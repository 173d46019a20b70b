package io.checkpoints.adapter.h2;

import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.model.SyncClientModelContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model-based test of the domain on {@link H2CheckpointStore}: each of 300 action lists on a
 * fresh embedded database file.
 */
class H2FileSyncClientModelTest extends SyncClientModelContract {

  @TempDir Path directory;

  private H2CheckpointStore current;
  private int files;

  @Override
  protected CheckpointStore newStore() {
    // The runner asks for one store per action list and never closes them: close the previous one.
    closeCurrent();
    current = H2CheckpointStore.open(directory.resolve("model-" + files++));
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
