package io.checkpoints.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.adapter.sqlite.SqliteConnections;
import io.checkpoints.adapter.sqlite.SqliteControlFunctions;
import io.checkpoints.adapter.sqlite.SqliteDatabaseFile;
import io.checkpoints.adapter.sqlite.SqliteStoreOptions;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointMode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code checkpoints sql DB [--iteration legacy|requests] STATEMENT...}: runs SQL statements on a
 * SQLite database with the checkpoint SQL functions of {@link SqliteControlFunctions} registered,
 * each statement in its own {@code BEGIN IMMEDIATE} transaction on one connection, and prints one
 * JSON line per statement. A way to try the SQL surface by hand and to script it. Not thread-safe:
 * one instance per execution.
 */
@Command(
    name = "sql",
    description = {
        "Runs SQL statements on a SQLite database (a new PowerSync database if the file is missing"
            + " or empty) with the checkpoint SQL"
            + " functions registered: powersync_control(op, payload) for seed_, next_, current_"
            + " and target_checkpoint_request_id, powersync_next_checkpoint_request_id() and"
            + " powersync_probe_local_target_op(payload).",
        "Each statement runs in its own transaction (BEGIN IMMEDIATE ... COMMIT, rolled back on"
            + " error) on one connection, and prints one line: {\"ok\": <first column of the first"
            + " row, or null>} (a blob as {\"blob\": \"<hex>\"}) or {\"error\": {\"kind\": argument|"
            + "state|protocol|storage, \"message\": ...}}.",
        "With --iteration, a sync iteration starts first and its initial request is the first"
            + " line, as a replay start event prints it."},
    exitCodeList = {
        "0:every statement ran",
        "1:a statement failed (its line says why; the others still ran), or the database was"
            + " refused (not a PowerSync database at version 14: the file is left unchanged) or"
            + " could not be opened",
        "2:usage error (also: DB is a directory, or its directory does not exist)"})
final class SqlCommand implements Callable<Integer> {

  /** The modes {@code --iteration} can start. */
  enum Iteration {
    /** {@code start} in legacy mode: no initial request. */
    legacy,
    /** {@code start} in requests mode: prints the initial request. */
    requests
  }

  /** sqlite-jdbc's message: {@code [SQLITE_ERROR] SQL error or missing database (<SQLite's>)}. */
  private static final Pattern SQLITE_MESSAGE =
      Pattern.compile("^\\[SQLITE_[A-Z_]+\\][^(]*\\((.*)\\)$", Pattern.DOTALL);

  @Spec
  private CommandSpec spec;

  @Mixin
  private DatabaseArgument database;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "STATEMENT",
      description = "The SQL statements, one per argument, run in order.")
  private List<String> statements;

  @Option(names = "--iteration", paramLabel = "MODE",
      description = "Start a sync iteration first, in mode legacy or requests, and print its"
          + " initial request as the first line (the iteration lasts until the command ends).")
  private Iteration iteration;

  @Mixin
  private ClientIdMixin clientId;

  @Mixin
  private VerboseMixin verbose;

  @Override
  public Integer call() {
    SqliteStoreOptions options = options();
    Path db = database.creatable();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      // Read-only first: a file the store would refuse is left exactly as it was.
      SqliteDatabaseFile.inspect(db).requireUsableByStore(options);
    } catch (CheckpointException e) {
      return cannotUse(db, e);
    }
    try (Connection connection = SqliteConnections.open(db, options)) {
      SyncClient client = SyncClient.create(SqliteCheckpointStore.join(connection, options));
      if (iteration != null) {
        out.println(JsonLines.write(JsonLines.started(
            client.start(CheckpointMode.fromWireName(iteration.name())))));
      }
      SqliteControlFunctions.register(connection, client.control());
      boolean failed = false;
      for (String statement : statements) {
        JsonNode line = run(connection, statement);
        failed |= line.has("error");
        out.println(JsonLines.write(line));
        out.flush();
      }
      client.stop();
      return failed ? CheckpointsCommand.EXIT_FAILED : CheckpointsCommand.EXIT_OK;
    } catch (CheckpointException | SQLException e) {
      out.flush();
      return cannotUse(db, e);
    }
  }

  private int cannotUse(Path db, Exception e) {
    PrintWriter err = spec.commandLine().getErr();
    err.println(spec.qualifiedName() + ": cannot use the database " + db + ": " + e.getMessage());
    verbose.printStackTrace(e, err);
    err.flush();
    return CheckpointsCommand.EXIT_FAILED;
  }

  private SqliteStoreOptions options() {
    SqliteStoreOptions options = SqliteStoreOptions.defaults();
    return clientId.clientId().map(options::withClientIdIfAbsent).orElse(options);
  }

  /** Runs one statement in its own transaction; its result or error as a line. */
  private JsonNode run(Connection connection, String sql) {
    try (Statement control = connection.createStatement()) {
      control.execute("BEGIN IMMEDIATE");
      JsonNode value;
      try (Statement statement = connection.createStatement()) {
        value = statement.execute(sql) ? firstValue(statement.getResultSet()) : JsonLines.NODES.nullNode();
      } catch (SQLException e) {
        rollback(control, e);
        return failure(e);
      }
      control.execute("COMMIT");
      return JsonLines.ok(value);
    } catch (SQLException e) {
      return failure(e);
    }
  }

  private void rollback(Statement control, SQLException failure) {
    try {
      control.execute("ROLLBACK");
    } catch (SQLException rollbackFailure) {
      // The statement may have ended the transaction itself (a COMMIT or ROLLBACK of its own).
      failure.addSuppressed(rollbackFailure);
    }
  }

  private static JsonNode firstValue(ResultSet rows) throws SQLException {
    try (rows) {
      if (!rows.next()) {
        return JsonLines.NODES.nullNode();
      }
      Object value = rows.getObject(1);
      if (value == null) {
        return JsonLines.NODES.nullNode();
      }
      if (value instanceof Integer || value instanceof Long) {
        return JsonLines.NODES.numberNode(((Number) value).longValue());
      }
      if (value instanceof Double real) {
        return JsonLines.NODES.numberNode(real);
      }
      if (value instanceof byte[] blob) {
        return JsonLines.NODES.objectNode().put("blob", HexFormat.of().formatHex(blob));
      }
      return JsonLines.NODES.textNode(value.toString());
    }
  }

  private JsonNode failure(SQLException e) {
    if (verbose.verbose()) {
      PrintWriter err = spec.commandLine().getErr();
      e.printStackTrace(err);
      err.flush();
    }
    String message = sqliteMessage(e);
    return JsonLines.error(kindOf(message), message);
  }

  /** SQLite's own message, without sqlite-jdbc's wrapping. */
  static String sqliteMessage(SQLException e) {
    String message = String.valueOf(e.getMessage());
    Matcher matcher = SQLITE_MESSAGE.matcher(message);
    return matcher.matches() ? matcher.group(1) : message;
  }

  /**
   * The replay format's error kinds, from the messages the reference core (and this library's SQL
   * functions, with the same texts) give: sqlite-jdbc cannot carry the reference's error codes.
   */
  static String kindOf(String message) {
    if (message.contains(": invalid argument: ")) {
      return "argument";
    }
    if (message.contains(": invalid state: ")) {
      return "state";
    }
    if (message.contains("Sync protocol error")) {
      return "protocol";
    }
    return "storage";
  }
}
