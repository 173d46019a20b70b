package io.checkpoints.adapter.h2;

import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.contract.CheckpointStoreContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage contract for {@link H2CheckpointStore} on a fresh embedded database file. One
 * difference is declared, the same as the SQLite store's: nested work runs in a savepoint, so a
 * nested failure that the outer work catches leaves no change behind (docs/h2.md).
 */
class H2FileCheckpointStoreContractTest extends CheckpointStoreContract {

  @TempDir Path directory;

  private final List<H2CheckpointStore> opened = new ArrayList<>();

  @Override
  protected CheckpointStore newStore() {
    H2CheckpointStore store = H2CheckpointStore.open(directory.resolve("contract-" + opened.size()));
    opened.add(store);
    return store;
  }

  @Override
  protected Optional<CheckpointStore> reopen() {
    H2CheckpointStore store = H2CheckpointStore.open(directory.resolve("contract-" + (opened.size() - 1)));
    opened.add(store); // reopens the file of the one store newStore() opened
    return Optional.of(store);
  }

  @Override
  protected Differences differences() {
    return H2InMemoryCheckpointStoreContractTest.SAVEPOINT_DIFFERENCE;
  }

  @Override
  protected boolean armsGateInTheInsert() {
    return true;
  }

  @Override
  protected Optional<CallerConnection> newCallerConnection() {
    return H2InMemoryCheckpointStoreContractTest.callerConnection();
  }

  @AfterEach
  void closeStores() {
    opened.forEach(H2CheckpointStore::close);
  }
}
