package io.checkpoints.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.http.CheckpointHttpServer;
import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.testkit.reference.ReferenceCore;
import io.checkpoints.testkit.support.FileSnapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sqlite.SQLiteConfig;
import picocli.CommandLine;

/**
 * Every command that takes a database file treats files the same way: a directory is the same
 * usage error; a file it refuses exits 1 with a line naming what was found and is left byte for
 * byte as it was, with no {@code -wal}, {@code -shm} or {@code -journal} file; and inspect, repair
 * and migrate work on what the library, the reference core and the SDKs make, and on files of this
 * library's earlier version. Also: suggestions for a mistyped command, durations printed as given.
 */
class DatabaseFileCommandsTest {

  @TempDir Path folder;

  /** The commands that take a database file; {@code DB} stands for it. */
  static Stream<Arguments> commands() {
    return Stream.of(
        Arguments.of("inspect", List.of("inspect", "DB")),
        Arguments.of("inspect --json", List.of("inspect", "--json", "DB")),
        Arguments.of("repair", List.of("repair", "DB", "--clear-stuck-target")),
        Arguments.of("migrate --to 14", List.of("migrate", "DB", "--to", "14")),
        Arguments.of("migrate --to 13", List.of("migrate", "DB", "--to", "13")),
        Arguments.of("sql", List.of("sql", "DB", "SELECT 1")),
        Arguments.of("replay --store sqlite", List.of("replay", "--store", "sqlite", "--db", "DB", "SCRIPT")),
        Arguments.of("demo --db", List.of("demo", "--db", "DB")));
  }

  /** The commands that open the file with the checkpoint store, which refuses more. */
  private static final List<String> STORE_COMMANDS = List.of("sql", "replay", "demo");

  private String[] args(List<String> template, Path db) throws IOException {
    Path script = folder.resolve("script.jsonl");
    if (!Files.exists(script)) {
      Files.writeString(script, "{\"current\": null}\n");
    }
    return template.stream()
        .map(arg -> arg.equals("DB") ? db.toString() : arg.equals("SCRIPT") ? script.toString() : arg)
        .toArray(String[]::new);
  }

  /** The file and its -wal, -shm and -journal files: equal snapshots mean nothing was touched. */
  private static FileSnapshot snapshot(Path file) throws IOException {
    return FileSnapshot.of(file, "-wal", "-shm", "-journal");
  }

  private Path sqlite(String name, String journalMode, String... statements) throws SQLException {
    Path file = folder.resolve(name);
    try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement()) {
      statement.executeQuery("PRAGMA journal_mode = " + journalMode).close();
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
    return file;
  }

  /** A file as the earlier version of this library made it (WAL), with more ps_kv rows. */
  private Path earlierLibraryFile(String name, String... kv) throws SQLException {
    return earlierLibraryFileIn("wal", name, kv);
  }

  private Path earlierLibraryFileIn(String journalMode, String name, String... kv) throws SQLException {
    List<String> statements = new ArrayList<>(List.of(
        "CREATE TABLE ps_kv(key TEXT PRIMARY KEY NOT NULL, value BLOB)",
        "CREATE TABLE ps_crud (id INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT, tx_id INTEGER)",
        "CREATE TABLE ps_tx(id INTEGER PRIMARY KEY NOT NULL, current_tx INTEGER, next_tx INTEGER)",
        "INSERT INTO ps_tx(id, current_tx, next_tx) VALUES (1, NULL, 1)",
        "CREATE TABLE checkpoint_user_sequence(\n  user_key TEXT PRIMARY KEY NOT NULL,\n"
            + "  last_request_id INTEGER NOT NULL\n) STRICT",
        "INSERT INTO ps_kv(key, value) VALUES ('client_id', 'earlier-client')"));
    statements.addAll(List.of(kv));
    return sqlite(name, journalMode, statements.toArray(String[]::new));
  }

