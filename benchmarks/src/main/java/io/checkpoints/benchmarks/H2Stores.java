package io.checkpoints.benchmarks;

import io.checkpoints.ports.CheckpointStore;
import java.nio.file.Path;

/** The H2 store for benchmark 6, when the adapter-h2 module is available (see docs/performance.md). */
final class H2Stores {

  private H2Stores() {}

  static CheckpointStore open(Path file) {
    throw new UnsupportedOperationException("adapter-h2 is not part of the build yet");
  }
}
