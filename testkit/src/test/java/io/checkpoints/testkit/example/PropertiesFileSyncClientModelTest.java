package io.checkpoints.testkit.example;

import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.model.SyncClientModelContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

// docs:model-subclass
/** The model-based engine on the properties-file store: a new file for every action list. */
class PropertiesFileSyncClientModelTest extends SyncClientModelContract {

  @TempDir Path directory;

  private int files;

  @Override
  protected CheckpointStore newStore() {
    return PropertiesFileCheckpointStore.open(directory.resolve("run-" + files++ + ".properties"));
  }

  @Override
  protected int defaultRuns() {
    return 50; // every commit rewrites a file: fewer lists than for the in-memory store
  }
}
// docs:end
