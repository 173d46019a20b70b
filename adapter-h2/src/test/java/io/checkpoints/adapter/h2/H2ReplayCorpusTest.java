package io.checkpoints.adapter.h2;

import io.checkpoints.adapter.jdbc.testing.SqlReplayCorpusContract;
import io.checkpoints.adapter.jdbc.testing.SqlStores;
import io.checkpoints.testkit.replay.ReplayCase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The replay corpus on fresh H2 databases, in a file and in memory, as on the in-memory store. */
class H2ReplayCorpusTest extends SqlReplayCorpusContract {

  @Override
  protected SqlStores stores() {
    return H2Stores.INSTANCE;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @DisplayName("the replay corpus prints the same on an in-memory H2 database as in memory")
  void sameOutputInMemory(ReplayCase replay) {
    try (H2CheckpointStore store = H2CheckpointStore.openInMemory(
        H2StoreOptions.defaults().withClientIdIfAbsent(CLIENT_ID))) {
      assertSameAsInMemory(replay, store);
    }
  }
}
