package io.checkpoints.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.checkpoints.adapter.http.CheckpointHttpServer;
import io.checkpoints.adapter.http.HttpCheckpointTransport;
import io.checkpoints.adapter.http.SyncStream;
import io.checkpoints.adapter.http.SyncStreamReader;
import io.checkpoints.adapter.sqlite.SqliteCheckpointStore;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.domain.SyncConnection;
import io.checkpoints.domain.UploadBatch;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.Credentials;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.QueuedWrite;
import io.checkpoints.ports.UserKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Our own client as a host app wires it: our SQLite store, the domain's client flow (checkpoint
 * requests), the stream reader of adapter-http, and a publisher that applies the downloaded bucket
 * rows to the host's {@code todos} table in the transaction that records the checkpoint as
 * applied. Everything that touches the domain's client API is in this class, so that only it
 * changes when that API does. Public for the end-to-end benchmark (benchmarks module, through this
 * module's test-jar). Thread-safe: the rows downloaded and not yet published are guarded by this
 * object, the rest by the store and the domain.
 */
public final class OurClient implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final String userId;
  private final SqliteCheckpointStore store;
  private final SyncClient client;
  private final SyncConnection connection;
  private final HttpClient http = HttpClient.newHttpClient();
  // Guarded by this: the rows downloaded since the last published checkpoint, null for a removed
  // row. Only these are written at the next apply, so an apply costs what changed, not the bucket.
  private final Map<String, String> downloadedTitles = new LinkedHashMap<>();
  private SyncStream stream;

  /**
   * Opens (or creates) our SQLite store at {@code databaseFile} with a {@code todos} table; not
   * connected yet.
   *
   * @param databaseFile the database file
   * @param endpoint the service's endpoint
   * @param userId the user whose development token the client presents
   */
  public OurClient(Path databaseFile, URI endpoint, String userId) {
    this.endpoint = endpoint;
    this.userId = userId;
    this.store = SqliteCheckpointStore.open(databaseFile);
    store.inTransaction(tx -> update(tx,
        "CREATE TABLE IF NOT EXISTS todos (id TEXT PRIMARY KEY, title TEXT)"));
    this.client = SyncClient.builder(store).publisher((checkpoint, tx) -> publish(tx)).build();
    Credentials credentials = credentials();
    this.connection = SyncConnection.builder(client,
        HttpCheckpointTransport.builder(endpoint, credentials).build()).build();
  }

  private Credentials credentials() {
    return Credentials.fixed(CheckpointHttpServer.developmentToken(userId));
  }

  /**
   * Connects in requests mode (the initial request seeds the counter) and opens the sync stream.
   *
   * @throws Exception if the service does not answer within 10 s
   */
  public void connect() throws Exception {
    connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId(userId)).get(10, TimeUnit.SECONDS);
    stream = SyncStreamReader.builder(endpoint, credentials()).build()
        .open(client.clientId(), connection::handleLine, this::download);
  }

  /** A local write as a host's view trigger makes it: the row and the queue, one transaction. */
  void writeLocally(String id, String title) {
    store.inTransaction(tx -> {
      update(tx, "UPDATE todos SET title = ? WHERE id = ?", title, id);
      ObjectNode crud = JSON.createObjectNode().put("op", "PATCH").put("type", "todos")
          .put("id", id);
      crud.putObject("data").put("title", title);
      return update(tx, "INSERT INTO ps_crud (data, tx_id) VALUES (?, 1)", crud.toString());
    });
  }

  /**
   * A new row as a host's view trigger queues it: the row and its {@code PUT} in {@code ps_crud},
   * one transaction (the store's trigger arms the gate).
   *
   * @param id the new row's id
   * @param title its title
   */
  public void insertLocally(String id, String title) {
    store.inTransaction(tx -> {
      update(tx, "INSERT INTO todos (id, title) VALUES (?, ?)", id, title);
      ObjectNode crud = JSON.createObjectNode().put("op", "PUT").put("type", "todos")
          .put("id", id);
      crud.putObject("data").put("title", title).put("status", "open");
      return update(tx, "INSERT INTO ps_crud (data, tx_id) VALUES (?, 1)", crud.toString());
    });
  }

  /**
   * Uploads the queue to the backend as one batch, then completes it (the write checkpoint).
   *
   * @throws Exception if the backend refuses the upload or the write checkpoint fails
   */
  public void upload() throws Exception {
    UploadBatch batch = connection.nextUploadBatch(100).orElseThrow();
    ObjectNode body = JSON.createObjectNode();
    for (QueuedWrite write : batch.writes()) {
      ObjectNode operation = body.withArray("operations").addObject()
          .put("op", write.operation().name()).put("type", write.table()).put("id", write.rowId());
      if (write.operation() != LocalWrite.Operation.DELETE) {
        operation.set("data", JSON.readTree(write.dataJson()));
      }
    }
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
            endpoint.resolve(CheckpointHttpServer.UPLOAD_PATH))
        .header("Authorization", "Token " + CheckpointHttpServer.developmentToken(userId))
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("upload refused: " + response.body());
    }
    batch.complete().get(10, TimeUnit.SECONDS);
  }

  /**
   * After {@link #upload()}: waits until the client applied a checkpoint whose {@code
   * write_checkpoint} covers the target that the upload's write checkpoint set, which is when the
   * uploaded writes are synced.
   *
   * @param timeout the longest wait
   * @throws Exception if no such checkpoint is applied within {@code timeout}
   */
  public void awaitSynced(java.time.Duration timeout) throws Exception {
    client.status().awaitApplied(client.barrier().target().orElseThrow())
        .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * @param id the row's id
   * @return the row's title in the host's table, or empty when there is no such row
   */
  public Optional<String> title(String id) {
    return store.inTransaction(tx -> {
      try (PreparedStatement select = connection(tx).prepareStatement(
          "SELECT title FROM todos WHERE id = ?")) {
        select.setString(1, id);
        try (ResultSet rows = select.executeQuery()) {
          return rows.next() ? Optional.ofNullable(rows.getString(1)) : Optional.<String>empty();
        }
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** @return whether the upload queue is empty */
  public boolean queueEmpty() {
    return store.inTransaction(tx -> tx.uploadQueue().isEmpty());
  }

  private void download(String otherLine) {
    JsonNode data;
    try {
      data = JSON.readTree(otherLine).get("data");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (data == null) {
      return;
    }
    synchronized (this) {
      for (JsonNode entry : data.get("data")) {
        String id = entry.get("object_id").asText();
        if ("PUT".equals(entry.get("op").asText())) {
          try {
            downloadedTitles.put(id, JSON.readTree(entry.get("data").asText()).path("title")
                .asText(null));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        } else {
          downloadedTitles.put(id, null);
        }
      }
    }
  }

  private void publish(CheckpointTransaction tx) {
    Map<String, String> rows;
    synchronized (this) {
      rows = new LinkedHashMap<>(downloadedTitles);
    }
    rows.forEach(publishRow(tx));
    // Published rows leave the pending map once the apply commits, unless downloaded again since;
    // a rolled-back apply keeps them for the next one.
    tx.afterCompletion(committed -> {
      if (committed) {
        synchronized (this) {
          rows.forEach(downloadedTitles::remove);
        }
      }
    });
  }

  private static BiConsumer<String, String> publishRow(CheckpointTransaction tx) {
    return (id, title) -> {
      if (title == null) {
        update(tx, "DELETE FROM todos WHERE id = ?", id);
      } else {
        update(tx, "INSERT OR REPLACE INTO todos (id, title) VALUES (?, ?)", id, title);
      }
    };
  }

  private static Connection connection(CheckpointTransaction tx) {
    return tx.unwrap(Connection.class).orElseThrow();
  }

  private static Integer update(CheckpointTransaction tx, String sql, Object... parameters) {
    try (PreparedStatement statement = connection(tx).prepareStatement(sql)) {
      for (int index = 0; index < parameters.length; index++) {
        statement.setObject(index + 1, parameters[index]);
      }
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Closes the stream, the connection and the store. */
  @Override
  public void close() {
    if (stream != null) {
      stream.close();
    }
    connection.disconnect();
    store.close();
  }
}
