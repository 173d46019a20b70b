package io.checkpoints.benchmarks;

import io.checkpoints.adapter.h2.H2CheckpointStore;
import io.checkpoints.ports.CheckpointStore;
import java.nio.file.Path;

/** The H2 store for benchmark 6: a file database (H2's defaults from {@code H2StoreOptions}). */
final class H2Stores {

  private H2Stores() {}

  static CheckpointStore open(Path file) {
    return H2CheckpointStore.open(file);
  }
}
