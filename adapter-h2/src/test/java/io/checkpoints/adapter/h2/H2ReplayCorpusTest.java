package io.checkpoints.adapter.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.ClientId;
import io.checkpoints.testkit.replay.ReplayCase;
import io.checkpoints.testkit.replay.ReplayCorpus;
import io.checkpoints.testkit.replay.ReplayRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every replay script of the corpus prints the same output on a fresh H2 database, in a file and in
 * memory, as on the in-memory store (what {@code checkpoints replay --store h2} must print), and so
 * the expected output wherever the in-memory store prints it.
 */
class H2ReplayCorpusTest {

  private static final H2StoreOptions OPTIONS =
      H2StoreOptions.defaults().withClientIdIfAbsent(ClientId.of(ReplayCorpus.CLIENT_ID));

  @TempDir Path directory;

  static Stream<ReplayCase> corpus() {
    return ReplayCorpus.all().stream();
  }

  @Test
  @DisplayName("the corpus is not empty")
  void corpusIsNotEmpty() {
    assertThat(ReplayCorpus.all()).hasSizeGreaterThan(10);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @DisplayName("the replay corpus prints the same on an H2 file as in memory")
  void sameOutputOnAFile(ReplayCase replay) {
    List<String> onH2;
    try (H2CheckpointStore store = H2CheckpointStore.open(directory.resolve(replay.name()), OPTIONS)) {
      onH2 = run(store, replay);
    }
    assertSameAsInMemory(replay, onH2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @DisplayName("the replay corpus prints the same on an in-memory H2 database as in memory")
  void sameOutputInMemory(ReplayCase replay) {
    List<String> onH2;
    try (H2CheckpointStore store = H2CheckpointStore.openInMemory(OPTIONS)) {
      onH2 = run(store, replay);
    }
    assertSameAsInMemory(replay, onH2);
  }

  private static void assertSameAsInMemory(ReplayCase replay, List<String> onH2) {
    List<String> inMemory = run(InMemoryCheckpointStore.create(ClientId.of(ReplayCorpus.CLIENT_ID)), replay);
    assertThat(onH2).isEqualTo(inMemory);
    if (inMemory.equals(replay.expected())) {
      assertThat(onH2).isEqualTo(replay.expected());
    }
  }

  private static List<String> run(CheckpointStore store, ReplayCase replay) {
    List<String> output = new ArrayList<>();
    ReplayRunner.create().run(store, SyncClient.create(store), replay.script(), output::add);
    return output;
  }
}