  private static Object value(Path file, String query) throws SQLException {
    try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement();
        var rows = statement.executeQuery(query)) {
      return rows.next() ? rows.getObject(1) : null;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  @DisplayName("a directory is the same usage error (exit 2) from every command that takes a database file")
  void aDirectoryIsTheSameUsageError(String name, List<String> template) throws IOException {
    CliHarness cli = new CliHarness();
    assertThat(cli.execute(args(template, folder))).isEqualTo(2);
    String command = template.get(0);
    assertThat(cli.errText().lines()).singleElement().asString()
        .isEqualTo("checkpoints " + command + ": " + folder + " is a directory, not a database file"
            + " (see 'checkpoints " + command + " --help')");
    assertThat(cli.outLines()).isEmpty();
  }

  /** The files no command may use, each with what the refusal must name. */
  private List<Arguments> refusedFiles() throws Exception {
    Path text = folder.resolve("readme.db");
    Files.writeString(text, "plain text, not a database; long enough to fill a SQLite header.\n",
        StandardCharsets.UTF_8);
    return List.of(
        Arguments.of(sqlite("notes.db", "delete", "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)",
            "INSERT INTO notes(body) VALUES ('keep me')"), "the table notes and no ps_migration table"),
        Arguments.of(sqlite("notes-wal.db", "wal", "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)",
            "CREATE TABLE tags(note INTEGER, tag TEXT)"), "the tables notes, tags and no ps_migration table"),
        Arguments.of(sqlite("shape.db", "delete", "CREATE TABLE ps_kv(k TEXT, v TEXT)"),
            "table ps_kv has the columns (k,v), expected (key,value)"),
        Arguments.of(sqlite("shape14.db", "wal",
            "CREATE TABLE ps_migration(id INTEGER PRIMARY KEY, down_migrations TEXT)",
            "INSERT INTO ps_migration(id) VALUES (14)", "CREATE TABLE ps_kv(k TEXT, v TEXT)"),
            "table ps_kv has the columns (k,v), expected (key,value)"),
        Arguments.of(sqlite("future.db", "wal",
            "CREATE TABLE ps_migration(id INTEGER PRIMARY KEY, down_migrations TEXT)",
            "INSERT INTO ps_migration(id) VALUES (15)"), "schema version 15"),
        Arguments.of(text, "not a SQLite database"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  @DisplayName("every command refuses another application's database, a wrong shape, an unknown version, a text file: exit 1, one line naming what was found, the file untouched")
  void refusedFilesAreNeverChanged(String name, List<String> template) throws Exception {
    for (Arguments refused : refusedFiles()) {
      Path file = (Path) refused.get()[0];
      String named = (String) refused.get()[1];
      FileSnapshot before = snapshot(file);
      CliHarness cli = new CliHarness();
      assertThat(cli.execute(args(template, file))).as("%s on %s", name, file).isEqualTo(1);
      assertThat(cli.errText().lines()).as("%s on %s", name, file).singleElement().asString()
          .startsWith("checkpoints " + template.get(0) + ": ")
          .contains(file.toString())
          .contains(named)
          .doesNotContain("internal error");
      assertThat(snapshot(file)).as("%s on %s", name, file).isEqualTo(before);
      Files.delete(file);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sql", "replay --store sqlite", "demo --db"})
  @DisplayName("the store's commands refuse a file of the earlier version unchanged, naming it and pointing to checkpoints migrate")
  void storeCommandsRefuseAnEarlierFile(String name) throws Exception {
    List<String> template = commands().filter(a -> a.get()[0].equals(name))
        .map(a -> castList(a.get()[1])).findFirst().orElseThrow();
    // In the rollback journal, so that a switch to WAL would show in the header bytes.
    Path file = earlierLibraryFileIn("delete", "earlier.db");
    FileSnapshot before = snapshot(file);
    CliHarness cli = new CliHarness();
    assertThat(cli.execute(args(template, file))).isEqualTo(1);
    assertThat(STORE_COMMANDS).contains(template.get(0));
    assertThat(cli.errText().lines()).singleElement().asString()
        .contains("a file of an earlier version of this library")
        .contains("checkpoints migrate " + file + " --to 14");
    assertThat(snapshot(file)).isEqualTo(before);
  }

  @SuppressWarnings("unchecked")
  private static List<String> castList(Object list) {
    return (List<String>) list;
  }

  @Test
  @DisplayName("an earlier-version file: inspect names it (read-only), repair works on it, migrate upgrades it, then the store takes it")
  void earlierFileThroughInspectRepairAndMigrate() throws Exception {
    Path file = earlierLibraryFile("earlier.db",
        "INSERT INTO ps_kv(key, value) VALUES ('target_checkpoint_request_id', 5),"
            + " ('last_seen_checkpoint_request_id', 3), ('last_requested_checkpoint_request_id', 5)");
    FileSnapshot before = snapshot(file);
    CliHarness inspect = new CliHarness();
    assertThat(inspect.execute("inspect", "--json", file.toString())).isZero();
    assertThat(inspect.out.toString())
        .startsWith("{\"schema_version\": null, \"client_id\": \"earlier-client\", \"target_checkpoint_request_id\": 5")
        .contains("\"diagnosis\": {\"code\": \"earlier_library_version\"")
        .contains("checkpoints migrate DB --to 14");
    CliHarness text = new CliHarness();
    assertThat(text.execute("inspect", file.toString())).isZero();
    assertThat(text.out.toString()).contains("schema version:      none (a file of an earlier version of this library)");
    assertThat(snapshot(file)).as("inspect is read-only").isEqualTo(before);

    CliHarness repair = new CliHarness();
    assertThat(repair.execute("repair", file.toString(), "--clear-stuck-target")).isZero();
    assertThat(repair.outLines()).containsExactly(
        "cleared the stuck gate: deleted target_checkpoint_request_id 5 (last seen 3)");

    CliHarness migrate = new CliHarness();
    assertThat(migrate.execute("migrate", file.toString(), "--to", "14")).isZero();
    assertThat(migrate.outLines()).containsExactly("upgraded " + file + ", a file of an earlier version"
        + " of this library, to a PowerSync database at schema version 14");
    assertThat(value(file, "SELECT max(id) FROM ps_migration")).isEqualTo(14);

    CliHarness again = new CliHarness();
    assertThat(again.execute("inspect", "--json", file.toString())).isZero();
    assertThat(again.out.toString()).startsWith("{\"schema_version\": 14, \"client_id\": \"earlier-client\"")
        .contains("\"last_requested_checkpoint_request_id\": 5");
    CliHarness sql = new CliHarness();
    assertThat(sql.execute("sql", file.toString(),
        "SELECT value FROM ps_kv WHERE key = 'last_requested_checkpoint_request_id'")).isZero();
    assertThat(sql.outLines()).containsExactly("{\"ok\": 5}");
  }

  /** The databases inspect, repair and migrate must work on: the reference's, the SDK's, ours. */
  private List<Path> databasesOfEveryMaker() throws SQLException {
    Path v14 = folder.resolve("reference-14.db");
    try (Connection connection = ReferenceCore.get().open(v14)) {
      ReferenceCore.initialize(connection);
    }
    Path v13 = folder.resolve("reference-13.db");
    try (Connection connection = ReferenceCore.get().open(v13)) {
      ReferenceCore.initialize(connection);
      ReferenceCore.inTransaction(connection, "SELECT powersync_test_migration(13)");
    }
    // What an SDK makes: the app's schema on top (views, their triggers, ps_data__ tables).
    Path sdk = folder.resolve("sdk.db");
    try (Connection connection = ReferenceCore.get().open(sdk)) {
      ReferenceCore.initialize(connection);
      ReferenceCore.inTransaction(connection, "SELECT powersync_replace_schema('{\"tables\": [{\"name\":"
          + " \"todos\", \"columns\": [{\"name\": \"title\", \"type\": \"text\"}]}]}')");
    }
    Path ours = folder.resolve("ours.db");
    SqliteCheckpointStore.open(ours).close();
    return List.of(v14, v13, sdk, ours, earlierLibraryFile("earlier.db"));
  }

  @Test
  @DisplayName("inspect, repair and migrate work on the reference's v13 and v14 databases, one with an app schema as SDKs make it, our fresh file and an earlier-version file")
  void inspectRepairAndMigrateWorkOnEveryMakersDatabase() throws Exception {
    for (Path db : databasesOfEveryMaker()) {
      CliHarness inspect = new CliHarness();
      assertThat(inspect.execute("inspect", db.toString())).as("inspect %s", db).isZero();
      assertThat(inspect.errText()).isEmpty();
      CliHarness repair = new CliHarness();
      assertThat(repair.execute("repair", db.toString(), "--clear-stuck-target")).as("repair %s", db).isZero();
      assertThat(repair.outLines()).singleElement().asString().startsWith("nothing to clear");
      CliHarness migrate = new CliHarness();
      assertThat(migrate.execute("migrate", db.toString(), "--to", "14")).as("migrate %s", db).isZero();
      assertThat(value(db, "SELECT max(id) FROM ps_migration")).isEqualTo(14);
      CliHarness store = new CliHarness();
      assertThat(store.execute("sql", db.toString(), "SELECT count(*) FROM ps_crud")).as("sql %s", db).isZero();
    }
    assertThat(value(folder.resolve("sdk.db"), "SELECT count(*) FROM sqlite_master WHERE type = 'view'"))
        .as("the app's views are still there").isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"missing", "zero bytes"})
  @DisplayName("sql, replay and demo make a missing or empty file a PowerSync database at version 14")
  void newFilesBecomePowerSyncDatabases(String what) throws Exception {
    for (String command : STORE_COMMANDS) {
      Path db = folder.resolve(command + ".db");
      if (what.equals("zero bytes")) {
        Files.createFile(db);
      }
      List<String> template = commands().map(a -> castList(a.get()[1]))
          .filter(t -> t.get(0).equals(command)).findFirst().orElseThrow();
      CliHarness cli = new CliHarness();
      assertThat(cli.execute(args(template, db))).as(command).isZero();
      assertThat(value(db, "SELECT max(id) FROM ps_migration")).as(command).isEqualTo(14);
      assertThat(value(db, "SELECT count(*) FROM sqlite_master WHERE name = 'checkpoint_user_sequence'"))
          .as(command).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("a mistyped command gets a suggestion; so does a mistyped option")
  void didYouMean() {
    CliHarness command = new CliHarness();
    assertThat(command.execute("inspet")).isEqualTo(2);
    assertThat(command.errText().lines()).singleElement().asString()
        .isEqualTo("checkpoints: Unmatched argument at index 0: 'inspet'; did you mean 'inspect'?"
            + " (see 'checkpoints --help')");

    CliHarness option = new CliHarness();
    assertThat(option.execute("inspect", "--jsno", "app.db")).isEqualTo(2);
    assertThat(option.errText().lines()).singleElement().asString()
        .contains("'--jsno'").contains("did you mean '--json'?");

    CliHarness far = new CliHarness();
    assertThat(far.execute("zzzzzz")).isEqualTo(2);
    assertThat(far.errText()).doesNotContain("did you mean");
  }

  @Test
  @DisplayName("serve prints durations as given: 2s, 90m, 500ms, PT3S")
  void servePrintsDurationsAsGiven() throws Exception {
    for (String[] given : new String[][] {{"2s", "90m"}, {"500ms", "PT3S"}}) {
      ServeCommand serve = new ServeCommand();
      StringWriter out = new StringWriter();
      CommandLine commandLine = new CommandLine(serve);
      commandLine.setOut(new PrintWriter(out, true));
      CompletableFuture<Integer> status = CompletableFuture.supplyAsync(
          () -> commandLine.execute("--port", "0", "--lag", given[0], "--retention", given[1]));
      CheckpointHttpServer server = serve.started().get(10, TimeUnit.SECONDS);
      serve.stop();
      assertThat(status.get(10, TimeUnit.SECONDS)).isZero();
      assertThat(out.toString()).contains("simulated PowerSync service at " + server.endpoint()
          + " (replication lag " + given[0] + ", retention " + given[1] + ")");
    }
  }

  @Test
  @DisplayName("every command shares --verbose, --help and --version through picocli mixins and inherited attributes; DB and --client-id are mixins too")
  void sharedOptions() {
    CommandLine commandLine = CheckpointsCommand.commandLine(java.io.InputStream.nullInputStream());
    commandLine.getSubcommands().forEach((name, command) -> {
      assertThat(command.getCommandSpec().mixins()).as(name).containsKey("verbose");
      assertThat(command.getCommandSpec().findOption("--help")).as(name).isNotNull();
      assertThat(command.getCommandSpec().findOption("--version")).as(name).isNotNull();
    });
    for (String name : List.of("inspect", "repair", "migrate", "sql")) {
      assertThat(commandLine.getSubcommands().get(name).getCommandSpec().mixins()).as(name).containsKey("database");
    }
    for (String name : List.of("sql", "replay")) {
      assertThat(commandLine.getSubcommands().get(name).getCommandSpec().mixins()).as(name).containsKey("clientId");
    }
  }
}
