package io.checkpoints.testkit.example;

import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.contract.CheckpointStoreContract;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;

// docs:contract-subclass
/**
 * The whole storage contract on the properties-file store, durability included: the store is
 * reopened on the same file. No difference is declared, and no fast path is offered.
 */
class PropertiesFileCheckpointStoreContractTest extends CheckpointStoreContract {

  @TempDir Path directory;

  private Path file() {
    return directory.resolve("checkpoints.properties");
  }

  @Override
  protected CheckpointStore newStore() {
    return PropertiesFileCheckpointStore.open(file());
  }

  @Override
  protected Optional<CheckpointStore> reopen() {
    return Optional.of(PropertiesFileCheckpointStore.open(file())); // the file newStore() opened
  }
}
// docs:end
