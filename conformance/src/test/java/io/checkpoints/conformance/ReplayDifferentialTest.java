package io.checkpoints.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.adapter.sqlite.SqliteStoreOptions;
import io.checkpoints.ports.ClientId;
import io.checkpoints.testkit.reference.ReferenceCore;
import io.checkpoints.testkit.replay.ReplayCase;
import io.checkpoints.testkit.replay.ReplayComparison;
import io.checkpoints.testkit.replay.ReplayCorpus;
import io.checkpoints.testkit.replay.ReplayDeviation;
import io.checkpoints.testkit.replay.ReplayRunner;
import java.io.StringReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every replay script of the corpus, run through the reference core's SQL functions and through
 * this library on SQLite, compared event by event. Where a script touches a deliberate deviation,
 * both sides are asserted: this library prints the script's expected output, and the reference
 * prints something else at exactly the listed events.
 */
class ReplayDifferentialTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path directory;

  static Stream<ReplayCase> corpus() {
    return Stream.concat(ReplayCorpus.all().stream(), ConformanceCorpus.cases().stream());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void referenceAndLibraryPrintTheSame(ReplayCase replay) throws Exception {
    List<String> reference = runOnReference(replay.script());
    List<String> ours = runOnSqlite(replay.script());

    assertThat(ReplayComparison.differences(replay.expected(), ours))
        .as("this library on SQLite prints the expected output of %s", replay.name())
        .isEmpty();
    if (replay.deviation().isEmpty()) {
      assertThat(ReplayComparison.differences(reference, ours))
          .as("the reference and this library differ on %s", replay.name())
          .isEmpty();
      return;
    }
    ReplayDeviation deviation = replay.deviation().get();
    for (int event = 1; event <= ours.size(); event++) {
      String referenceLine = reference.get(event - 1);
      String ourLine = ours.get(event - 1);
      if (deviation.events().contains(event)) {
        assertThat(ReplayComparison.sameOutput(referenceLine, ourLine))
            .as("deviation %d: event %d of %s must differ from the reference (%s)",
                deviation.number(), event, replay.name(), deviation.summary())
            .isFalse();
        String documented = deviation.referenceOutput().get(event);
        if (documented != null) {
          assertThat(ReplayComparison.sameOutput(documented, referenceLine))
              .as("the reference's output at event %d of %s: %s", event, replay.name(), referenceLine)
              .isTrue();
        }
      } else {
        assertThat(ReplayComparison.sameOutput(referenceLine, ourLine))
            .as("event %d of %s: reference %s, ours %s", event, replay.name(), referenceLine, ourLine)
            .isTrue();
      }
    }
  }

  private List<String> runOnReference(List<String> script) throws Exception {
    try (Connection connection = ReferenceCore.get().openInMemory()) {
      ReferenceCore.initialize(connection);
      ReferenceCore.inTransaction(connection,
          "INSERT OR REPLACE INTO ps_kv(key, value) VALUES('client_id', '" + ReplayCorpus.CLIENT_ID + "')");
      ReferenceReplay replay = new ReferenceReplay(connection);
      List<String> output = new ArrayList<>();
      for (String line : script) {
        if (!line.isBlank()) {
          output.add(JSON.writeValueAsString(replay.run(JSON.readTree(line))));
        }
      }
      return output;
    }
  }

  private List<String> runOnSqlite(List<String> script) {
    SqliteStoreOptions options = SqliteStoreOptions.defaults()
        .withClientIdIfAbsent(ClientId.of(ReplayCorpus.CLIENT_ID));
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(directory.resolve("ours.db"), options)) {
      List<String> output = new ArrayList<>();
      ReplayRunner.create().run(store, new StringReader(String.join("\n", script)), output::add);
      return output;
    }
  }

  static JsonNode parse(String line) throws Exception {
    return JSON.readTree(line);
  }
}
