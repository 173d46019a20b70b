package io.checkpoints.cli;

import io.checkpoints.adapter.http.CheckpointHttpServer;
import io.checkpoints.adapter.http.HttpCheckpointTransport;
import io.checkpoints.adapter.http.SyncStream;
import io.checkpoints.adapter.http.SyncStreamReader;
import io.checkpoints.adapter.inmemory.SimulatedCheckpointService;
import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.adapter.sqlite.SqliteDatabaseFile;
import io.checkpoints.adapter.sqlite.SqliteStoreOptions;
import io.checkpoints.domain.CheckpointHandle;
import io.checkpoints.domain.LineOutcome;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.domain.SyncConnection;
import io.checkpoints.domain.UploadBatch;
import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Credentials;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.support.ManualScheduler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code checkpoints demo}: the life of a checkpoint request, told as a timeline. A client on an
 * embedded SQLite file talks over loopback HTTP to the simulated service; both run on one
 * {@link ManualScheduler}, so the replication lag passes in virtual time and the demo finishes in
 * about a second while its timestamps read as the real flow would.
 *
 * <p>Not thread-safe: one instance per execution.
 */
@Command(
    name = "demo",
    description = {
        "Tells the story of a checkpoint request as a timeline: a local write arms the gate, the"
            + " upload completes, an id is posted, the service acknowledges it after replication"
            + " lag, the held checkpoint is applied and a waiter resolves; then a clear, after"
            + " which the per-user sequence continues the ids.",
        "Runs on an embedded SQLite file and the simulated service on loopback HTTP, in virtual"
            + " time (t+ seconds)."},
    exitCodeList = {
        "0:the story ran to its end",
        "1:a step did not happen as told (the line says which), or --db is a file the store"
            + " refuses (not a PowerSync database at version 14; it is left unchanged)",
        "2:usage error (also: --db is a directory, or its directory does not exist)"})
final class DemoCommand implements Callable<Integer> {

  static final String USER = "demo-user";
  static final ClientId CLIENT = ClientId.of("demo-client");
  /** The replication lag of the simulated service, in virtual time. */
  static final Duration LAG = Duration.ofSeconds(2);
  /** Real-time bound of each step that crosses HTTP; generous for a loaded 2-core machine. */
  private static final long STEP_SECONDS = 10;

  @Spec
  private CommandSpec spec;

  @Option(names = "--db", paramLabel = "FILE",
      description = "The SQLite file to use and keep, created if missing (default: a temporary"
          + " file, deleted at the end).")
  private Path db;

  @Mixin
  private VerboseMixin verbose;

  /** A step of the story that did not happen. */
  static final class StepFailed extends Exception {
    private static final long serialVersionUID = 1L;

    StepFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path file = db == null ? null : DatabaseFiles.requireCreatable(spec, db);
    boolean temporary = file == null;
    if (temporary) {
      file = Files.createTempFile("checkpoints-demo-", ".db");
      Files.delete(file); // the store creates a fresh PowerSync-format file in its place
    }
    try {
      // Read-only first: a file the store refuses is left exactly as it was, and named.
      SqliteDatabaseFile.inspect(file).requireUsableByStore(SqliteStoreOptions.defaults());
    } catch (CheckpointException e) {
      err.println(spec.qualifiedName() + ": cannot use the database " + file + ": " + e.getMessage());
      verbose.printStackTrace(e, err);
      err.flush();
      return CheckpointsCommand.EXIT_FAILED;
    }
    try {
      new Story(file, out).tell();
      return CheckpointsCommand.EXIT_OK;
    } catch (StepFailed e) {
      out.flush();
      err.println(spec.qualifiedName() + ": " + e.getMessage()
          + (e.getCause() != null ? ": " + e.getCause() : ""));
      verbose.printStackTrace(e, err);
      err.flush();
      return CheckpointsCommand.EXIT_FAILED;
    } finally {
      out.flush();
      if (temporary) {
        for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
          Files.deleteIfExists(Path.of(file + suffix));
        }
      }
    }
  }

  /** One run of the story: the world and the timeline it prints. */
  private static final class Story {
    private final Path file;
    private final PrintWriter out;
    private final Instant start = Instant.parse("2025-01-01T00:00:00Z");
    private final ManualScheduler clock = ManualScheduler.startingAt(start);
    /** Outcomes of lines the stream thread handled; the main thread prints them, in order. */
    private final BlockingQueue<LineOutcome> outcomes = new LinkedBlockingQueue<>();
    private SyncStream stream;

    Story(Path file, PrintWriter out) {
      this.file = file;
      this.out = out;
    }

    void tell() throws StepFailed {
      SimulatedCheckpointService service =
          SimulatedCheckpointService.builder(clock).replicationLag(LAG).build();
      try (CheckpointHttpServer server = CheckpointHttpServer.start(service);
          SqliteCheckpointStore store = SqliteCheckpointStore.open(file,
              SqliteStoreOptions.defaults().withClientIdIfAbsent(CLIENT))) {
        SyncClient client = SyncClient.builder(store).scheduler(clock).build();
        Credentials credentials = Credentials.fixed(CheckpointHttpServer.developmentToken(USER));
        line("database " + file + ", client id " + client.clientId()
            + "; simulated service at " + server.endpoint() + " (replication lag "
            + LAG.toSeconds() + " s)");

        Connected first = connect(server, client, credentials);
        SyncConnection connection = first.connection();
        CheckpointRequestId seeded = await(first.seeded(), "the initial checkpoint request");
        line("connected as " + USER + " in requests mode: initial checkpoint request accepted, counter seeded with "
            + seeded.value());
        LineOutcome initial = nextOutcome("the initial checkpoint");
        line("the stream's first checkpoint: " + (initial instanceof LineOutcome.Applied
            ? "applied at once (no local writes, no gate: target = " + describe(client.barrier().target()) + ")"
            : initial));

        long queued = client.barrier().recordLocalWrite(
            LocalWrite.put("todos", "1", "{\"title\":\"buy milk\"}"));
        line("local write queued (upload queue #" + queued + "): the gate is armed, target = "
            + describe(client.barrier().target()));

        UploadBatch batch = connection.nextUploadBatch(100).orElseThrow(
            () -> new StepFailed("the queued write is not in the upload queue", null));
        line("upload batch read: " + batch.writes().size() + " write (" + batch.writes().get(0).table() + "/"
            + batch.writes().get(0).rowId() + " " + batch.writes().get(0).operation()
            + "); the app uploads it to its backend");

        await(batch.complete(), "completing the upload batch");
        CheckpointRequestId target = client.barrier().target().orElseThrow(
            () -> new StepFailed("the target was not set after the upload", null));
        line("upload completed: the write left the queue; checkpoint request id " + target.value()
            + " allocated and posted; the service accepted it: target = " + target.value());

        CheckpointHandle handle = await(connection.requestCheckpoint(), "requesting a checkpoint handle");
        CompletableFuture<WriteCheckpoint> waiter = handle.waitForSync();
        line("the app asks to wait for its write: handle for id " + handle.id().value()
            + ", waitForSync() pending");

        service.publishCheckpoint();
        LineOutcome held = nextOutcome("a checkpoint before acknowledgement");
        line("a checkpoint arrives before the service has acknowledged the id: "
            + (held instanceof LineOutcome.Held ? "held (target " + target.value() + " not yet seen)" : held));

        clock.advance(LAG);
        Optional<CheckpointRequestId> acknowledged = service.acknowledgedId(USER, client.clientId());
        line("replication lag passed: the service acknowledges ids up to "
            + acknowledged.map(id -> Long.toString(id.value())).orElse("(none)"));
        WriteCheckpoint synced = await(waiter, "the waiter");
        LineOutcome applied = lastOutcome();
        line("the held checkpoint is applied ("
            + (applied instanceof LineOutcome.Applied a
                ? "write_checkpoint " + a.writeCheckpoint().map(w -> Long.toString(w.value())).orElse("none")
                : String.valueOf(applied))
            + "): it reaches target " + target.value() + ", so the gate is open");
        line("waitForSync() resolved with write_checkpoint " + synced.value());

        stream.close();
        connection.disconnect();
        client.clear(ClearFlags.HARD);
        line("disconnected and cleared (hard): the counter is "
            + describe(client.sequence().current()) + ", the per-user sequence for " + USER + " is "
            + describe(client.sequence().userSequence(UserKey.forUserId(USER))));

        Connected second = connect(server, client, credentials);
        SyncConnection again = second.connection();
        CheckpointRequestId reseeded = await(second.seeded(), "reconnecting after the clear");
        line("reconnected as " + USER + ": the initial request continues the per-user sequence at "
            + reseeded.value() + ", not 1");
        CheckpointHandle next = await(again.requestCheckpoint(), "a request after the clear");
        line("next checkpoint request id: " + next.id().value());
        line("the reference would have restarted at 1 after the clear (no per-user sequence),"
            + " an id the service may still hold as already seen");
        stream.close();
        again.disconnect();
        line("done");
      }
    }

    /** A connection and the future of its seed. */
    private record Connected(SyncConnection connection, CompletableFuture<CheckpointRequestId> seeded) {}

    /**
     * Connects as the demo user, then opens the stream: the iteration must exist before the first
     * line arrives, or the stream thread would drop it and the story would wait for it in vain.
     */
    private Connected connect(CheckpointHttpServer server, SyncClient client,
        Credentials credentials) {
      SyncConnection connection = SyncConnection.builder(client,
          HttpCheckpointTransport.builder(server.endpoint(), credentials).build()).build();
      outcomes.clear();
      CompletableFuture<CheckpointRequestId> seeded =
          connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId(USER));
      stream = SyncStreamReader.builder(server.endpoint(), credentials).build()
          .open(client.clientId(), line -> {
            if (client.isIterationActive()) {
              outcomes.addAll(client.handleLine(line));
            }
          }, other -> {});
      return new Connected(connection, seeded);
    }

    private LineOutcome nextOutcome(String what) throws StepFailed {
      try {
        LineOutcome outcome = outcomes.poll(STEP_SECONDS, TimeUnit.SECONDS);
        if (outcome == null) {
          throw new StepFailed("no sync line arrived for " + what + " within " + STEP_SECONDS + " s", null);
        }
        return outcome;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StepFailed("interrupted", e);
      }
    }

    /** The most recent outcome: the waiter completed after its line was handled. */
    private LineOutcome lastOutcome() throws StepFailed {
      LineOutcome last = nextOutcome("the acknowledged checkpoint");
      for (LineOutcome more; (more = outcomes.poll()) != null; ) {
        last = more;
      }
      return last;
    }

    private void line(String text) {
      Duration elapsed = Duration.between(start, clock.wallTime());
      out.printf("[t+%d.%03ds] %s%n", elapsed.toSeconds(), elapsed.toMillisPart(), text);
      out.flush();
    }

    private static String describe(Optional<CheckpointRequestId> id) {
      return id.map(value -> value.value() == Long.MAX_VALUE ? "MAX" : Long.toString(value.value()))
          .orElse("absent");
    }

    private static <T> T await(CompletableFuture<T> future, String what) throws StepFailed {
      try {
        return future.get(STEP_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw new StepFailed(what + " failed", e.getCause());
      } catch (TimeoutException e) {
        throw new StepFailed(what + " did not complete within " + STEP_SECONDS + " s", null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StepFailed("interrupted", e);
      }
    }
  }
}
