package io.checkpoints.adapter.jdbc.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.adapter.jdbc.JdbcBackedStore;
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
 * Every replay script of the corpus prints the same output on a fresh database file of a SQL store
 * as on the in-memory store (what {@code checkpoints replay --store ...} must print), and so the
 * expected output wherever the in-memory store prints it. A subclass names the adapter and may
 * replay on other kinds of its databases with {@link #assertSameAsInMemory}.
 */
public abstract class SqlReplayCorpusContract {

  /** The client id the corpus's expected outputs were written with. */
  protected static final ClientId CLIENT_ID = ClientId.of(ReplayCorpus.CLIENT_ID);

  @TempDir protected Path directory;

  /** @return the adapter under test */
  protected abstract SqlStores stores();

  protected static Stream<ReplayCase> corpus() {
    return ReplayCorpus.all().stream();
  }

  @Test
  @DisplayName("the corpus is not empty")
  void corpusIsNotEmpty() {
    assertThat(ReplayCorpus.all()).hasSizeGreaterThan(10);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @DisplayName("the replay corpus prints the same on a database file as in memory")
  void sameOutputOnAFile(ReplayCase replay) {
    try (JdbcBackedStore store = stores().open(directory.resolve(replay.name() + ".db"), CLIENT_ID)) {
      assertSameAsInMemory(replay, store);
    }
  }

  /** Replays on the store and on a fresh in-memory store: the same output, the expected one where that is. */
  protected static void assertSameAsInMemory(ReplayCase replay, CheckpointStore store) {
    List<String> onStore = run(store, replay);
    List<String> inMemory = run(InMemoryCheckpointStore.create(CLIENT_ID), replay);
    assertThat(onStore).isEqualTo(inMemory);
    if (inMemory.equals(replay.expected())) {
      assertThat(onStore).isEqualTo(replay.expected());
    }
  }

  private static List<String> run(CheckpointStore store, ReplayCase replay) {
    List<String> output = new ArrayList<>();
    ReplayRunner.create().run(store, SyncClient.create(store), replay.script(), output::add);
    return output;
  }
}
