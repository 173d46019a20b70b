package io.checkpoints.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.http.CheckpointHttpServer;
import io.checkpoints.adapter.http.HttpCheckpointTransport;
import io.checkpoints.adapter.http.SyncStream;
import io.checkpoints.adapter.http.SyncStreamReader;
import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.adapter.inmemory.SimulatedCheckpointService;
import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.domain.CheckpointHandle;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.domain.SyncConnection;
import io.checkpoints.domain.UploadBatch;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestTransport;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Credentials;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.QueuedWrite;
import io.checkpoints.ports.Scheduler;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.support.ManualScheduler;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples of docs/embedding.md, compiled and run: each snippet of the document stands here
 * between "docs:" markers, and {@link #everySnippetOfTheDocumentIsHere()} checks that the document
 * shows exactly this code, so the examples cannot rot.
 */
class EmbeddingExamplesTest {

  @TempDir
  Path directory;

  @Test
  void anSdkOnSqliteAgainstTheService() throws Exception {
    SimulatedCheckpointService service = SimulatedCheckpointService.create(Scheduler.system());
    try (CheckpointHttpServer server = CheckpointHttpServer.start(service)) {
      URI endpoint = server.endpoint();
      Path databaseFile = directory.resolve("app.db");
      String userId = "alice";
      Credentials credentials = Credentials.fixed(CheckpointHttpServer.developmentToken(userId));

      // docs:wiring
      SqliteCheckpointStore store = SqliteCheckpointStore.open(databaseFile);
      SyncClient client = SyncClient.builder(store)
          .publisher((checkpoint, tx) -> {
            Connection connection = tx.unwrap(Connection.class).orElseThrow();
            publishDownloadedRows(connection, checkpoint.lastOpId()); // same transaction as last_applied
          })
          .build();
      SyncConnection connection = SyncConnection.builder(client,
              HttpCheckpointTransport.builder(endpoint, credentials).build())
          .build();

      connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId(userId));
      SyncStream stream = SyncStreamReader.builder(endpoint, credentials).build()
          .open(client.clientId(), client::handleLine, otherLine -> handleBucketData(otherLine));
      // docs:end

      // docs:writes
      client.barrier().recordLocalWrite(LocalWrite.put("todos", "t1", "{\"done\":true}")); // arms the gate
      UploadBatch batch = connection.nextUploadBatch(100).orElseThrow(); // oldest writes, in order
      uploadToYourBackend(batch.writes());          // the host's own upload
      batch.complete().get(10, TimeUnit.SECONDS);   // removes exactly those, then the write checkpoint
      // docs:end

      // docs:wait
      CheckpointHandle handle = connection.requestCheckpoint().get(10, TimeUnit.SECONDS);
      WriteCheckpoint synced = handle.waitForSync(Duration.ofSeconds(30)).get();
      // docs:end

      assertThat(synced.acknowledges(handle.id())).isTrue();
      assertThat(handle.hasSynced()).isTrue();
      assertThat(client.barrier().target()).isPresent();
      stream.close();
      connection.disconnect();
      store.close();
    }
  }

  @Test
  void aCustomTransportForAHostsOwnBackend() throws Exception {
    InMemoryCheckpointStore store = InMemoryCheckpointStore.create(ClientId.of("client-1"));
    SyncClient client = SyncClient.create(store);
    // docs:custom-transport
    CheckpointRequestTransport ownBackend = new CheckpointRequestTransport() {
      @Override
      public CompletableFuture<CheckpointRequestId> postCheckpointRequest(CheckpointRequest request) {
        return yourBackend().storeCheckpointRequest(request.clientId().value(), request.id().value())
            .thenApply(CheckpointRequestId::of);        // the id your backend accepted
      }

      @Override
      public CompletableFuture<WriteCheckpoint> fetchLegacyWriteCheckpoint(ClientId clientId) {
        return CompletableFuture.failedFuture(
            new UnsupportedOperationException("this backend only knows checkpoint requests"));
      }
    };
    SyncConnection connection = SyncConnection.builder(client, ownBackend).build();
    // docs:end
    assertThat(connection.connect(CheckpointMode.REQUESTS).get(5, TimeUnit.SECONDS))
        .isEqualTo(CheckpointRequestId.of(1));
  }

  @Test
  void testingInVirtualTime() {
    // docs:virtual-time
    ManualScheduler clock = ManualScheduler.create();
    SimulatedCheckpointService service = SimulatedCheckpointService.builder(clock)
        .replicationLag(Duration.ofSeconds(5))
        .build();
    SyncClient client = SyncClient.builder(InMemoryCheckpointStore.create(ClientId.of("c1")))
        .scheduler(clock)
        .build();
    SyncConnection connection = SyncConnection.builder(client,
        service.transport(Credentials.fixed("alice"), token -> token)).build();

    connection.connect(CheckpointMode.REQUESTS);
    service.openStream("alice", ClientId.of("c1"), client::handleLine);
    CompletableFuture<CheckpointHandle> request = connection.requestCheckpoint();
    CompletableFuture<WriteCheckpoint> synced = request.join().waitForSync();
    clock.advance(Duration.ofSeconds(5));   // replication reaches the request
    assertThat(synced).isCompleted();
    // docs:end
  }

  @Test
  void everySnippetOfTheDocumentIsHere() throws IOException {
    String document = Files.readString(Path.of("..", "docs", "embedding.md"));
    String source = Files.readString(Path.of("src", "test", "java", "io", "checkpoints", "e2e",
        "EmbeddingExamplesTest.java"));
    List<String> snippets = new ArrayList<>();
    Matcher blocks = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(document);
    while (blocks.find()) {
      snippets.add(blocks.group(1));
    }
    assertThat(snippets).as("java snippets in docs/embedding.md").hasSize(5);
    String normalizedSource = normalize(source);
    for (String snippet : snippets) {
      assertThat(normalizedSource).as("docs/embedding.md snippet is compiled here:%n%s", snippet)
          .contains(normalize(snippet));
    }
  }

  /** Indentation differs between the document and the class; compare line contents. */
  private static String normalize(String text) {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n")) {
      out.append(line.strip()).append('\n');
    }
    return out.toString();
  }

  private static void publishDownloadedRows(Connection connection, String lastOpId) {
    try (PreparedStatement statement = connection.prepareStatement("SELECT ?")) {
      statement.setString(1, lastOpId); // a real SDK copies the checkpoint's rows into its tables here
      statement.execute();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void handleBucketData(String line) {}

  private static void uploadToYourBackend(List<QueuedWrite> writes) {
    assertThat(writes).extracting(QueuedWrite::rowId).containsExactly("t1");
  }

  private interface YourBackend {
    CompletableFuture<Long> storeCheckpointRequest(String clientId, long id);
  }

  private static YourBackend yourBackend() {
    return (clientId, id) -> CompletableFuture.completedFuture(id);
  }
}
