package io.checkpoints.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code checkpoints sql DB [--iteration legacy|requests] STATEMENT...}: the checkpoint SQL
 * functions on a database created if missing, one transaction and one JSON line per statement.
 */
class SqlCommandTest {

  @TempDir Path folder;

  private static final String SEED = "SELECT powersync_control('seed_checkpoint_request_id', '41')";
  private static final String NEXT = "SELECT powersync_control('next_checkpoint_request_id', NULL)";
  private static final String CURRENT = "SELECT powersync_control('current_checkpoint_request_id', NULL)";

  @Test
  @DisplayName("with --iteration requests: the initial request first, then one line per statement")
  void requestsIteration() {
    Path db = folder.resolve("app.db");
    CliHarness cli = new CliHarness();
    assertThat(cli.execute("sql", db.toString(), "--iteration", "requests", "--client-id", "c1",
        SEED, NEXT, "SELECT powersync_next_checkpoint_request_id()", CURRENT,
        "SELECT powersync_probe_local_target_op(7)", "SELECT powersync_probe_local_target_op(NULL)")).isZero();
    assertThat(cli.outLines()).containsExactly(
        "{\"ok\": {\"checkpoint_request\": {\"client_id\": \"c1\", \"checkpoint_request_id\": \"1\"}}}",
        "{\"ok\": 41}", "{\"ok\": 42}", "{\"ok\": 43}", "{\"ok\": 43}", "{\"ok\": null}", "{\"ok\": 7}");
    assertThat(cli.errText()).isEmpty();
    assertThat(Files.isRegularFile(db)).as("a missing database is created").isTrue();

    CliHarness again = new CliHarness();
    assertThat(again.execute("sql", db.toString(), "--iteration", "requests", CURRENT)).isZero();
    assertThat(again.outLines()).as("the state persisted; the client id too").containsExactly(
        "{\"ok\": {\"checkpoint_request\": {\"client_id\": \"c1\", \"checkpoint_request_id\": \"43\"}}}",
        "{\"ok\": 43}");
  }

  @Test
  @DisplayName("--file FILE: one statement per line, blank lines skipped, the same lines as arguments give")
  void statementsFromAFile() throws java.io.IOException {
    Path db = folder.resolve("app.db");
    Path statements = Files.write(folder.resolve("statements.sql"),
        java.util.List.of(SEED, "", NEXT, "   ", "SELECT powersync_next_checkpoint_request_id()", CURRENT));
    CliHarness cli = new CliHarness();
    assertThat(cli.execute("sql", db.toString(), "--iteration", "requests", "--client-id", "c1",
        "--file", statements.toString())).isZero();
    assertThat(cli.outLines()).containsExactly(
        "{\"ok\": {\"checkpoint_request\": {\"client_id\": \"c1\", \"checkpoint_request_id\": \"1\"}}}",
        "{\"ok\": 41}", "{\"ok\": 42}", "{\"ok\": 43}", "{\"ok\": 43}");
    assertThat(cli.errText()).isEmpty();
  }

