package io.checkpoints.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkpoints.adapter.inmemory.SimulatedBackend;
import io.checkpoints.adapter.inmemory.SimulatedCheckpointService;
import io.checkpoints.testkit.support.ManualScheduler;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The simulated backend behind the server: the upload endpoint and the bucket in the stream. */
@Timeout(30)
class BackendEndpointsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final String ALICE = "Token " + CheckpointHttpServer.developmentToken("alice");

  private final ManualScheduler clock = ManualScheduler.create();
  private final SimulatedBackend backend =
      SimulatedBackend.create(SimulatedCheckpointService.builder(clock));
  private final Queue<String> log = new ConcurrentLinkedQueue<>();
  private final CheckpointHttpServer server = CheckpointHttpServer.builder(backend.service())
      .dataService(backend).log(log::add).start();

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> upload(String body, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            server.endpoint().resolve(CheckpointHttpServer.UPLOAD_PATH))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Opens a stream and reads its first {@code count} lines. */
  private List<JsonNode> streamLines(String body, int count) throws Exception {
    HttpResponse<InputStream> response = CLIENT.send(HttpRequest.newBuilder(
            server.endpoint().resolve("/sync/stream"))
        .header("Authorization", ALICE)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    List<JsonNode> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      while (lines.size() < count) {
        lines.add(JSON.readTree(reader.readLine()));
      }
    }
    return lines;
  }

  @Test
  void anUploadIsStreamedBackAsTheUsersBucketWithMatchingChecksums() throws Exception {
    HttpResponse<String> response = upload("{\"operations\": ["
        + "{\"op\": \"PUT\", \"type\": \"todos\", \"id\": \"t1\", \"data\": {\"title\": \"a\","
        + " \"count\": 2, \"ratio\": 0.5, \"done\": false, \"note\": null}},"
        + "{\"op\": \"PUT\", \"type\": \"todos\", \"id\": \"t2\", \"data\": {\"title\": \"b\"}},"
        + "{\"op\": \"DELETE\", \"type\": \"todos\", \"id\": \"t2\"}]}", ALICE);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).at("/data/applied").asInt()).isEqualTo(3);

    List<JsonNode> lines = streamLines("{\"client_id\": \"c1\"}", 3);

    JsonNode checkpoint = lines.get(0).get("checkpoint");
    JsonNode data = lines.get(1).get("data");
    JsonNode complete = lines.get(2).get("checkpoint_complete");
    assertThat(checkpoint.at("/buckets/0/bucket").asText()).isEqualTo("user:alice");
    assertThat(checkpoint.at("/buckets/0/count").asInt()).isEqualTo(3);
    int sum = 0;
    for (JsonNode entry : data.get("data")) {
      sum += entry.get("checksum").asInt();
    }
    assertThat(checkpoint.at("/buckets/0/checksum").asInt()).isEqualTo(sum);
    assertThat(data.get("data")).extracting(entry -> entry.get("op").asText())
        .containsExactly("PUT", "PUT", "REMOVE");
    JsonNode first = data.get("data").get(0);
    assertThat(first.get("object_type").asText()).isEqualTo("todos");
    assertThat(JSON.readTree(first.get("data").asText())).isEqualTo(JSON.readTree(
        "{\"title\": \"a\", \"count\": 2, \"ratio\": 0.5, \"done\": false, \"note\": null}"));
    assertThat(data.get("data").get(2).get("data").isNull()).isTrue();
    assertThat(complete.get("last_op_id").asText())
        .isEqualTo(checkpoint.get("last_op_id").asText())
        .isEqualTo(data.get("next_after").asText());
    assertThat(log).contains("POST " + CheckpointHttpServer.UPLOAD_PATH)
        .anyMatch(line -> line.startsWith("stream alice <- {\"data\":"));
  }

  @Test
  void aStreamResumesAfterTheOpIdTheClientHas() throws Exception {
    upload("{\"operations\": [{\"op\": \"PUT\", \"type\": \"todos\", \"id\": \"t1\","
        + " \"data\": {\"title\": \"a\"}}]}", ALICE);
    long firstOpId = backend.bucketData("alice", 0).lastOpId();
    upload("{\"operations\": [{\"op\": \"PATCH\", \"type\": \"todos\", \"id\": \"t1\","
        + " \"data\": {\"title\": \"b\"}}]}", ALICE);

    List<JsonNode> lines = streamLines("{\"client_id\": \"c1\", \"buckets\": [{\"name\":"
        + " \"user:alice\", \"after\": \"" + firstOpId + "\"}]}", 2);

    assertThat(lines.get(0).at("/checkpoint/buckets/0/count").asInt()).isEqualTo(2);
    assertThat(lines.get(1).at("/data/after").asText()).isEqualTo(Long.toString(firstOpId));
    assertThat(lines.get(1).at("/data/data")).singleElement()
        .satisfies(entry -> assertThat(entry.get("data").asText()).contains("\"b\""));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "not json",
      "[]",
      "{}",
      "{\"operations\": {}}",
      "{\"operations\": [42]}",
      "{\"operations\": [{\"op\": \"UPSERT\", \"type\": \"todos\", \"id\": \"t9\", \"data\": {}}]}",
      "{\"operations\": [{\"op\": 1, \"type\": \"todos\", \"id\": \"t9\", \"data\": {}}]}",
      "{\"operations\": [{\"type\": \"todos\", \"id\": \"t9\", \"data\": {}}]}",
      "{\"operations\": [{\"op\": \"PUT\", \"type\": \"todos\", \"id\": 9, \"data\": {}}]}",
      "{\"operations\": [{\"op\": \"PUT\", \"type\": \"todos\", \"id\": \"\", \"data\": {}}]}",
      "{\"operations\": [{\"op\": \"PUT\", \"type\": \"\", \"id\": \"t9\", \"data\": {}}]}",
      "{\"operations\": [{\"op\": \"PUT\", \"type\": \"todos\", \"id\": \"t9\"}]}",
      "{\"operations\": [{\"op\": \"PUT\", \"type\": \"todos\", \"id\": \"t9\", \"data\": []}]}",
      "{\"operations\": [{\"op\": \"PUT\", \"type\": \"todos\", \"id\": \"t9\","
          + " \"data\": {\"nested\": {\"a\": 1}}}]}",
      "{\"operations\": [{\"op\": \"PUT\", \"type\": \"todos\", \"id\": \"t9\","
          + " \"data\": {\"big\": 99999999999999999999}}]}",
      "{\"operations\": [{\"op\": \"PUT\", \"type\": \"todos\", \"id\": \"t9\","
          + " \"data\": {\"id\": \"t8\"}}]}",
      "{\"operations\": [{\"op\": \"DELETE\", \"type\": \"todos\", \"id\": \"t1\","
          + " \"data\": {\"title\": \"x\"}}]}",
      // One good operation before a bad one: the batch is refused whole.
      "{\"operations\": [{\"op\": \"PUT\", \"type\": \"todos\", \"id\": \"t9\", \"data\": {}},"
          + " {\"op\": \"REMOVE\", \"type\": \"todos\", \"id\": \"t1\"}]}"})
  void aBadUploadGets400AndChangesNoRow(String body) throws Exception {
    upload("{\"operations\": [{\"op\": \"PUT\", \"type\": \"todos\", \"id\": \"t1\","
        + " \"data\": {\"title\": \"kept\"}}]}", ALICE);
    long opsBefore = backend.bucketData("alice", 0).count();

    HttpResponse<String> response = upload(body, ALICE);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).at("/error/code").asText())
        .isEqualTo("PSYNC_S2001");
    assertThat(JSON.readTree(response.body()).at("/error/description").asText()).isNotBlank();
    assertThat(backend.rowCount("alice")).isEqualTo(1);
    assertThat(backend.row("alice", "todos", "t1")).hasValueSatisfying(
        row -> assertThat(row).containsEntry("title", "kept"));
    assertThat(backend.bucketData("alice", 0).count()).isEqualTo(opsBefore);
  }

  @Test
  void anUploadWithoutATokenGets401AndChangesNoRow() throws Exception {
    HttpResponse<String> response = upload("{\"operations\": [{\"op\": \"PUT\", \"type\":"
        + " \"todos\", \"id\": \"t1\", \"data\": {}}]}", null);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(response.body()).at("/error/code").asText())
        .isEqualTo("PSYNC_S2101");
    assertThat(backend.rowCount("alice")).isZero();
  }

  @Test
  void theUploadEndpointNeedsPostAndABackend() throws Exception {
    HttpResponse<String> get = CLIENT.send(HttpRequest.newBuilder(
            server.endpoint().resolve(CheckpointHttpServer.UPLOAD_PATH))
        .header("Authorization", ALICE).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);

    try (CheckpointHttpServer withoutBackend = CheckpointHttpServer.start(
        SimulatedCheckpointService.create(clock))) {
      URI upload = withoutBackend.endpoint().resolve(CheckpointHttpServer.UPLOAD_PATH);
      HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(upload)
          .header("Authorization", ALICE)
          .POST(HttpRequest.BodyPublishers.ofString("{\"operations\": []}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(404);
    }
  }
}
