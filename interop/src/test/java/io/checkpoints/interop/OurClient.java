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

/**
 * Our own client as a host app wires it: our SQLite store, the domain's client flow (checkpoint
 * requests), the stream reader of adapter-http, and a publisher that applies the downloaded bucket
 * rows to the host's {@code todos} table in the transaction that records the checkpoint as
 * applied. Everything that touches the domain's client API is in this class, so that only it
 * changes when that API does. Thread-safe: the downloaded rows are guarded by this object, the
 * rest by the store and the domain.
 */
final class OurClient implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final String userId;
  private final SqliteCheckpointStore store;
  private final SyncClient client;
  private final SyncConnection connection;
  private final HttpClient http = HttpClient.newHttpClient();
  // Guarded by this: the rows of the bucket as downloaded so far, null for a removed row.
  private final Map<String, String> downloadedTitles = new LinkedHashMap<>();
  private SyncStream stream;

  OurClient(Path databaseFile, URI endpoint, String userId) {
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

  void connect() throws Exception {
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

  /** Uploads the queue to the backend as one batch, then completes it (the write checkpoint). */
  void upload() throws Exception {
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

  Optional<String> title(String id) {
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

  boolean queueEmpty() {
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
    for (Map.Entry<String, String> row : rows.entrySet()) {
      if (row.getValue() == null) {
        update(tx, "DELETE FROM todos WHERE id = ?", row.getKey());
      } else {
        update(tx, "INSERT OR REPLACE INTO todos (id, title) VALUES (?, ?)", row.getKey(),
            row.getValue());
      }
    }
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

  @Override
  public void close() {
    if (stream != null) {
      stream.close();
    }
    connection.disconnect();
    store.close();
  }
}
