package io.checkpoints.adapter.http;

import io.checkpoints.testkit.support.CapturedLog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkpoints.adapter.inmemory.ServiceCall;
import io.checkpoints.adapter.inmemory.ServiceFault;
import io.checkpoints.adapter.inmemory.SimulatedCheckpointService;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestRejectedException;
import io.checkpoints.ports.CheckpointService;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.support.ManualScheduler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointHttpServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();
  private static final String ALICE = "Token " + CheckpointHttpServer.developmentToken("alice");

  private final ManualScheduler clock = ManualScheduler.startingAt(Instant.parse("2026-01-01T00:00:00Z"));
  private final SimulatedCheckpointService service = SimulatedCheckpointService.create(clock);
  private CheckpointHttpServer server = CheckpointHttpServer.builder(service).scheduler(clock).start();

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return CLIENT.send(request.timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder post(String path, String body, String authorization) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(server.endpoint().resolve(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    return authorization == null ? builder : builder.header("Authorization", authorization);
  }

  private HttpResponse<String> postRequest(String body, String authorization) throws Exception {
    return send(post("/sync/checkpoint-request", body, authorization));
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  private static void assertError(HttpResponse<String> response, int status, String code)
      throws IOException {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode error = json(response).get("error");
    assertThat(error.get("code").textValue()).isEqualTo(code);
    assertThat(error.get("status").intValue()).isEqualTo(status);
    assertThat(error.get("description").textValue()).isNotBlank();
  }

  @Test
  void refusesBadBuilderArguments() {
    CheckpointHttpServerBuilder builder = CheckpointHttpServer.builder(service);
    assertThatThrownBy(() -> builder.port(-1)).isInstanceOf(CheckpointArgumentException.class);
    assertThatThrownBy(() -> builder.port(65536)).isInstanceOf(CheckpointArgumentException.class);
    assertThatThrownBy(() -> builder.keepAliveInterval(Duration.ZERO))
        .isInstanceOf(CheckpointArgumentException.class);
    assertThatThrownBy(() -> builder.maxRequestBytes(Integer.MAX_VALUE))
        .isInstanceOf(CheckpointArgumentException.class);
    assertThatThrownBy(() -> builder.maxQueuedLines(0))
        .isInstanceOf(CheckpointArgumentException.class);
  }

  @Test
  void listensOnLoopbackOnly() {
    assertThat(server.endpoint().getHost()).isEqualTo("127.0.0.1");
    assertThat(server.port()).isPositive();
    assertThat(server.endpoint()).isEqualTo(URI.create("http://127.0.0.1:" + server.port()));
  }

  @Nested
  class CheckpointRequests {

    @Test
    void acceptsARequestAndAnswersWithTheIdAsAString() throws Exception {
      HttpResponse<String> response =
          postRequest("{\"client_id\": \"c1\", \"checkpoint_request_id\": \"42\"}", ALICE);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
      assertThat(response.body()).isEqualTo("{\"data\":{\"checkpoint_request_id\":\"42\"}}");
      assertThat(service.storedId("alice", ClientId.of("c1"))).contains(CheckpointRequestId.of(42));
    }

    @ParameterizedTest(name = "id {0}")
    @ValueSource(strings = {"\"+42\"", "\"0042\"", "42", "42.0", "9007199254740991",
        "\"9223372036854775807\""})
    void acceptsDecimalStringsAndSafeIntegerNumbers(String id) throws Exception {
      HttpResponse<String> response =
          postRequest("{\"client_id\": \"c1\", \"checkpoint_request_id\": " + id + "}", ALICE);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(service.storedId("alice", ClientId.of("c1"))).isPresent();
    }

    @ParameterizedTest(name = "body {0}")
    @ValueSource(strings = {
        "{\"client_id\": \"c1\", \"checkpoint_request_id\": \"0\"}",
        "{\"client_id\": \"c1\", \"checkpoint_request_id\": \"-1\"}",
        "{\"client_id\": \"c1\", \"checkpoint_request_id\": \"9223372036854775808\"}",
        "{\"client_id\": \"c1\", \"checkpoint_request_id\": \"abc\"}",
        "{\"client_id\": \"c1\", \"checkpoint_request_id\": \"4.2\"}",
        "{\"client_id\": \"c1\", \"checkpoint_request_id\": \"\"}",
        "{\"client_id\": \"c1\", \"checkpoint_request_id\": 0}",
        "{\"client_id\": \"c1\", \"checkpoint_request_id\": -1}",
        "{\"client_id\": \"c1\", \"checkpoint_request_id\": 9007199254740992}",
        "{\"client_id\": \"c1\", \"checkpoint_request_id\": 9223372036854775807}",
        "{\"client_id\": \"c1\", \"checkpoint_request_id\": 1.5}",
        "{\"client_id\": \"c1\", \"checkpoint_request_id\": true}",
        "{\"client_id\": \"c1\", \"checkpoint_request_id\": null}",
        "{\"client_id\": \"c1\"}",
        "{\"checkpoint_request_id\": \"1\"}",
        "{\"client_id\": 7, \"checkpoint_request_id\": \"1\"}",
        "{\"client_id\": \"  \", \"checkpoint_request_id\": \"1\"}",
        "{\"client_id\": null, \"checkpoint_request_id\": \"1\"}",
        "[]", "\"x\"", "", "not json", "{\"client_id\": \"c1\", \"checkpoint_request_id\": \"1\"} x",
    })
    void refusesInvalidBodiesWith400BeforeLookingAtTheToken(String body) throws Exception {
      // No Authorization header at all: validation comes first, so the answer is 400, not 401.
      assertError(postRequest(body, null), 400, "PSYNC_S2001");
      assertThat(service.recordCount()).isZero();
    }

    @ParameterizedTest(name = "Authorization \"{0}\"")
    @ValueSource(strings = {"", "Bearer abc", "Token not-a-jwt", "Token a.b.c"})
    void refusesAMissingOrMalformedTokenWith401(String authorization) throws Exception {
      assertError(postRequest("{\"client_id\": \"c1\", \"checkpoint_request_id\": \"1\"}",
          authorization.isEmpty() ? null : authorization), 401, "PSYNC_S2101");
      assertThat(service.recordCount()).isZero();
    }

    @Test
    void refusesAnExpiredTokenWith401() throws Exception {
      String token = "Token " + CheckpointHttpServer.developmentToken("alice",
          clock.wallTime().plusSeconds(60));
      String body = "{\"client_id\": \"c1\", \"checkpoint_request_id\": \"1\"}";
      assertThat(postRequest(body, token).statusCode()).isEqualTo(200);
      clock.advance(Duration.ofSeconds(60));
      assertError(postRequest(body, token), 401, "PSYNC_S2101");
    }

    @Test
    void refusesOtherMethodsAndLargeBodies() throws Exception {
      HttpResponse<String> get =
          send(HttpRequest.newBuilder(server.endpoint().resolve("/sync/checkpoint-request")).GET());
      assertError(get, 405, "METHOD_NOT_ALLOWED");
      assertThat(get.headers().firstValue("Allow")).contains("POST");

      String large = "{\"client_id\": \"" + "c".repeat(70 * 1024) + "\", \"checkpoint_request_id\": \"1\"}";
      assertError(postRequest(large, ALICE), 413, "PAYLOAD_TOO_LARGE");
    }

    @Test
    void unknownPathsAre404() throws Exception {
      assertError(send(post("/sync/request-checkpoint", "{}", ALICE)), 404, "NOT_FOUND");
      assertError(send(post("/sync/checkpoint-request/x", "{}", ALICE)), 404, "NOT_FOUND");
    }
  }

  @Nested
  class LegacyWriteCheckpoint {

    private HttpResponse<String> get(String query, String authorization) throws Exception {
      HttpRequest.Builder request = HttpRequest.newBuilder(
          server.endpoint().resolve("/write-checkpoint2.json" + query)).GET();
      return send(authorization == null ? request : request.header("Authorization", authorization));
    }

    @Test
    void answersTheStoredIdPlusOneAsAString() throws Exception {
      HttpResponse<String> response = get("?client_id=c1", ALICE);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("{\"data\":{\"write_checkpoint\":\"1\"}}");
      assertThat(get("?client_id=c1", ALICE).body())
          .isEqualTo("{\"data\":{\"write_checkpoint\":\"2\"}}");
    }

    @Test
    void decodesTheClientId() throws Exception {
      get("?x=1&client_id=a+b%26c", ALICE);
      assertThat(service.storedId("alice", ClientId.of("a b&c"))).isPresent();
    }

    @ParameterizedTest(name = "query \"{0}\"")
    @ValueSource(strings = {"", "?", "?client_id=", "?client_id=%20", "?clientid=c1"})
    void refusesAMissingClientIdWith400BeforeTheToken(String query) throws Exception {
      assertError(get(query, null), 400, "PSYNC_S2001");
    }

    @Test
    void needsAToken() throws Exception {
      assertError(get("?client_id=c1", null), 401, "PSYNC_S2101");
    }
  }

  @Nested
  class ServiceFailures {

    private final String body = "{\"client_id\": \"c1\", \"checkpoint_request_id\": \"1\"}";

    @Test
    void notSupportedIs404() throws Exception {
      service.setCheckpointRequestsSupported(false);
      assertError(postRequest(body, ALICE), 404, "NOT_FOUND");
    }

    @Test
    void unauthorizedIs401() throws Exception {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.unauthorized());
      assertError(postRequest(body, ALICE), 401, "PSYNC_S2101");
    }

    @Test
    void overloadedIs429WithAnEmptyBody() throws Exception {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.overloaded());
      HttpResponse<String> response = postRequest(body, ALICE);
      assertThat(response.statusCode()).isEqualTo(429);
      assertThat(response.body()).isEmpty();
    }

    @Test
    void aServerErrorKeepsItsStatus() throws Exception {
      service.injectFault(ServiceCall.LEGACY_WRITE_CHECKPOINT, 1, ServiceFault.serverError(503));
      HttpResponse<String> response = send(HttpRequest.newBuilder(
          server.endpoint().resolve("/write-checkpoint2.json?client_id=c1"))
          .header("Authorization", ALICE).GET());
      assertError(response, 503, "SERVICE_ERROR");
    }

    @Test
    void aDroppedResponseClosesTheConnectionWithoutAnAnswer() {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.dropResponse());
      assertThatThrownBy(() -> postRequest(body, ALICE)).isInstanceOf(IOException.class);
      assertThat(service.storedId("alice", ClientId.of("c1"))).isPresent();
    }

    @Test
    void aRejectionKeepsItsCodeAndOtherFailuresAre500() throws Exception {
      server.close();
      server = CheckpointHttpServer.start(new FailingService());
      HttpResponse<String> rejected =
          postRequest("{\"client_id\": \"c1\", \"checkpoint_request_id\": \"13\"}", ALICE);
      assertError(rejected, 400, "PSYNC_S2004");
      assertThat(json(rejected).get("error").get("description").textValue()).isEqualTo("unlucky");

      assertError(postRequest("{\"client_id\": \"c1\", \"checkpoint_request_id\": \"7\"}", ALICE),
          400, "PSYNC_S2001");
      try (CapturedLog log = new CapturedLog(CheckpointHttpServer.class)) {
        assertError(postRequest("{\"client_id\": \"c1\", \"checkpoint_request_id\": \"1\"}", ALICE),
            500, "SERVICE_ERROR");
        // Logged before the answer is sent, so it is there when the answer arrives.
        assertThat(log.records()).singleElement().satisfies(record -> {
          assertThat(record.getLevel()).isEqualTo(Level.WARNING);
          assertThat(record.getMessage()).isEqualTo("the checkpoint service failed");
          assertThat(record.getThrown()).hasMessage("the service has a bug");
        });
      }
      assertError(send(HttpRequest.newBuilder(
          server.endpoint().resolve("/write-checkpoint2.json?client_id=c1"))
          .header("Authorization", ALICE).GET()), 500, "SERVICE_ERROR");
    }
  }

  /** A service whose calls fail in ways the simulated service never does. */
  private static final class FailingService implements CheckpointService {
    @Override
    public CheckpointRequestId acceptCheckpointRequest(String userId, CheckpointRequest request) {
      if (request.id().value() == 13) {
        throw new CheckpointRequestRejectedException("PSYNC_S2004", "unlucky");
      }
      if (request.id().value() == 7) {
        throw new CheckpointArgumentException("seven is not allowed");
      }
      throw new IllegalStateException("the service has a bug");
    }

    @Override
    public WriteCheckpoint legacyWriteCheckpoint(String userId, ClientId clientId) {
      throw new io.checkpoints.ports.CheckpointTransportException.ServerError(302, "odd status");
    }

    @Override
    public StreamSubscription openStream(String userId, ClientId clientId, Consumer<SyncLine> sink) {
      // Floods the stream before the server starts writing, to overflow a small queue.
      for (int i = 0; i < 5; i++) {
        sink.accept(new SyncLine.Checkpoint(Integer.toString(i), Optional.empty()));
      }
      return () -> { };
    }
  }

  @Nested
  class Streams {

    private HttpResponse<InputStream> open(String body, String authorization) throws Exception {
      return CLIENT.send(post("/sync/stream", body, authorization).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void streamsTheServicesLinesAsNdjson() throws Exception {
      HttpResponse<InputStream> response = open("{\"client_id\": \"c1\", \"buckets\": []}", ALICE);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).contains("application/x-ndjson");
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        assertThat(lines.readLine()).isEqualTo("{\"checkpoint\":{\"last_op_id\":\"1\",\"buckets\":[]}}");
        assertThat(lines.readLine()).isEqualTo("{\"checkpoint_complete\":{\"last_op_id\":\"1\"}}");
        service.acceptCheckpointRequest("alice",
            new CheckpointRequest(ClientId.of("c1"), CheckpointRequestId.of(42)));
        assertThat(lines.readLine())
            .isEqualTo("{\"checkpoint\":{\"last_op_id\":\"2\",\"write_checkpoint\":\"42\",\"buckets\":[]}}");
        assertThat(lines.readLine()).isEqualTo("{\"checkpoint_complete\":{\"last_op_id\":\"2\"}}");
        assertThat(server.openStreamCount()).isEqualTo(1);

        service.disconnectStreams("alice");
        assertThat(lines.readLine()).isEqualTo("{\"token_expires_in\":0}");
        assertThat(lines.readLine()).as("the response ends after token expiry").isNull();
      }
    }

    @Test
    void validatesTheStartRequestBeforeTheToken() throws Exception {
      HttpResponse<String> response = send(post("/sync/stream", "{\"buckets\": []}", null));
      assertError(response, 400, "PSYNC_S2001");
      assertError(send(post("/sync/stream", "{\"client_id\": \"c1\"}", null)), 401, "PSYNC_S2101");
    }

    @Test
    void aStreamOpenFailureIsItsStatus() throws Exception {
      service.injectFault(ServiceCall.OPEN_STREAM, 1, ServiceFault.notSupported());
      assertError(send(post("/sync/stream", "{\"client_id\": \"c1\"}", ALICE)), 404, "NOT_FOUND");
      assertThat(service.openStreamCount()).isZero();
    }

    @Test
    void sendsKeepAlivesWithTheSecondsLeftAndEndsWhenTheTokenExpires() throws Exception {
      server.close();
      server = CheckpointHttpServer.builder(service).scheduler(clock)
          .keepAliveInterval(Duration.ofMillis(20))
          .start();
      String token = "Token " + CheckpointHttpServer.developmentToken("alice",
          clock.wallTime().plusSeconds(100));
      HttpResponse<InputStream> response = open("{\"client_id\": \"c1\"}", token);
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        lines.readLine();
        lines.readLine();
        assertThat(lines.readLine()).isEqualTo("{\"token_expires_in\":100}");
        clock.advance(Duration.ofSeconds(100));
        String line = lines.readLine();
        while ("{\"token_expires_in\":100}".equals(line)) {
          line = lines.readLine();
        }
        assertThat(line).isEqualTo("{\"token_expires_in\":0}");
        assertThat(lines.readLine()).isNull();
      }
    }

    @Test
    void aTokenWithoutExpiryGetsTheLargestKeepAlive() throws Exception {
      server.close();
      server = CheckpointHttpServer.builder(service).keepAliveInterval(Duration.ofMillis(20)).start();
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(
          open("{\"client_id\": \"c1\"}", ALICE).body(), StandardCharsets.UTF_8))) {
        lines.readLine();
        lines.readLine();
        assertThat(lines.readLine()).isEqualTo("{\"token_expires_in\":2147483647}");
      }
    }

    @Test
    void aClientThatGoesAwayEndsItsSubscription() throws Exception {
      server.close();
      server = CheckpointHttpServer.builder(service).keepAliveInterval(Duration.ofMillis(20)).start();
      HttpResponse<InputStream> response = open("{\"client_id\": \"c1\"}", ALICE);
      response.body().readNBytes(10);
      assertThat(service.openStreamCount()).isEqualTo(1);
      response.body().close();
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (service.openStreamCount() > 0 || server.openStreamCount() > 0) {
        assertThat(System.nanoTime()).as("the server noticed the client left").isLessThan(deadline);
        Thread.onSpinWait();
      }
    }

    @Test
    void aClientThatFallsTooFarBehindIsCutOff() throws Exception {
      server.close();
      server = CheckpointHttpServer.builder(new FailingService()).maxQueuedLines(3).start();
      HttpResponse<InputStream> response = open("{\"client_id\": \"c1\"}", ALICE);
      assertThat(response.statusCode()).isEqualTo(200);
      try (InputStream body = response.body()) {
        assertThat(body.readAllBytes()).isEmpty();
      }
    }

    @Test
    void closingTheServerEndsStreamsCleanlyAndStopsItsThreads() throws Exception {
      HttpResponse<InputStream> response = open("{\"client_id\": \"c1\"}", ALICE);
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        lines.readLine();
        lines.readLine();
        server.close();
        assertThat(lines.readLine()).isNull();
      }
      assertThat(service.openStreamCount()).isZero();
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (Thread.getAllStackTraces().keySet().stream()
          .anyMatch(t -> t.getName().startsWith(server.threadNamePrefix()) && t.isAlive())) {
        assertThat(System.nanoTime()).as("the server's threads stopped").isLessThan(deadline);
        Thread.onSpinWait();
      }
      assertThatThrownBy(() -> postRequest("{}", ALICE))
          .isInstanceOf(ConnectException.class);
    }
  }
}
