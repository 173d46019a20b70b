package io.checkpoints.adapter.sqlite;

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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every replay script of the corpus prints the same output on a fresh SQLite database file as on
 * the in-memory store (what {@code checkpoints replay --store sqlite} must print), and so the
 * expected output wherever the in-memory store prints it.
 */
class SqliteReplayCorpusTest {

  @TempDir Path directory;

  static Stream<ReplayCase> corpus() {
    return ReplayCorpus.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @DisplayName("the replay corpus prints the same on SQLite as in memory")
  void sameOutputAsInMemory(ReplayCase replay) {
    List<String> inMemory = run(InMemoryCheckpointStore.create(ClientId.of(ReplayCorpus.CLIENT_ID)), replay);
    List<String> onSqlite;
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve(replay.name() + ".db"),
        SqliteStoreOptions.defaults().withClientIdIfAbsent(ClientId.of(ReplayCorpus.CLIENT_ID)))) {
      onSqlite = run(store, replay);
    }
    assertThat(onSqlite).isEqualTo(inMemory);
    if (inMemory.equals(replay.expected())) {
      assertThat(onSqlite).isEqualTo(replay.expected());
    }
  }

  private static List<String> run(CheckpointStore store, ReplayCase replay) {
    List<String> output = new ArrayList<>();
    ReplayRunner.create().run(store, SyncClient.create(store), replay.script(), output::add);
    return output;
  }
}
