package io.checkpoints.adapter.jdbc.testing;

import io.checkpoints.adapter.jdbc.JdbcBackedStore;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.model.SyncClientModelContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model-based test of the domain on a SQL store: each of 300 action lists on a fresh database,
 * which the subclass opens. The runner asks for one store per action list and never closes them,
 * so this closes the previous one (and the last one after the test).
 */
public abstract class SqlSyncClientModelContract extends SyncClientModelContract {

  @TempDir protected Path directory;

  private JdbcBackedStore current;
  private int opened;

  /**
   * @param directory a temporary directory for database files
   * @param index 0 for the first store of the test, then 1, 2...: a fresh database each
   * @return a store on a fresh database
   */
  protected abstract JdbcBackedStore openFresh(Path directory, int index);

  @Override
  protected final CheckpointStore newStore() {
    closeCurrent();
    current = openFresh(directory, opened++);
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
