package io.checkpoints.e2e;

import io.checkpoints.adapter.http.CheckpointHttpServer;
import io.checkpoints.adapter.http.HttpCheckpointTransport;
import io.checkpoints.adapter.http.SyncStream;
import io.checkpoints.adapter.http.SyncStreamReader;
import io.checkpoints.adapter.inmemory.SimulatedCheckpointService;
import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.adapter.sqlite.SqliteStoreOptions;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.domain.SyncConnection;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestTransport;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Credentials;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.support.ManualScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One simulated PowerSync service behind a loopback HTTP server, and one client on a SQLite file
 * that talks to it through the HTTP transport and the sync-stream reader. Service and client share
 * one virtual clock that the test advances; HTTP itself is real, so waits have real-time bounds.
 */
final class World implements AutoCloseable {

  static final ClientId CLIENT = ClientId.of("e2e-client");
  private static final long WAIT_SECONDS = 10;

  final ManualScheduler clock = ManualScheduler.create();
  final SimulatedCheckpointService service;
  final CheckpointHttpServer server;
  final SqliteCheckpointStore store;
  final SyncClient client;
  private final List<SyncStream> streams = new ArrayList<>();
  private final AtomicInteger posts = new AtomicInteger();
  private String user;
  private SyncConnection connection;

  World(Path directory, Duration replicationLag) {
    service = SimulatedCheckpointService.builder(clock).replicationLag(replicationLag).build();
    server = CheckpointHttpServer.start(service);
    store = SqliteCheckpointStore.open(directory.resolve("client.db"),
        SqliteStoreOptions.defaults().withClientIdIfAbsent(CLIENT));
    client = SyncClient.builder(store).scheduler(clock).build();
  }

  /** Connects as {@code userId} in requests mode and opens the sync stream. */
  CompletableFuture<CheckpointRequestId> connect(String userId, boolean withUserSequence) {
    user = userId;
    Credentials credentials = Credentials.fixed(CheckpointHttpServer.developmentToken(userId));
    CheckpointRequestTransport http = HttpCheckpointTransport.builder(server.endpoint(), credentials).build();
    connection = SyncConnection.builder(client, new CheckpointRequestTransport() {
      @Override
      public CompletableFuture<CheckpointRequestId> postCheckpointRequest(CheckpointRequest request) {
        posts.incrementAndGet(); // counted when sent, on the thread that sends it
        return http.postCheckpointRequest(request);
      }

      @Override
      public CompletableFuture<WriteCheckpoint> fetchLegacyWriteCheckpoint(ClientId clientId) {
        return http.fetchLegacyWriteCheckpoint(clientId);
      }
    }).build();
    CompletableFuture<CheckpointRequestId> seeded = withUserSequence
        ? connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId(userId))
        : connection.connect(CheckpointMode.REQUESTS);
    SyncStreamReader reader = SyncStreamReader.builder(server.endpoint(), credentials).build();
    streams.add(reader.open(CLIENT, line -> {
      if (client.isIterationActive()) {
        client.handleLine(line);
      }
    }, other -> {}));
    return seeded;
  }

  /** @return how many checkpoint requests the client has sent so far */
  int posts() {
    return posts.get();
  }

  SyncConnection connection() {
    return connection;
  }

  /** Ends the stream and the iteration, as a client going offline does. */
  void disconnect() {
    streams.forEach(SyncStream::close);
    streams.clear();
    connection.disconnect();
  }

  CheckpointRequestId storedId() {
    return service.storedId(user, CLIENT).orElseThrow();
  }

  static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    streams.forEach(SyncStream::close);
    server.close();
    store.close();
  }
}