  @Test
  @DisplayName("--file -: the statements from standard input; a failing one gives status 1, the rest still run")
  void statementsFromStandardInput() {
    Path db = folder.resolve("app.db");
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine commandLine = CheckpointsCommand.commandLine(new java.io.ByteArrayInputStream(
        (SEED + "\n" + NEXT + "\nSELECT 1 +\n" + CURRENT + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    commandLine.setOut(new java.io.PrintWriter(out, true));
    commandLine.setErr(new java.io.PrintWriter(new java.io.StringWriter(), true));
    assertThat(commandLine.execute("sql", db.toString(), "--iteration", "requests", "--file", "-"))
        .isEqualTo(1);
    assertThat(out.toString().lines().skip(1)).containsExactly("{\"ok\": 41}", "{\"ok\": 42}",
        "{\"error\": {\"kind\": \"storage\", \"message\": \"incomplete input\"}}", "{\"ok\": 42}");
  }

  @Test
  @DisplayName("without an iteration: state errors for seed and next, the others work; status 1 for the failures")
  void noIteration() {
    Path db = folder.resolve("app.db");
    CliHarness cli = new CliHarness();
    assertThat(cli.execute("sql", db.toString(), SEED, NEXT, CURRENT,
        "SELECT powersync_control('target_checkpoint_request_id', -1)",
        "SELECT powersync_control('bogus', NULL)", "SELECT 1 +", "SELECT 'text', 2",
        "SELECT x'00ff'", "SELECT 2.5", "CREATE TABLE t(a)", "SELECT a FROM t")).isEqualTo(1);
    assertThat(cli.outLines()).containsExactly(
        "{\"error\": {\"kind\": \"state\", \"message\": \"powersync_control: invalid state: No iteration is active\"}}",
        "{\"error\": {\"kind\": \"state\", \"message\": \"powersync_control: invalid state: No iteration is active\"}}",
        "{\"ok\": null}",
        "{\"error\": {\"kind\": \"argument\", \"message\": \"powersync_control: invalid argument:"
            + " target checkpoint request id must be a non-negative integer. cause: unknown\"}}",
        "{\"error\": {\"kind\": \"argument\", \"message\": \"powersync_control: invalid argument:"
            + " Unknown operation. cause: unknown\"}}",
        "{\"error\": {\"kind\": \"storage\", \"message\": \"incomplete input\"}}",
        "{\"ok\": \"text\"}",
        "{\"ok\": {\"blob\": \"00ff\"}}",
        "{\"ok\": 2.5}",
        "{\"ok\": null}",
        "{\"ok\": null}");
    assertThat(cli.errText()).isEmpty();
  }

  @Test
  @DisplayName("each statement is its own transaction: a failing one leaves nothing, the next ones see the earlier ones")
  void transactionPerStatement() {
    Path db = folder.resolve("app.db");
    CliHarness cli = new CliHarness();
    cli.execute("sql", db.toString(), "--iteration", "legacy",
        "CREATE TABLE t(a INTEGER PRIMARY KEY)",
        "INSERT INTO t VALUES (1)",
        "INSERT INTO t VALUES (2), (1)",
        "SELECT count(*) FROM t",
        SEED, "SELECT powersync_control('target_checkpoint_request_id', 5)",
        "SELECT powersync_control('target_checkpoint_request_id', 'x')",
        "SELECT powersync_control('target_checkpoint_request_id', NULL)");
    assertThat(cli.outLines()).containsExactly(
        "{\"ok\": {}}",
        "{\"ok\": null}",
        "{\"ok\": null}",
        "{\"error\": {\"kind\": \"storage\", \"message\": \"UNIQUE constraint failed: t.a\"}}",
        "{\"ok\": 1}",
        "{\"ok\": 41}",
        "{\"ok\": null}",
        "{\"error\": {\"kind\": \"argument\", \"message\": \"powersync_control: invalid argument:"
            + " target checkpoint request id must be an integer, integer string, or null. cause: unknown\"}}",
        "{\"ok\": 5}");
  }

  @Test
  @DisplayName("--verbose prints stack traces of failing statements on standard error, the lines stay the same")
  void verbose() {
    CliHarness cli = new CliHarness();
    assertThat(cli.execute("sql", "--verbose", folder.resolve("app.db").toString(), NEXT)).isEqualTo(1);
    assertThat(cli.outLines()).singleElement().asString().contains("\"kind\": \"state\"");
    assertThat(cli.errText()).contains("SQLiteException").contains("\tat ");
  }

  @Test
  @DisplayName("a database the store refuses (a schema version it does not know) fails with one line and status 1")
  void refusedDatabase() throws SQLException {
    Path db = folder.resolve("future.db");
    try (var connection = new org.sqlite.SQLiteConfig().createConnection("jdbc:sqlite:" + db);
        var statement = connection.createStatement()) {
      statement.execute("CREATE TABLE ps_migration(id INTEGER PRIMARY KEY, down_migrations TEXT)");
      statement.execute("INSERT INTO ps_migration(id) VALUES (15)");
    }
    CliHarness cli = new CliHarness();
    assertThat(cli.execute("sql", db.toString(), CURRENT)).isEqualTo(1);
    assertThat(cli.errText().lines()).singleElement().asString()
        .startsWith("checkpoints sql: cannot use the database " + db + ": ")
        .contains("schema version 15");
    assertThat(cli.outLines()).isEmpty();
  }

  @Test
  @DisplayName("usage errors: no statement, an unknown mode, a directory, a missing directory, a blank client id")
  void usageErrors() {
    Path db = folder.resolve("app.db");
    CliHarness noStatement = new CliHarness();
    assertThat(noStatement.execute("sql", db.toString())).isEqualTo(2);
    assertThat(noStatement.errText()).contains("Missing required parameter: 'STATEMENT'");

    CliHarness both = new CliHarness();
    assertThat(both.execute("sql", db.toString(), "--file", "-", CURRENT)).isEqualTo(2);
    assertThat(both.errText()).contains("not both");

    CliHarness noFile = new CliHarness();
    assertThat(noFile.execute("sql", db.toString(), "--file", folder.resolve("none.sql").toString()))
        .isEqualTo(2);
    assertThat(noFile.errText()).contains("no such readable statements file");
    assertThat(Files.exists(db)).as("a usage error touches no database").isFalse();

    CliHarness mode = new CliHarness();
    assertThat(mode.execute("sql", db.toString(), "--iteration", "sideways", CURRENT)).isEqualTo(2);
    assertThat(mode.errText()).contains("--iteration").contains("legacy, requests");

    CliHarness directory = new CliHarness();
    assertThat(directory.execute("sql", folder.toString(), CURRENT)).isEqualTo(2);
    assertThat(directory.errText()).startsWith("checkpoints sql: " + folder + " is a directory, not a database file");

    CliHarness missingDirectory = new CliHarness();
    assertThat(missingDirectory.execute("sql", folder.resolve("no/app.db").toString(), CURRENT)).isEqualTo(2);
    assertThat(missingDirectory.errText().lines()).singleElement().asString()
        .startsWith("checkpoints sql: the directory of").contains("does not exist");

    CliHarness clientId = new CliHarness();
    assertThat(clientId.execute("sql", db.toString(), "--client-id", " ", CURRENT)).isEqualTo(2);
    assertThat(clientId.errText()).startsWith("checkpoints sql: invalid --client-id: ");
    assertThat(Files.exists(db)).as("no usage error creates the database").isFalse();
  }

  @Test
  @DisplayName("--help describes the command, the functions and the exit statuses")
  void help() {
    CliHarness cli = new CliHarness();
    assertThat(cli.execute("sql", "--help")).isZero();
    assertThat(cli.out.toString())
        .contains("Usage: checkpoints sql")
        .contains("--iteration=MODE")
        .contains("in mode legacy or")
        .contains("powersync_control")
        .contains("STATEMENT")
        .contains("Exit status:");
  }
}
