package io.checkpoints.interop;

import io.checkpoints.adapter.http.CheckpointHttpServer;
import io.checkpoints.adapter.http.CheckpointHttpServerBuilder;
import io.checkpoints.adapter.inmemory.SimulatedBackend;
import io.checkpoints.adapter.inmemory.SimulatedCheckpointService;
import io.checkpoints.ports.Scheduler;
import io.checkpoints.ports.SyncDataService.Operation;
import io.checkpoints.ports.SyncDataService.OperationKind;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What {@code checkpoints serve} runs, in process on a loopback port 0: the simulated service and
 * backend behind the HTTP server, in real time, with the server's log kept for assertions. Public
 * for the end-to-end benchmark (benchmarks module, through this module's test-jar). Thread-safe.
 */
public final class Backend implements AutoCloseable {

  final SimulatedBackend backend;
  final SimulatedCheckpointService service;
  final CheckpointHttpServer server;
  /** Every request and streamed line, with the time it was logged. */
  final Queue<Logged> log = new ConcurrentLinkedQueue<>();

  /**
   * One message of the server's log.
   *
   * @param nanoTime when it was logged ({@link System#nanoTime()}): a request when it arrived, a
   *     streamed line once written and flushed
   * @param message the message
   */
  public record Logged(long nanoTime, String message) {}

  /**
   * Starts the service, backend and server, keeping the server's log.
   *
   * @param replicationLag the service's replication lag
   */
  public Backend(Duration replicationLag) {
    this(replicationLag, true);
  }

  private Backend(Duration replicationLag, boolean keepLog) {
    backend = SimulatedBackend.create(SimulatedCheckpointService.builder(Scheduler.system())
        .replicationLag(replicationLag));
    service = backend.service();
    CheckpointHttpServerBuilder builder = CheckpointHttpServer.builder(service).port(0)
        .dataService(backend).keepAliveInterval(Duration.ofMillis(250));
    if (keepLog) {
      builder.log(message -> log.add(new Logged(System.nanoTime(), message)));
    }
    server = builder.start();
  }

  /**
   * As the tests' backend, without the log: a benchmark would otherwise format and keep every
   * streamed line.
   *
   * @param replicationLag the service's replication lag
   * @return the started backend
   */
  public static Backend withoutLog(Duration replicationLag) {
    return new Backend(replicationLag, false);
  }

  /** @return the service's loopback endpoint */
  public URI endpoint() {
    return server.endpoint();
  }

  /** A write to the source database, as another client or the backend itself makes one. */
  void putTodo(String userId, String id, String title) {
    backend.applyUpload(userId, List.of(new Operation(OperationKind.PUT, "todos", id,
        Map.of("title", title, "status", "open"))));
  }

  /**
   * @param userId the user
   * @param id the todo's id
   * @return the todo's title in the backend's source database, or empty when there is none
   */
  public Optional<String> serverTitle(String userId, String id) {
    return backend.row(userId, "todos", id).map(row -> (String) row.get("title"));
  }

  /**
   * @param text what the messages contain
   * @param since the earliest {@link System#nanoTime()} of interest
   * @return the logged messages that contain {@code text}, logged at or after {@code since}
   */
  public List<Logged> logged(String text, long since) {
    List<Logged> found = new ArrayList<>();
    for (Logged entry : log) {
      if (entry.nanoTime() - since >= 0 && entry.message().contains(text)) {
        found.add(entry);
      }
    }
    return found;
  }

  /** Forgets what was logged so far (a benchmark's log would otherwise grow with every round). */
  public void clearLog() {
    log.clear();
  }

  /** @return the server's log, one message a line, for failure messages */
  String describeLog() {
    StringBuilder text = new StringBuilder("\nserver log:");
    for (Logged entry : log) {
      text.append("\n  ").append(entry.nanoTime() / 1_000_000).append(" ms ")
          .append(entry.message());
    }
    return text.toString();
  }

  /** Stops the server. */
  @Override
  public void close() {
    server.close();
  }
}
