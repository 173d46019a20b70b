package io.checkpoints.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.replay.ReplayResult;
import io.checkpoints.testkit.replay.ReplayRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fuzz: 10,000 generated replay events per store (in memory, SQLite file), with generated payloads
 * of every JSON type, generated sync lines and malformed event lines, through {@link ReplayRunner}.
 * A {@code state} event follows every event, so each error can be checked to have changed no
 * persistent state. Every exception is a {@link CheckpointException}; no script hangs.
 * {@code -Dcheckpoints.fuzz.seed=N} replays a reported failure.
 */
class ReplayFuzzTest {

  static final int SCRIPTS = 500;
  static final int EVENTS_PER_SCRIPT = 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"inmemory", "sqlite"})
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void everyGeneratedEventGivesAResultOrATypedErrorThatChangesNothing(String storeKind) throws Exception {
    long seed = Long.getLong("checkpoints.fuzz.seed", 0x5EED_F022L);
    SplittableRandom random = new SplittableRandom(seed);
    List<RuntimeException> untyped = new ArrayList<>();
    ReplayRunner runner = ReplayRunner.create().withErrorObserver(e -> {
      if (!(e instanceof CheckpointException)) {
        untyped.add(e);
      }
    });
    int events = 0;
    int errors = 0;
    int scriptErrors = 0;
    // One SQLite file for all scripts (opening 500 files costs more than the events): each script
    // starts with a hard clear, which leaves the state of a fresh database.
    SqliteCheckpointStore sqlite = storeKind.equals("sqlite")
        ? SqliteCheckpointStore.open(directory.resolve("replay.db"))
        : null;
    for (int s = 0; s < SCRIPTS; s++) {
      List<String> script = new ArrayList<>();
      script.add(sqlite != null ? "{\"clear\": 0}" : "{\"state\": null}");
      script.add("{\"state\": null}");
      for (int e = 0; e < EVENTS_PER_SCRIPT; e++) {
        script.add(event(random));
        script.add("{\"state\": null}");
      }
      List<String> output = new ArrayList<>();
      CheckpointStore store = sqlite != null ? sqlite : InMemoryCheckpointStore.create();
      ReplayResult result = runner.run(store, io.checkpoints.domain.SyncClient.create(store), script, output::add);
      assertThat(untyped).as("script %d of seed %d: untyped exceptions", s, seed).isEmpty();
      assertThat(output).hasSize(script.size());
      scriptErrors += result.scriptErrors().size();
      assertThat(output.get(0)).doesNotContain("error");
      for (int i = 2; i < script.size(); i += 2) {
        events++;
        JsonNode printed = JSON.readTree(output.get(i));
        if (printed.has("error")) {
          errors++;
          assertThat(printed.path("error").path("kind").asText())
              .isIn("argument", "state", "protocol", "storage", "script");
          assertThat(output.get(i + 1))
              .as("script %d of seed %d, event %s failed with %s and changed the state",
                  s, seed, script.get(i), output.get(i))
              .isEqualTo(output.get(i - 1));
        }
      }
    }
    if (sqlite != null) {
      sqlite.close();
    }
    System.out.printf("fuzz replay (%s): seed %d, %d events in %d scripts: %d errors (%d malformed event lines), "
        + "none changed the state%n", storeKind, seed, events, SCRIPTS, errors, scriptErrors);
    assertThat(events).isGreaterThanOrEqualTo(10_000);
  }

  private static final List<String> VALUES = List.of("null", "0", "1", "-1", "5", "\"5\"", "\"+5\"", "\"007\"",
      "5.0", "1e3", "9223372036854775807", "\"9223372036854775807\"", "9223372036854775808",
      "\"9223372036854775808\"", "\"abc\"", "\"\"", "true", "[]", "{}", "\"-0\"", "123456789012345678901234567890");

  private static String value(SplittableRandom random) {
    return random.nextInt(3) == 0
        ? Long.toString(random.nextLong(1, 50))
        : VALUES.get(random.nextInt(VALUES.size()));
  }

  private static String event(SplittableRandom random) {
    return switch (random.nextInt(16)) {
      case 0 -> "{\"start\": " + List.of("{\"checkpoint_mode\": \"requests\"}", "{\"checkpoint_mode\": \"legacy\"}",
          "null", "{\"checkpoint_mode\": null}", "{\"checkpoint_mode\": \"x\"}", "{}").get(random.nextInt(6)) + "}";
      case 1 -> "{\"seed\": " + value(random) + "}";
      case 2, 3 -> "{\"next\": " + value(random) + "}";
      case 4 -> "{\"current\": null}";
      case 5 -> "{\"target\": " + value(random) + "}";
      case 6 -> "{\"local_write\": " + (random.nextBoolean() ? "\"row-" + random.nextInt(10) + "\"" : value(random)) + "}";
      case 7 -> "{\"upload_done\": null}";
      case 8, 9, 10 -> "{\"line\": " + line(random) + "}";
      case 11 -> "{\"completed_upload\": null}";
      case 12 -> "{\"stop\": null}";
      case 13 -> "{\"clear\": " + List.of("0", "1", "2", "3", "-1", "\"x\"", "null").get(random.nextInt(7)) + "}";
      case 14 -> "{\"status\": null}";
      default -> List.of("{\"unknown\": 1}", "not json", "[]", "{\"next\": null, \"seed\": 1}", "{\"seed\":",
          "{}", "{\"line\": 5}").get(random.nextInt(7));
    };
  }

  private static String line(SplittableRandom random) {
    String op = "\"" + random.nextInt(1, 100) + "\"";
    String wc = random.nextInt(4) == 0 ? value(random) : "\"" + random.nextLong(1, 50) + "\"";
    return switch (random.nextInt(7)) {
      case 0, 1 -> "{\"checkpoint\": {\"last_op_id\": " + op + ", \"write_checkpoint\": " + wc + ", \"buckets\": []}}";
      case 2 -> "{\"checkpoint_diff\": {\"last_op_id\": " + op + ", \"write_checkpoint\": " + wc
          + ", \"updated_buckets\": [], \"removed_buckets\": []}}";
      case 3 -> "{\"checkpoint_complete\": {\"last_op_id\": " + op + "}}";
      case 4 -> "{\"partial_checkpoint_complete\": {\"last_op_id\": " + op + ", \"priority\": " + random.nextInt(-1, 4) + "}}";
      case 5 -> "{\"token_expires_in\": " + random.nextInt(-1, 3) + "}";
      default -> "{\"" + List.of("checkpoint", "checkpoint_complete", "data", "x").get(random.nextInt(4)) + "\": "
          + value(random) + "}";
    };
  }
}
