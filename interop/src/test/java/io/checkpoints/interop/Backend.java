package io.checkpoints.interop;

import io.checkpoints.adapter.http.CheckpointHttpServer;
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
 * backend behind the HTTP server, in real time, with the server's log kept for assertions.
 * Thread-safe.
 */
final class Backend implements AutoCloseable {

  final SimulatedBackend backend;
  final SimulatedCheckpointService service;
  final CheckpointHttpServer server;
  /** Every request and streamed line, with the time it was logged. */
  final Queue<Logged> log = new ConcurrentLinkedQueue<>();

  record Logged(long nanoTime, String message) {}

  Backend(Duration replicationLag) {
    backend = SimulatedBackend.create(SimulatedCheckpointService.builder(Scheduler.system())
        .replicationLag(replicationLag));
    service = backend.service();
    server = CheckpointHttpServer.builder(service).port(0).dataService(backend)
        .keepAliveInterval(Duration.ofMillis(250))
        .log(message -> log.add(new Logged(System.nanoTime(), message))).start();
  }

  URI endpoint() {
    return server.endpoint();
  }

  /** A write to the source database, as another client or the backend itself makes one. */
  void putTodo(String userId, String id, String title) {
    backend.applyUpload(userId, List.of(new Operation(OperationKind.PUT, "todos", id,
        Map.of("title", title, "status", "open"))));
  }

  Optional<String> serverTitle(String userId, String id) {
    return backend.row(userId, "todos", id).map(row -> (String) row.get("title"));
  }

  /** @return the logged messages that contain {@code text}, logged at or after {@code since} */
  List<Logged> logged(String text, long since) {
    List<Logged> found = new ArrayList<>();
    for (Logged entry : log) {
      if (entry.nanoTime() - since >= 0 && entry.message().contains(text)) {
        found.add(entry);
      }
    }
    return found;
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

  @Override
  public void close() {
    server.close();
  }
}
