package io.checkpoints.cli;

import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.adapter.sqlite.SqliteConnections;
import io.checkpoints.adapter.sqlite.SqliteControlFunctions;
import io.checkpoints.adapter.sqlite.SqliteStoreOptions;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointMode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code checkpoints sql DB [--iteration legacy|requests] (STATEMENT... | --file FILE)}: runs SQL statements on a
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
            + " line, as a replay start event prints it.",
        "The statements are the arguments after DB, or the lines of --file FILE ('-': standard"
            + " input, answered line by line)."},
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

  @Parameters(index = "1..*", arity = "0..*", paramLabel = "STATEMENT",
      description = "The SQL statements, one per argument, run in order.")
  private List<String> statements;

  @Option(names = "--file", paramLabel = "FILE",
      description = "Read the statements from FILE instead (UTF-8), one per line, blank lines"
          + " skipped; '-' reads standard input.")
  private String file;

  private final InputStream stdin;

  @Option(names = "--iteration", paramLabel = "MODE",
      description = "Start a sync iteration first, in mode legacy or requests, and print its"
          + " initial request as the first line (the iteration lasts until the command ends).")
  private Iteration iteration;

  @Mixin
  private ClientIdMixin clientId;

  @Mixin
  private VerboseMixin verbose;

  SqlCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public Integer call() {
    SqliteStoreOptions options = options();
    Path db = database.creatable();
    try (BufferedReader lines = openFile()) {
      return run(db, options, lines);
    } catch (IOException | UncheckedIOException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(spec.qualifiedName() + ": cannot read the statements from " + file + ": "
          + (e instanceof UncheckedIOException unchecked ? unchecked.getCause() : e).getMessage());
      verbose.printStackTrace(e, err);
      err.flush();
      return CheckpointsCommand.EXIT_FAILED;
    }
  }

  /** The statements file, checked before the database is touched; null without --file. */
  private BufferedReader openFile() throws IOException {
    boolean arguments = statements != null && !statements.isEmpty();
    if (file == null && !arguments) {
      throw new ParameterException(spec.commandLine(),
          "Missing required parameter: 'STATEMENT' (or --file FILE)");
    }
    if (file == null) {
      return null;
    }
    if (arguments) {
      throw new ParameterException(spec.commandLine(),
          "give the statements as arguments or in --file, not both");
    }
    InputStream in;
    if ("-".equals(file)) {
      in = stdin;
    } else {
      Path path = Path.of(file);
      if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
        throw new ParameterException(spec.commandLine(), "no such readable statements file: " + file);
      }
      in = Files.newInputStream(path);
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  private int run(Path db, SqliteStoreOptions options, BufferedReader lines) {
    // Lines are flushed one by one only when a caller may be waiting for each answer (standard
    // input); otherwise at the end: a flush per line cost a write call per statement.
    boolean interactive = "-".equals(file);
    PrintWriter out = interactive ? spec.commandLine().getOut()
        : new PrintWriter(new BufferedWriter(spec.commandLine().getOut(), 1 << 16), false);
    try {
      return run(db, options, lines == null ? statements.iterator() : lines.lines().iterator(), out,
          interactive);
    } finally {
      out.flush();
    }
  }

  private int run(Path db, SqliteStoreOptions options, Iterator<String> statements,
      PrintWriter out, boolean interactive) {
    // Looks at the file read-only first (once): a file the store would refuse is left exactly as
    // it was.
    try (Connection connection = SqliteConnections.openForStore(db, options)) {
      SyncClient client = SyncClient.create(SqliteCheckpointStore.join(connection, options));
      if (iteration != null) {
        out.println(JsonLines.started(client.start(CheckpointMode.fromWireName(iteration.name()))));
        if (interactive) {
          out.flush();
        }
      }
      SqliteControlFunctions.register(connection, client.control());
      boolean failed = false;
      while (statements.hasNext()) {
        String statement = statements.next();
        if (file != null && statement.isBlank()) {
          continue;
        }
        String line = run(connection, statement);
        failed |= JsonLines.isError(line);
        out.println(line);
        if (interactive) {
          out.flush();
        }
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
  private String run(Connection connection, String sql) {
    try (Statement control = connection.createStatement()) {
      control.execute("BEGIN IMMEDIATE");
      Object value;
      try (Statement statement = connection.createStatement()) {
        value = statement.execute(sql) ? firstValue(statement.getResultSet()) : null;
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

  /** The first column of the first row as the driver returns it; null without a row. */
  private static Object firstValue(ResultSet rows) throws SQLException {
    try (rows) {
      return rows.next() ? rows.getObject(1) : null;
    }
  }

  private String failure(SQLException e) {
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
