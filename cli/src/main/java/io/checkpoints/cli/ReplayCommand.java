package io.checkpoints.cli;

import io.checkpoints.adapter.h2.H2CheckpointStore;
import io.checkpoints.adapter.h2.H2StoreOptions;
import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.adapter.sqlite.SqliteStoreOptions;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.ClientId;
import io.checkpoints.testkit.replay.ReplayResult;
import io.checkpoints.testkit.replay.ReplayRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code checkpoints replay}: runs a replay script and prints one JSON line per event on standard
 * output, as {@code replay-format.md} describes, on a fresh in-memory store or on a SQLite or H2
 * database file ({@code --store sqlite|h2 --db FILE}, created if missing). Not thread-safe: one
 * instance per execution.
 */
@Command(
    name = "replay",
    description = {
        "Runs a replay script (JSON Lines, one event per line) against a sync client and prints"
            + " one JSON line per event: {\"ok\": ...} or {\"error\": {\"kind\": ..., \"message\":"
            + " ...}}.",
        "A line that is not an event prints an error of kind \"script\"; the run goes on and"
            + " exits with status 1.",
        "With --store sqlite or h2 the state lives in the database file --db (created if missing),"
            + " so a later run on the same file goes on from it."},
    exitCodeList = {
        "0:the script ran, even if events printed error lines",
        "1:the script is malformed (a line is not an event) or could not be read to the end,"
            + " or the database could not be opened",
        "2:usage error (also: the script file does not exist or is not readable, --db is missing"
            + " for sqlite/h2 or given for memory, is a directory, or its directory does not exist)"})
final class ReplayCommand implements Callable<Integer> {

  /** The stores {@code --store} can choose. */
  enum StoreKind {
    /** A fresh in-memory store. */
    memory,
    /** A SQLite database file in the PowerSync format ({@code adapter-sqlite}). */
    sqlite,
    /** An embedded H2 database file ({@code adapter-h2}). */
    h2
  }

  private final InputStream stdin;

  @Spec
  private CommandSpec spec;

  @Option(names = "--store", paramLabel = "STORE", defaultValue = "memory",
      description = "Where the checkpoint state lives: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  private StoreKind store;

  @Option(names = "--db", paramLabel = "FILE",
      description = "The database file of --store sqlite or h2 (required for them), created if"
          + " missing; H2 keeps it in FILE.mv.db unless FILE already ends with .mv.db.")
  private Path db;

  /** The client id of the reference recordings, so that a replay prints what they print. */
  static final ClientId RECORDINGS_CLIENT_ID = ClientId.of("test-client");

  @Mixin
  private ClientIdMixin clientId;

  @Mixin
  private VerboseMixin verbose;

  @Parameters(index = "0", paramLabel = "SCRIPT",
      description = "The replay script (JSON Lines, UTF-8); '-' reads standard input.")
  private String script;

  ReplayCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ClientId id = clientId.clientId().orElse(RECORDINGS_CLIENT_ID);
    checkDatabaseOption();
    try (BufferedReader reader = open()) {
      ReplayRunner runner = ReplayRunner.create();
      if (verbose.verbose()) {
        runner = runner.withErrorObserver(e -> {
          e.printStackTrace(err);
          err.flush();
        });
      }
      CheckpointStore checkpointStore;
      try {
        checkpointStore = createStore(id);
      } catch (CheckpointArgumentException e) {
        throw new ParameterException(spec.commandLine(), "invalid --db: " + e.getMessage());
      } catch (CheckpointException e) {
        err.println(name() + ": cannot open the " + store + " database " + db + ": " + e.getMessage());
        verbose.printStackTrace(e, err);
        err.flush();
        return CheckpointsCommand.EXIT_FAILED;
      }
      ReplayResult result;
      try {
        result = runner.run(checkpointStore, SyncClient.create(checkpointStore), reader, out::println);
      } finally {
        out.flush();
        close(checkpointStore);
      }
      if (!result.wellFormed()) {
        ReplayResult.ScriptError first = result.scriptErrors().get(0);
        err.println(name() + ": the script is malformed: " + result.scriptErrors().size()
            + (result.scriptErrors().size() == 1 ? " line is" : " lines are")
            + " not an event (first: line " + first.lineNumber() + ": " + first.message() + ")");
        err.flush();
        return CheckpointsCommand.EXIT_FAILED;
      }
      return CheckpointsCommand.EXIT_OK;
    } catch (IOException | UncheckedIOException e) {
      IOException cause = e instanceof UncheckedIOException unchecked ? unchecked.getCause()
          : (IOException) e;
      err.println(name() + ": cannot read the script " + script + ": " + describe(cause));
      verbose.printStackTrace(e, err);
      err.flush();
      return CheckpointsCommand.EXIT_FAILED;
    }
  }

  private BufferedReader open() throws IOException {
    InputStream in;
    if ("-".equals(script)) {
      in = stdin;
    } else {
      Path path = Path.of(script);
      if (!Files.isRegularFile(path)) {
        throw new ParameterException(spec.commandLine(), "no such script file: " + script);
      }
      if (!Files.isReadable(path)) {
        throw new ParameterException(spec.commandLine(), "cannot read the script file: " + script);
      }
      in = Files.newInputStream(path);
    }
    // Strict UTF-8: a malformed byte is a read error, not a replacement character.
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)));
  }

  /** {@code --db} goes with the stores that keep a file, and only with them. */
  private void checkDatabaseOption() {
    if (store == StoreKind.memory && db != null) {
      throw new ParameterException(spec.commandLine(),
          "--db is for --store sqlite or h2; --store memory keeps nothing");
    }
    if (store != StoreKind.memory && db == null) {
      throw new ParameterException(spec.commandLine(), "--store " + store + " needs --db FILE");
    }
    if (db != null) {
      DatabaseFiles.requireCreatable(spec, db);
    }
  }

  private CheckpointStore createStore(ClientId id) {
    switch (store) {
      case memory:
        return InMemoryCheckpointStore.create(id);
      case sqlite:
        return SqliteCheckpointStore.open(db, SqliteStoreOptions.defaults().withClientIdIfAbsent(id));
      case h2:
        return H2CheckpointStore.open(db, H2StoreOptions.defaults().withClientIdIfAbsent(id));
      default:
        throw new IllegalStateException("unknown store " + store);
    }
  }

  /** The events committed their transactions: a failing close loses nothing, so it only warns. */
  private void close(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(name() + ": warning: could not close the database " + db + ": " + e.getMessage());
      err.flush();
    }
  }

  private String name() {
    return spec.qualifiedName();
  }

  private static String describe(IOException e) {
    return e.getMessage() != null ? e.getClass().getSimpleName() + ": " + e.getMessage()
        : e.getClass().getSimpleName();
  }
}
