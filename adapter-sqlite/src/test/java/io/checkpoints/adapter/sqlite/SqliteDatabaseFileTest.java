package io.checkpoints.adapter.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.adapter.jdbc.testing.Reads;
import io.checkpoints.adapter.sqlite.SqliteDatabaseFile.Kind;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.UserKey;
import io.checkpoints.testkit.support.FileSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sqlite.SQLiteConfig;

/**
 * Which files a store, a connection and a migration take, and that every file they refuse stays
 * byte for byte as it was, with no {@code -wal}, {@code -shm} or {@code -journal} file left.
 */
class SqliteDatabaseFileTest {

  @TempDir Path directory;

  /** The file and its -wal, -shm and -journal files: equal snapshots mean nothing was touched. */
  private static FileSnapshot snapshot(Path file) throws IOException {
    return FileSnapshot.of(file, "-wal", "-shm", "-journal");
  }

  private Path database(String name, String journalMode, String... statements) throws SQLException {
    Path file = directory.resolve(name);
    try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite:" + file)) {
      Sql.rows(connection, "PRAGMA journal_mode = " + journalMode);
      for (String statement : statements) {
        Sql.execute(connection, statement);
      }
    }
    return file;
  }

  /** A file as the earlier version of this library made it: its four tables, no ps_migration. */
  private Path earlierLibraryFile(String name) throws SQLException {
    return database(name, "wal",
        "CREATE TABLE ps_kv(key TEXT PRIMARY KEY NOT NULL, value BLOB)",
        "CREATE TABLE ps_crud (id INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT, tx_id INTEGER)",
        "CREATE TABLE ps_tx(id INTEGER PRIMARY KEY NOT NULL, current_tx INTEGER, next_tx INTEGER)",
        "INSERT INTO ps_tx(id, current_tx, next_tx) VALUES (1, NULL, 3)",
        "CREATE TABLE checkpoint_user_sequence(\n  user_key TEXT PRIMARY KEY NOT NULL,\n"
            + "  last_request_id INTEGER NOT NULL\n) STRICT",
        "INSERT INTO ps_kv(key, value) VALUES ('client_id', 'earlier-client'),"
            + " ('target_checkpoint_request_id', 9223372036854775807),"
            + " ('last_requested_checkpoint_request_id', 41)",
        "INSERT INTO ps_crud(data, tx_id) VALUES ('{\"op\":\"PUT\",\"id\":\"t1\",\"type\":\"todos\",\"data\":{}}', 2)",
        "INSERT INTO checkpoint_user_sequence VALUES ('" + UserKey.forUserId("alice").hex() + "', 57)");
  }

  /** Each way of opening a file for checkpoints: store, connection, migration, joined store. */
  private static List<Consumer<Path>> openers() {
    return List.of(
        file -> SqliteCheckpointStore.open(file).close(),
        file -> SqliteCheckpointStore.open(file,
            SqliteStoreOptions.defaults().withLegacySchemaMigration(true)).close(),
        file -> SqliteMigrations.migrate(file, 14),
        file -> SqliteMigrations.migrate(file, 13));
  }

  private void assertEveryOpenerRefusesUnchanged(Path file, String... messageParts) throws IOException {
    FileSnapshot before = snapshot(file);
    for (Consumer<Path> opener : openers()) {
      assertThatThrownBy(() -> opener.accept(file))
          .isInstanceOf(SqliteFileRefusedException.class)
          .satisfies(e -> assertThat(e.getMessage()).contains(messageParts));
      assertThat(snapshot(file)).as("after a refusal").isEqualTo(before);
    }
  }

  @Test
  @DisplayName("another application's database (rollback journal or WAL) is refused by every opener and untouched; the message names its tables")
  void anotherApplicationsDatabase() throws Exception {
    for (String mode : List.of("delete", "wal")) {
      Path file = database("notes-" + mode + ".db", mode,
          "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)",
          "CREATE TABLE tags(note INTEGER, tag TEXT)",
          "INSERT INTO notes(body) VALUES ('keep me')");
      SqliteDatabaseFile contents = SqliteDatabaseFile.inspect(file);
      assertThat(contents.kind()).isEqualTo(Kind.OTHER_APPLICATION);
      assertThat(contents.tables()).containsExactly("notes", "tags");
      assertEveryOpenerRefusesUnchanged(file, file.toString(), "not a PowerSync database",
          "the tables notes, tags", "leaves it untouched");
      FileSnapshot before = snapshot(file);
      assertThatThrownBy(() -> SqliteConnections.open(file, SqliteStoreOptions.defaults()))
          .isInstanceOf(SqliteFileRefusedException.class);
      assertThat(snapshot(file)).isEqualTo(before);
    }
  }

  @Test
  @DisplayName("a joined store refuses another application's database without writing to it")
  void joinRefusesAnotherApplicationsDatabase() throws Exception {
    Path file = database("notes.db", "delete", "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)");
    FileSnapshot before = snapshot(file);
    try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite:" + file)) {
      assertThatThrownBy(() -> SqliteCheckpointStore.join(connection))
          .isInstanceOf(SqliteFileRefusedException.class)
          .hasMessageContaining("the table notes");
      assertThat(Sql.rows(connection, "SELECT name FROM sqlite_master")).containsExactly("notes");
    }
    assertThat(snapshot(file)).isEqualTo(before);
  }

  @Test
  @DisplayName("a file that is not SQLite, and a PowerSync database whose ps_kv has another shape: refused, untouched")
  void notSqliteAndWrongShapes() throws Exception {
    Path text = directory.resolve("readme.db");
    Files.writeString(text, "not a database, just text that is long enough to look like a header\n",
        StandardCharsets.UTF_8);
    assertThat(SqliteDatabaseFile.inspect(text).kind()).isEqualTo(Kind.NOT_SQLITE);
    assertEveryOpenerRefusesUnchanged(text, "not a SQLite database");

    Path shaped = database("shaped.db", "wal",
        "CREATE TABLE ps_migration(id INTEGER PRIMARY KEY, down_migrations TEXT)",
        "INSERT INTO ps_migration(id) VALUES (14)",
        "CREATE TABLE ps_kv(k TEXT, v TEXT)");
    SqliteDatabaseFile contents = SqliteDatabaseFile.inspect(shaped);
    assertThat(contents.kind()).isEqualTo(Kind.POWERSYNC);
    assertThat(contents.shapeProblems()).containsExactly("table ps_kv has the columns (k,v), expected (key,value)");
    assertEveryOpenerRefusesUnchanged(shaped, "table ps_kv has the columns (k,v), expected (key,value)");
  }

  @Test
  @DisplayName("a file of the earlier version of this library: refused unchanged, named, pointed to checkpoints migrate")
  void earlierLibraryFileIsRefusedByTheStore() throws Exception {
    Path file = earlierLibraryFile("earlier.db");
    SqliteDatabaseFile contents = SqliteDatabaseFile.inspect(file);
    assertThat(contents.kind()).isEqualTo(Kind.EARLIER_LIBRARY_VERSION);
    assertThat(contents.describe()).startsWith("a file of an earlier version of this library");
    FileSnapshot before = snapshot(file);
    for (SqliteStoreOptions options : List.of(SqliteStoreOptions.defaults(),
        SqliteStoreOptions.defaults().withLegacySchemaMigration(true))) {
      assertThatThrownBy(() -> SqliteCheckpointStore.open(file, options))
          .isInstanceOf(SqliteFileRefusedException.class)
          .hasMessageContaining("a file of an earlier version of this library")
          .hasMessageContaining("checkpoints migrate " + file + " --to 14")
          .extracting(e -> ((SqliteFileRefusedException) e).file().kind())
          .isEqualTo(Kind.EARLIER_LIBRARY_VERSION);
      assertThat(snapshot(file)).isEqualTo(before);
    }
    try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite:" + file)) {
      assertThatThrownBy(() -> SqliteCheckpointStore.join(connection))
          .isInstanceOf(SqliteFileRefusedException.class)
          .hasMessageContaining("checkpoints migrate " + file.toRealPath() + " --to 14");
      assertThat(Sql.rows(connection, "SELECT count(*) FROM sqlite_master WHERE name = 'ps_migration'"))
          .containsExactly("0");
    }
    assertThat(snapshot(file)).isEqualTo(before);
  }

  @Test
  @DisplayName("migrate upgrades a file of the earlier version in one go: the fresh file's schema, every row kept")
  void earlierLibraryFileIsUpgraded() throws Exception {
    Path file = earlierLibraryFile("earlier.db");
    SqliteMigrations.Result result = SqliteMigrations.migrate(file, 14);
    assertThat(result).isEqualTo(new SqliteMigrations.Result(SqliteMigrations.NO_SCHEMA_VERSION, 14));
    assertThat(result.upgradedEarlierLibraryFile()).isTrue();
    assertThat(result.changed()).isTrue();

    Path fresh = directory.resolve("fresh.db");
    SqliteCheckpointStore.open(fresh).close();
    assertThat(schemaAndMigrations(file)).isEqualTo(schemaAndMigrations(fresh));
    try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite:" + file)) {
      assertThat(Sql.rows(connection, "SELECT * FROM ps_tx")).containsExactly("1|null|3");
      assertThat(Sql.rows(connection, "SELECT count(*) FROM ps_crud")).containsExactly("1");
    }
    try (SqliteCheckpointStore store = SqliteCheckpointStore.open(file)) {
      assertThat(Reads.clientId(store)).isEqualTo(ClientId.of("earlier-client"));
      assertThat(Reads.counter(store)).contains(CheckpointRequestId.of(41));
      SyncClient client = SyncClient.create(store);
      assertThat(client.start(CheckpointMode.REQUESTS, UserKey.forUserId("alice")).orElseThrow().id())
          .as("the per-user sequence survived").isEqualTo(CheckpointRequestId.of(57));
    }
    assertThat(SqliteMigrations.migrate(file, 14).changed()).isFalse();

    Path down = earlierLibraryFile("down.db");
    assertThat(SqliteMigrations.migrate(down, 13)).isEqualTo(new SqliteMigrations.Result(0, 13));
    assertThat(PowerSyncDatabases.version(down)).isEqualTo(13);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"missing", "zero bytes", "SQLite without tables"})
  @DisplayName("a missing or empty file becomes a PowerSync database")
  void newFiles(String what) throws Exception {
    Path file = directory.resolve("new.db");
    switch (what) {
      case "zero bytes" -> Files.createFile(file);
      case "SQLite without tables" -> database("new.db", "delete", "PRAGMA user_version = 7");
      default -> { }
    }
    SqliteDatabaseFile contents = SqliteDatabaseFile.inspect(file);
    assertThat(contents.isNew()).isTrue();
    assertThat(contents.kind()).isEqualTo(what.equals("missing") ? Kind.MISSING : Kind.EMPTY);
    SqliteCheckpointStore.open(file).close();
    SqliteDatabaseFile created = SqliteDatabaseFile.inspect(file);
    assertThat(created.kind()).isEqualTo(Kind.POWERSYNC);
    assertThat(created.schemaVersion()).hasValue(14);
    assertThat(created.shapeProblems()).isEmpty();
    assertThatThrownBy(() -> SqliteMigrations.migrate(directory.resolve("empty-" + what.length()), 14))
        .isInstanceOf(CheckpointArgumentException.class);
  }

  @Test
  @DisplayName("migrate refuses an empty file unchanged: there is nothing to migrate")
  void migrateRefusesAnEmptyFile() throws Exception {
    Path file = Files.createFile(directory.resolve("empty.db"));
    assertThatThrownBy(() -> SqliteMigrations.migrate(file, 14))
        .isInstanceOf(SqliteFileRefusedException.class)
        .hasMessageContaining("nothing to migrate");
    assertThat(Files.size(file)).isZero();
  }

  @Test
  @DisplayName("a directory is an argument error for every opener")
  void directory() {
    for (Consumer<Path> opener : openers()) {
      assertThatThrownBy(() -> opener.accept(directory))
          .isInstanceOf(CheckpointArgumentException.class)
          .hasMessage(directory + " is a directory, not a database file");
    }
  }

  @Test
  @DisplayName("a version 13 database: the store refuses it byte for byte unchanged; a connection may open it to migrate")
  void version13() throws Exception {
    Path file = PowerSyncDatabases.version13(directory.resolve("v13.db"), connection -> { });
    FileSnapshot before = snapshot(file);
    assertThatThrownBy(() -> SqliteCheckpointStore.open(file))
        .isInstanceOf(SqliteFileRefusedException.class)
        .hasMessageContaining("schema version 13")
        .hasMessageContaining("checkpoints migrate " + file + " --to 14");
    assertThat(snapshot(file)).isEqualTo(before);
    try (Connection connection = SqliteConnections.open(file, SqliteStoreOptions.defaults())) {
      assertThat(SqliteMigrations.migrate(connection, 14).changed()).isTrue();
    }
  }

  @Test
  @DisplayName("reading a WAL database read-only leaves no -wal or -shm file behind")
  void readOnlyLeavesNoSideFiles() throws Exception {
    Path file = database("wal.db", "wal", "CREATE TABLE t(x)");
    FileSnapshot before = snapshot(file);
    assertThat(before.sideFiles()).doesNotContainValue(true);
    try (Connection connection = SqliteConnections.openReadOnly(file)) {
      assertThat(Sql.rows(connection, "SELECT name FROM sqlite_master")).containsExactly("t");
      assertThatThrownBy(() -> Sql.execute(connection, "CREATE TABLE u(y)")).isInstanceOf(SQLException.class);
    }
    assertThat(snapshot(file)).isEqualTo(before);
  }

  private static List<String> schemaAndMigrations(Path file) throws SQLException {
    try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite:" + file)) {
      List<String> rows = new ArrayList<>(Sql.rows(connection,
          "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"));
      rows.addAll(Sql.rows(connection, "SELECT id, quote(down_migrations) FROM ps_migration ORDER BY id"));
      return rows;
    }
  }
}
