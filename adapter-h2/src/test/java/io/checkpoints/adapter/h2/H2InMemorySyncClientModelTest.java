package io.checkpoints.adapter.h2;

import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.model.SyncClientModelContract;
import org.junit.jupiter.api.AfterEach;

/**
 * The model-based test of the domain on {@link H2CheckpointStore}: each of 300 action lists on a
 * fresh private in-memory database.
 */
class H2InMemorySyncClientModelTest extends SyncClientModelContract {

  private H2CheckpointStore current;

  @Override
  protected CheckpointStore newStore() {
    // The runner asks for one store per action list and never closes them: close the previous one.
    closeCurrent();
    current = H2CheckpointStore.openInMemory();
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
