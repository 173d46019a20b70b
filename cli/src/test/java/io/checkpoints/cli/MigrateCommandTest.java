package io.checkpoints.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.testkit.reference.ReferenceCore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * {@code checkpoints migrate DB --to 13|14} on PowerSync databases the reference core made: one
 * line saying what happened, and the exit statuses of refusals and usage errors.
 */
class MigrateCommandTest {

  @TempDir Path folder;

  /** A schema version 13 database made by the reference core, with a $local row (0, 0, MAX). */
  private Path version13() throws SQLException {
    Path file = folder.resolve("app.db");
    try (Connection connection = ReferenceCore.get().open(file)) {
      ReferenceCore.initialize(connection);
      ReferenceCore.inTransaction(connection, "SELECT powersync_test_migration(13)");
      ReferenceCore.inTransaction(connection, "INSERT INTO ps_buckets(name, last_op, target_op)"
          + " VALUES ('$local', 0, 9223372036854775807)");
    }
    return file;
  }

  private static Object value(Path file, String query) throws SQLException {
    try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(query)) {
      return rows.next() ? rows.getObject(1) : null;
    }
  }

  @Test
  @DisplayName("13 -> 14 -> 14 -> 13: one line each, the gate moves to ps_kv and back")
  void upAndDown() throws SQLException {
    Path db = version13();

    CliHarness up = new CliHarness();
    assertThat(up.execute("migrate", db.toString(), "--to", "14")).isZero();
    assertThat(up.outLines()).containsExactly("migrated " + db + " from schema version 13 to 14");
    assertThat(up.errText()).isEmpty();
    assertThat(value(db, "SELECT max(id) FROM ps_migration")).isEqualTo(14);
    assertThat(value(db, "SELECT value FROM ps_kv WHERE key = 'target_checkpoint_request_id'"))
        .isEqualTo(Long.MAX_VALUE);

    CliHarness again = new CliHarness();
    assertThat(again.execute("migrate", "--to", "14", db.toString())).isZero();
    assertThat(again.outLines()).containsExactly(db + " is already at schema version 14; nothing changed");

    CliHarness down = new CliHarness();
    assertThat(down.execute("migrate", db.toString(), "--to", "13")).isZero();
    assertThat(down.outLines()).containsExactly("migrated " + db + " from schema version 14 to 13");
    assertThat(value(db, "SELECT max(id) FROM ps_migration")).isEqualTo(13);
    assertThat(value(db, "SELECT target_op FROM ps_buckets WHERE name = '$local'")).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  @DisplayName("a file this library created is a PowerSync database at version 14: it migrates down and up")
  void aFileOfThisLibraryMigrates() throws SQLException {
    Path db = folder.resolve("library.db");
    SqliteCheckpointStore.open(db).close();
    CliHarness down = new CliHarness();
    assertThat(down.execute("migrate", db.toString(), "--to", "13")).isZero();
    assertThat(down.outLines()).containsExactly("migrated " + db + " from schema version 14 to 13");
    assertThat(value(db, "SELECT max(id) FROM ps_migration")).isEqualTo(13);
    CliHarness up = new CliHarness();
    assertThat(up.execute("migrate", db.toString(), "--to", "14")).isZero();
    assertThat(up.outLines()).containsExactly("migrated " + db + " from schema version 13 to 14");
    assertThat(down.errText()).isEmpty();
  }

  @Test
  @DisplayName("a database at an unknown schema version is refused with status 1 and no stack trace")
  void unknownDatabaseVersion() throws SQLException {
    Path db = folder.resolve("future.db");
    try (Connection connection = new SQLiteConfig().createConnection("jdbc:sqlite:" + db);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE ps_migration(id INTEGER PRIMARY KEY, down_migrations TEXT)");
      statement.execute("INSERT INTO ps_migration(id) VALUES (15)");
    }
    CliHarness cli = new CliHarness();
    assertThat(cli.execute("migrate", db.toString(), "--to", "14")).isEqualTo(1);
    assertThat(cli.errText().lines()).singleElement().asString()
        .contains("schema version 15, newer than this library knows");
    assertThat(value(db, "SELECT max(id) FROM ps_migration")).isEqualTo(15);

    CliHarness verbose = new CliHarness();
    assertThat(verbose.execute("migrate", "--verbose", db.toString(), "--to", "14")).isEqualTo(1);
    assertThat(verbose.errText()).contains("SqliteFileRefusedException").contains("\tat ");
  }

  @Test
  @DisplayName("--to other than 13 or 14, not a number, or missing; a missing file: usage errors")
  void usageErrors() {
    Path missing = folder.resolve("missing.db");
    CliHarness unknown = new CliHarness();
    assertThat(unknown.execute("migrate", missing.toString(), "--to", "15")).isEqualTo(2);
    assertThat(unknown.errText().lines()).singleElement().asString()
        .isEqualTo("checkpoints migrate: --to must be 13 or 14 (the schema versions this library"
            + " migrates between), got 15 (see 'checkpoints migrate --help')");

    CliHarness notANumber = new CliHarness();
    assertThat(notANumber.execute("migrate", missing.toString(), "--to", "latest")).isEqualTo(2);
    assertThat(notANumber.errText()).contains("'latest' is not an int");

    CliHarness noTarget = new CliHarness();
    assertThat(noTarget.execute("migrate", missing.toString())).isEqualTo(2);
    assertThat(noTarget.errText()).contains("Missing required option: '--to=VERSION'");

    CliHarness noFile = new CliHarness();
    assertThat(noFile.execute("migrate", missing.toString(), "--to", "14")).isEqualTo(2);
    assertThat(noFile.errText().lines()).singleElement().asString()
        .isEqualTo("checkpoints migrate: no such database file: " + missing + " (see 'checkpoints migrate --help')");
    assertThat(Files.exists(missing)).as("nothing was created").isFalse();
  }

  @Test
  @DisplayName("--help describes the command and its exit statuses")
  void help() {
    CliHarness cli = new CliHarness();
    assertThat(cli.execute("migrate", "--help")).isZero();
    assertThat(cli.out.toString())
        .contains("Usage: checkpoints migrate")
        .contains("--to=VERSION")
        .contains("DB")
        .contains("--verbose")
        .contains("Exit status:");
  }
}
