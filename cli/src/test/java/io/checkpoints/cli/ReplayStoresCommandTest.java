package io.checkpoints.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code checkpoints replay --store sqlite|h2 --db FILE}: the state lives in the file, a missing
 * file is created, and the options that go with a file are checked as usage errors.
 */
class ReplayStoresCommandTest {

  @TempDir Path folder;

  private Path script(String name, String... lines) throws IOException {
    Path file = folder.resolve(name);
    Files.write(file, List.of(lines));
    return file;
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2"})
  @DisplayName("a missing file is created, and a second run on it goes on from the state the first left")
  void stateLivesInTheFile(String store) throws IOException {
    Path db = folder.resolve("state.db");
    Path first = script("first.jsonl", "{\"start\": {\"checkpoint_mode\": \"requests\"}}", "{\"seed\": 41}",
        "{\"next\": null}", "{\"local_write\": \"a\"}");
    Path second = script("second.jsonl", "{\"current\": null}", "{\"start\": {\"checkpoint_mode\": \"requests\"}}",
        "{\"state\": null}");

    CliHarness one = new CliHarness();
    assertThat(one.execute("replay", "--store", store, "--db", db.toString(), first.toString())).isZero();
    assertThat(one.outLines()).containsExactly(
        "{\"ok\": {\"checkpoint_request\": {\"client_id\": \"test-client\", \"checkpoint_request_id\": \"1\"}}}",
        "{\"ok\": 41}", "{\"ok\": 42}", "{\"ok\": null}");
    assertThat(one.errText()).isEmpty();
    assertThat(Files.isRegularFile(store.equals("h2") ? folder.resolve("state.db.mv.db") : db)).isTrue();

    CliHarness two = new CliHarness();
    assertThat(two.execute("replay", "--store", store, "--db", db.toString(), "--client-id", "other",
        second.toString())).isZero();
    assertThat(two.outLines()).as("the file keeps its client id and state").containsExactly(
        "{\"ok\": 42}",
        "{\"ok\": {\"checkpoint_request\": {\"client_id\": \"test-client\", \"checkpoint_request_id\": \"42\"}}}",
        "{\"ok\": {\"target\": 9223372036854775807, \"last_requested\": 42, \"last_seen\": null,"
            + " \"last_applied\": null, \"upload_queue\": 1}}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2"})
  @DisplayName("--store sqlite and h2 need --db")
  void fileStoresNeedADatabase(String store) throws IOException {
    CliHarness again = new CliHarness();
    assertThat(again.execute("replay", "--store", store, script("s.jsonl").toString())).isEqualTo(2);
    assertThat(again.errText().lines()).singleElement().asString()
        .isEqualTo("checkpoints replay: --store " + store + " needs --db FILE (see 'checkpoints replay --help')");
    assertThat(again.outLines()).isEmpty();
  }

  @Test
  @DisplayName("--db with --store memory is a usage error: nothing would be kept in it")
  void memoryTakesNoDatabase() throws IOException {
    CliHarness cli = new CliHarness();
    assertThat(cli.execute("replay", "--db", folder.resolve("x.db").toString(), script("s.jsonl").toString()))
        .isEqualTo(2);
    assertThat(cli.errText()).startsWith("checkpoints replay: --db is for --store sqlite or h2");
    assertThat(Files.exists(folder.resolve("x.db"))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2"})
  @DisplayName("a --db that is a directory, or in a directory that does not exist, is a usage error")
  void unusableDatabasePaths(String store) throws IOException {
    Path script = script("s.jsonl", "{\"current\": null}");
    CliHarness directory = new CliHarness();
    assertThat(directory.execute("replay", "--store", store, "--db", folder.toString(), script.toString()))
        .isEqualTo(2);
    assertThat(directory.errText().lines()).singleElement().asString()
        .isEqualTo("checkpoints replay: " + folder + " is a directory, not a database file"
            + " (see 'checkpoints replay --help')");

    CliHarness missing = new CliHarness();
    assertThat(missing.execute("replay", "--store", store, "--db", folder.resolve("no/such/x.db").toString(),
        script.toString())).isEqualTo(2);
    assertThat(missing.errText().lines()).singleElement().asString()
        .startsWith("checkpoints replay: the directory of ")
        .contains("does not exist");
    assertThat(missing.outLines()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2"})
  @DisplayName("a file that is not a database of that kind fails with one line and status 1")
  void notADatabase(String store) throws IOException {
    Path notADatabase = folder.resolve(store.equals("h2") ? "junk.mv.db" : "junk.db");
    Files.writeString(notADatabase, "this is not a database, but long enough to look like a file".repeat(100));
    byte[] before = Files.readAllBytes(notADatabase);
    CliHarness cli = new CliHarness();
    assertThat(cli.execute("replay", "--store", store, "--db", notADatabase.toString(),
        script("s.jsonl", "{\"current\": null}").toString())).isEqualTo(1);
    assertThat(cli.errText().lines()).singleElement().asString()
        .startsWith("checkpoints replay: cannot open the " + store + " database " + notADatabase + ": ");
    assertThat(cli.errText()).doesNotContain("\tat ");
    assertThat(cli.outLines()).isEmpty();
    assertThat(Files.readAllBytes(notADatabase)).as("a refused file is left as it was").isEqualTo(before);

    CliHarness verbose = new CliHarness();
    verbose.execute("replay", "--verbose", "--store", store, "--db", notADatabase.toString(),
        script("s.jsonl", "{\"current\": null}").toString());
    assertThat(verbose.errText()).contains("\tat ");
  }
}
