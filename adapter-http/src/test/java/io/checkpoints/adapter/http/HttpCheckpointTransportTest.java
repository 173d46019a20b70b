package io.checkpoints.adapter.http;

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
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.support.ManualScheduler;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HttpCheckpointTransportTest {

  private static final ClientId CLIENT = ClientId.of("client-1");
  private static final HttpClient SHARED_CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  private static CheckpointRequest request(long id) {
    return new CheckpointRequest(CLIENT, CheckpointRequestId.of(id));
  }

  /** @return the future's failure as it is (not unwrapped), waiting up to 5 seconds */
  static Throwable failureOf(CompletableFuture<?> future) throws Exception {
    Throwable failure = future.handle((value, error) -> error).get(5, TimeUnit.SECONDS);
    assertThat(failure).as("the future failed").isNotNull();
    return failure;
  }

  static <T> T valueOf(CompletableFuture<T> future) throws Exception {
    return future.get(5, TimeUnit.SECONDS);
  }

  @Nested
  class AgainstTheSimulatedService {

    private final ManualScheduler serviceTime = ManualScheduler.create();
    private final SimulatedCheckpointService service = SimulatedCheckpointService.create(serviceTime);
    private final CheckpointHttpServer server = CheckpointHttpServer.start(service);
    private final CountingCredentials credentials =
        new CountingCredentials(CheckpointHttpServer.developmentToken("alice"));
    private final HttpCheckpointTransport transport =
        HttpCheckpointTransport.builder(server.endpoint(), credentials).build();

    @AfterEach
    void stop() {
      server.close();
    }

    @Test
    void postsAnIdAndGetsItBack() throws Exception {
      assertThat(valueOf(transport.postCheckpointRequest(request(42))))
          .isEqualTo(CheckpointRequestId.of(42));
      assertThat(service.storedId("alice", CLIENT)).contains(CheckpointRequestId.of(42));
    }

    @Test
    void aLowerIdIsAnsweredWithTheStoredOne() throws Exception {
      service.acceptCheckpointRequest("alice", request(42));
      assertThat(valueOf(transport.postCheckpointRequest(request(1))))
          .isEqualTo(CheckpointRequestId.of(42));
    }

    @Test
    void theMaximumIdTravelsAsAString() throws Exception {
      assertThat(valueOf(transport.postCheckpointRequest(request(Long.MAX_VALUE))))
          .isEqualTo(CheckpointRequestId.MAX);
    }

    @Test
    void fetchesTheLegacyWriteCheckpointSharedWithRequests() throws Exception {
      assertThat(valueOf(transport.fetchLegacyWriteCheckpoint(CLIENT)))
          .isEqualTo(WriteCheckpoint.of(1));
      service.acceptCheckpointRequest("alice", request(41));
      assertThat(valueOf(transport.fetchLegacyWriteCheckpoint(CLIENT)))
          .isEqualTo(WriteCheckpoint.of(42));
    }

    @Test
    void aClientIdThatNeedsEncodingReachesTheService() throws Exception {
      ClientId odd = ClientId.of("a b&c=d/é?");
      assertThat(valueOf(transport.fetchLegacyWriteCheckpoint(odd))).isEqualTo(WriteCheckpoint.of(1));
      assertThat(service.storedId("alice", odd)).contains(CheckpointRequestId.of(1));
    }

    @Test
    void theUserIsTheTokensSubject() throws Exception {
      credentials.give(CheckpointHttpServer.developmentToken("bob"));
      valueOf(transport.postCheckpointRequest(request(7)));
      assertThat(service.storedId("bob", CLIENT)).contains(CheckpointRequestId.of(7));
      assertThat(service.storedId("alice", CLIENT)).isEmpty();
    }

    @Test
    void a401InvalidatesTheCredentialsAndFailsUnauthorized() throws Exception {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.unauthorized());
      assertThat(failureOf(transport.postCheckpointRequest(request(1))))
          .isExactlyInstanceOf(CheckpointTransportException.Unauthorized.class)
          .hasMessageContaining("401");
      assertThat(credentials.invalidations).hasValue(1);
      // The transport itself does not retry: the next call is the client flow's decision.
      assertThat(service.storedId("alice", CLIENT)).isEmpty();
    }

    @Test
    void aTokenWithoutSubjectIsRefusedWith401() throws Exception {
      credentials.give("not-a-jwt");
      assertThat(failureOf(transport.postCheckpointRequest(request(1))))
          .isExactlyInstanceOf(CheckpointTransportException.Unauthorized.class);
      assertThat(credentials.invalidations).hasValue(1);
    }

    @Test
    void a404IsNotSupported() throws Exception {
      service.setCheckpointRequestsSupported(false);
      assertThat(failureOf(transport.postCheckpointRequest(request(1))))
          .isExactlyInstanceOf(CheckpointTransportException.NotSupported.class)
          .satisfies(e -> assertThat(((CheckpointTransportException) e).isRetryable()).isFalse());
      assertThat(valueOf(transport.fetchLegacyWriteCheckpoint(CLIENT))).isEqualTo(WriteCheckpoint.of(1));
    }

    @Test
    void a429IsOverloaded() throws Exception {
      service.injectFault(ServiceCall.LEGACY_WRITE_CHECKPOINT, 1, ServiceFault.overloaded());
      assertThat(failureOf(transport.fetchLegacyWriteCheckpoint(CLIENT)))
          .isExactlyInstanceOf(CheckpointTransportException.Overloaded.class);
      assertThat(credentials.invalidations).hasValue(0);
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {500, 502, 503, 599})
    void a5xxIsAServerErrorWithItsStatus(int status) throws Exception {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.serverError(status));
      assertThat(failureOf(transport.postCheckpointRequest(request(1))))
          .isInstanceOfSatisfying(CheckpointTransportException.ServerError.class,
              e -> assertThat(e.status()).isEqualTo(status));
    }

    @Test
    void aDroppedResponseIsUnreachableAlthoughTheServiceAcceptedTheRequest() throws Exception {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.dropResponse());
      assertThat(failureOf(transport.postCheckpointRequest(request(42))))
          .isExactlyInstanceOf(CheckpointTransportException.Unreachable.class);
      assertThat(service.storedId("alice", CLIENT)).contains(CheckpointRequestId.of(42));
      // Reposting is safe: the service answers max(posted, stored).
      assertThat(valueOf(transport.postCheckpointRequest(request(42))))
          .isEqualTo(CheckpointRequestId.of(42));
    }

    @Test
    void aDelayedAnswerArrivesWhenServiceTimePassesTheDelay() throws Exception {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.delay(Duration.ofSeconds(5)));
      CompletableFuture<CheckpointRequestId> answer = transport.postCheckpointRequest(request(3));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (serviceTime.pendingTasks() == 0) {
        assertThat(System.nanoTime()).as("the request reached the service").isLessThan(deadline);
        Thread.onSpinWait();
      }
      assertThat(answer).isNotDone();
      serviceTime.advance(Duration.ofSeconds(5));
      assertThat(valueOf(answer)).isEqualTo(CheckpointRequestId.of(3));
    }
    @Test
    void closingTheServerWhileTheServiceHoldsARequestFailsItAsUnreachable() throws Exception {
      service.injectFault(ServiceCall.CHECKPOINT_REQUEST, 1, ServiceFault.delay(Duration.ofHours(1)));
      CompletableFuture<CheckpointRequestId> answer = transport.postCheckpointRequest(request(3));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (serviceTime.pendingTasks() == 0) {
        assertThat(System.nanoTime()).as("the request reached the service").isLessThan(deadline);
        Thread.onSpinWait();
      }
      long start = System.nanoTime();
      server.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
      assertThat(failureOf(answer)).isExactlyInstanceOf(CheckpointTransportException.Unreachable.class);
    }

    @Test
    void servesManyConcurrentClients() throws Exception {
      java.util.List<CompletableFuture<CheckpointRequestId>> answers = new java.util.ArrayList<>();
      for (int client = 0; client < 8; client++) {
        for (long id = 1; id <= 5; id++) {
          answers.add(transport.postCheckpointRequest(
              new CheckpointRequest(ClientId.of("c" + client), CheckpointRequestId.of(id))));
        }
      }
      CompletableFuture.allOf(answers.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
      for (int i = 0; i < answers.size(); i++) {
        assertThat(answers.get(i).join().value()).isGreaterThanOrEqualTo(i % 5 + 1);
      }
      for (int client = 0; client < 8; client++) {
        assertThat(service.storedId("alice", ClientId.of("c" + client)))
            .contains(CheckpointRequestId.of(5));
      }
    }
  }

  @Nested
  class TheRequestsItSends {

    @Test
    void postsTheDocumentedBodyAndHeaders() throws Exception {
      try (CraftedHttpServer server = CraftedHttpServer.answering(200,
          "{\"data\": {\"checkpoint_request_id\": \"42\"}}")) {
        HttpCheckpointTransport transport = HttpCheckpointTransport
            .builder(server.endpoint(), new CountingCredentials("the-jwt"))
            .userAgent("test-agent/1.0")
            .build();
        valueOf(transport.postCheckpointRequest(request(42)));

        CraftedHttpServer.Request sent = server.nextRequest();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.target()).isEqualTo("/sync/checkpoint-request");
        assertThat(sent.headers())
            .containsEntry("authorization", "Token the-jwt")
            .containsEntry("content-type", "application/json")
            .containsEntry("user-agent", "test-agent/1.0");
        JsonNode body = new ObjectMapper().readTree(sent.body());
        assertThat(body.size()).isEqualTo(2);
        assertThat(body.get("client_id").textValue()).isEqualTo("client-1");
        assertThat(body.get("checkpoint_request_id").isTextual()).isTrue();
        assertThat(body.get("checkpoint_request_id").textValue()).isEqualTo("42");
      }
    }

    @Test
    void getsTheLegacyEndpointWithAnEncodedClientId() throws Exception {
      try (CraftedHttpServer server = CraftedHttpServer.answering(200,
          "{\"data\": {\"write_checkpoint\": \"7\"}}")) {
        HttpCheckpointTransport transport = HttpCheckpointTransport
            .builder(server.endpoint(), new CountingCredentials("t"))
            .httpClient(SHARED_CLIENT)
            .build();
        assertThat(valueOf(transport.fetchLegacyWriteCheckpoint(ClientId.of("a b&c"))))
            .isEqualTo(WriteCheckpoint.of(7));
        CraftedHttpServer.Request sent = server.nextRequest();
        assertThat(sent.method()).isEqualTo("GET");
        assertThat(sent.target()).isEqualTo("/write-checkpoint2.json?client_id=a+b%26c");
        assertThat(sent.headers()).containsEntry("authorization", "Token t")
            .containsEntry("user-agent", HttpCheckpointTransport.DEFAULT_USER_AGENT);
      }
    }

    @Test
    void pathsGoBelowAnEndpointWithAPathPrefix() throws Exception {
      try (CraftedHttpServer server = CraftedHttpServer.answering(200,
          "{\"data\": {\"checkpoint_request_id\": \"1\"}}")) {
        URI prefixed = URI.create(server.endpoint() + "/powersync/");
        HttpCheckpointTransport transport =
            HttpCheckpointTransport.builder(prefixed, new CountingCredentials("t")).build();
        valueOf(transport.postCheckpointRequest(request(1)));
        assertThat(server.nextRequest().target()).isEqualTo("/powersync/sync/checkpoint-request");
      }
    }
  }

  @Nested
  class CraftedResponses {

    private Throwable postAgainst(int status, String body) throws Exception {
      try (CraftedHttpServer server = CraftedHttpServer.answering(status, body)) {
        HttpCheckpointTransport transport = HttpCheckpointTransport
            .builder(server.endpoint(), new CountingCredentials("t"))
            .httpClient(SHARED_CLIENT)
            .build();
        return failureOf(transport.postCheckpointRequest(request(5)));
      }
    }

    /**
     * The failure of a post to a server that writes {@code response} as it is and closes the
     * connection; on a client of the transport's own, since the connection ends uncleanly.
     */
    private Throwable postToRaw(String response) throws Exception {
      try (CraftedHttpServer server = CraftedHttpServer.start((request, out, s) -> out.write(
          response.getBytes(StandardCharsets.US_ASCII)))) {
        HttpCheckpointTransport transport = HttpCheckpointTransport
            .builder(server.endpoint(), new CountingCredentials("t"))
            .build();
        return failureOf(transport.postCheckpointRequest(request(5)));
      }
    }

    private CheckpointRequestId acceptedFrom(String idJson) throws Exception {
      try (CraftedHttpServer server = CraftedHttpServer.answering(200,
          "{\"data\": {\"checkpoint_request_id\": " + idJson + "}}")) {
        HttpCheckpointTransport transport = HttpCheckpointTransport
            .builder(server.endpoint(), new CountingCredentials("t"))
            .httpClient(SHARED_CLIENT)
            .build();
        return valueOf(transport.postCheckpointRequest(request(5)));
      }
    }

    @ParameterizedTest(name = "id {0} is {1}")
    @CsvSource(delimiter = '|', value = {
        "\"5\"                   | 5",
        "\"43\"                  | 43",
        "\"0043\"                | 43",
        "\"+43\"                 | 43",
        "\"9223372036854775807\" | 9223372036854775807",
        "43                      | 43",
        "43.0                    | 43",
        "9007199254740991        | 9007199254740991",
    })
    void acceptsIdsAsDecimalStringsAndSafeNumbers(String json, long expected) throws Exception {
      assertThat(acceptedFrom(json)).isEqualTo(CheckpointRequestId.of(expected));
    }

    @ParameterizedTest(name = "id {0}")
    @ValueSource(strings = {
        "\"0\"", "\"-1\"", "\"9223372036854775808\"", "\"-9223372036854775809\"", "\"abc\"",
        "\"4.2\"", "\"\"", "\" 42\"", "\"1e3\"", "\"0x10\"",
        "0", "-5", "9007199254740992", "9223372036854775807", "4.5", "1e300",
        "true", "null", "[]", "{}"
    })
    void refusesIdsThatAreNotIn1ToMax(String json) throws Exception {
      assertThat(postAgainst(200, "{\"data\": {\"checkpoint_request_id\": " + json + "}}"))
          .isExactlyInstanceOf(CheckpointTransportException.MalformedResponse.class)
          .hasMessageContaining("checkpoint_request_id");
    }

    @Test
    void refusesAnAcceptedIdBelowThePostedOne() throws Exception {
      assertThat(postAgainst(200, "{\"data\": {\"checkpoint_request_id\": \"4\"}}"))
          .isExactlyInstanceOf(CheckpointTransportException.MalformedResponse.class)
          .hasMessageContaining("lower than the posted 5");
    }

    @ParameterizedTest(name = "body {0}")
    @ValueSource(strings = {
        "", "not json", "{\"data\": ", "[]", "{}", "{\"data\": null}", "{\"data\": []}",
        "{\"data\": {}}", "{\"data\": {\"checkpoint_request_id\": \"5\"}} trailing",
        "{\"data\": {\"checkpoint_request_id\": \"5\", \"checkpoint_request_id\": \"6\"}}",
        "{\"checkpoint_request_id\": \"5\"}"
    })
    void refusesBodiesThatAreNotTheExpectedJson(String body) throws Exception {
      assertThat(postAgainst(200, body))
          .isExactlyInstanceOf(CheckpointTransportException.MalformedResponse.class);
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {201, 202, 302, 403, 405, 409, 418, 499})
    void refusesUnexpectedStatuses(int status) throws Exception {
      assertThat(postAgainst(status, "{\"data\": {\"checkpoint_request_id\": \"5\"}}"))
          .isExactlyInstanceOf(CheckpointTransportException.MalformedResponse.class)
          .hasMessageContaining("unexpected HTTP status " + status);
    }

    @Test
    void a400CarriesTheServicesErrorCodeAndDescription() throws Exception {
      assertThat(postAgainst(400, "{\"error\": {\"code\": \"PSYNC_S2001\", \"status\": 400,"
          + " \"description\": \"checkpoint_request_id must be positive\"}}"))
          .isInstanceOfSatisfying(CheckpointRequestRejectedException.class,
              e -> assertThat(e.errorCode()).isEqualTo("PSYNC_S2001"))
          .hasMessageContaining("checkpoint_request_id must be positive");
    }

    @Test
    void a400MayCallItsDescriptionMessage() throws Exception {
      assertThat(postAgainst(400, "{\"error\": {\"code\": \"PSYNC_S2001\", \"message\": \"bad id\"}}"))
          .isInstanceOf(CheckpointRequestRejectedException.class)
          .hasMessageContaining("bad id");
    }

    @Test
    void a400WithoutAnErrorBodyIsStillRejected() throws Exception {
      assertThat(postAgainst(400, "<html>Bad Request</html>"))
          .isInstanceOfSatisfying(CheckpointRequestRejectedException.class,
              e -> assertThat(e.errorCode()).isEmpty())
          .isInstanceOf(CheckpointArgumentException.class);
    }

    @Test
    void a5xxCarriesTheDescription() throws Exception {
      assertThat(postAgainst(502, "{\"error\": {\"code\": \"X\", \"description\": \"storage down\"}}"))
          .isInstanceOfSatisfying(CheckpointTransportException.ServerError.class,
              e -> assertThat(e.status()).isEqualTo(502))
          .hasMessageContaining("storage down");
    }

    @Test
    void aBodyLargerThanTheLimitIsMalformed() throws Exception {
      String padding = "x".repeat(70 * 1024);
      assertThat(postAgainst(200, "{\"data\": {\"checkpoint_request_id\": \"5\", \"pad\": \""
          + padding + "\"}}"))
          .isExactlyInstanceOf(CheckpointTransportException.MalformedResponse.class)
          .hasMessageContaining("larger than the limit of 65536 bytes");
    }

    @Test
    void theLimitIsConfigurable() throws Exception {
      try (CraftedHttpServer server = CraftedHttpServer.answering(200,
          "{\"data\": {\"checkpoint_request_id\": \"5\", \"pad\": \"" + "x".repeat(2000) + "\"}}")) {
        HttpCheckpointTransport transport = HttpCheckpointTransport
            .builder(server.endpoint(), new CountingCredentials("t"))
            .maxResponseBytes(1024)
            .build();
        assertThat(failureOf(transport.postCheckpointRequest(request(5))))
            .isExactlyInstanceOf(CheckpointTransportException.MalformedResponse.class)
            .hasMessageContaining("1024");
      }
    }

    @Test
    void anErrorBodyLargerThanTheLimitIsMalformedToo() throws Exception {
      assertThat(postAgainst(503, "x".repeat(100 * 1024)))
          .isExactlyInstanceOf(CheckpointTransportException.MalformedResponse.class);
    }

    @Test
    void aBodyCutShortByTheConnectionIsUnreachable() throws Exception {
      assertThat(postToRaw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
          + "{\"data\": {\"checkpoint_"))
          .isExactlyInstanceOf(CheckpointTransportException.Unreachable.class);
    }

    @Test
    void aTruncatedBodyThatTheConnectionEndsCleanlyIsMalformed() throws Exception {
      // No Content-Length: the body is whatever comes until the connection closes.
      assertThat(postToRaw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
          + "{\"data\": {\"checkpoint_request_id\": \"5"))
          .isExactlyInstanceOf(CheckpointTransportException.MalformedResponse.class)
          .hasMessageContaining("not JSON");
    }

    @Test
    void aConnectionClosedWithoutAResponseIsUnreachable() throws Exception {
      try (CraftedHttpServer server = CraftedHttpServer.start((request, out, s) -> { })) {
        HttpCheckpointTransport transport = HttpCheckpointTransport
            .builder(server.endpoint(), new CountingCredentials("t"))
            .build();
        assertThat(failureOf(transport.fetchLegacyWriteCheckpoint(CLIENT)))
            .isExactlyInstanceOf(CheckpointTransportException.Unreachable.class);
      }
    }

    @ParameterizedTest(name = "write_checkpoint {0}")
    @ValueSource(strings = {"\"x\"", "\"9223372036854775808\"", "1.5", "9007199254740992", "null",
        "true"})
    void refusesALegacyWriteCheckpointThatIsNotA64BitInteger(String json) throws Exception {
      try (CraftedHttpServer server = CraftedHttpServer.answering(200,
          "{\"data\": {\"write_checkpoint\": " + json + "}}")) {
        HttpCheckpointTransport transport = HttpCheckpointTransport
            .builder(server.endpoint(), new CountingCredentials("t"))
            .httpClient(SHARED_CLIENT)
            .build();
        assertThat(failureOf(transport.fetchLegacyWriteCheckpoint(CLIENT)))
            .isExactlyInstanceOf(CheckpointTransportException.MalformedResponse.class)
            .hasMessageContaining("write_checkpoint");
      }
    }

    @ParameterizedTest(name = "write_checkpoint {0} is {1}")
    @CsvSource(delimiter = '|', value = {
        "\"-3\"                   | -3",
        "\"0\"                    | 0",
        "\"-9223372036854775808\" | -9223372036854775808",
        "-9007199254740991        | -9007199254740991",
    })
    void acceptsAnySigned64BitLegacyWriteCheckpoint(String json, long expected) throws Exception {
      try (CraftedHttpServer server = CraftedHttpServer.answering(200,
          "{\"data\": {\"write_checkpoint\": " + json + "}}")) {
        HttpCheckpointTransport transport = HttpCheckpointTransport
            .builder(server.endpoint(), new CountingCredentials("t"))
            .httpClient(SHARED_CLIENT)
            .build();
        assertThat(valueOf(transport.fetchLegacyWriteCheckpoint(CLIENT)))
            .isEqualTo(WriteCheckpoint.of(expected));
      }
    }
  }

  @Nested
  class Timeouts {

    @Test
    void aServiceThatNeverAnswersTimesOutInSchedulerTime() throws Exception {
      ManualScheduler clock = ManualScheduler.create();
      try (CraftedHttpServer server = CraftedHttpServer.start((request, out, s) -> s.awaitClose())) {
        HttpCheckpointTransport transport = HttpCheckpointTransport
            .builder(server.endpoint(), new CountingCredentials("t"))
            .requestTimeout(Duration.ofSeconds(30))
            .scheduler(clock)
            .build();
        CompletableFuture<CheckpointRequestId> answer = transport.postCheckpointRequest(request(1));
        server.nextRequest();
        clock.advance(Duration.ofSeconds(29));
        assertThat(answer).isNotDone();
        clock.advance(Duration.ofSeconds(1));
        assertThat(failureOf(answer))
            .isExactlyInstanceOf(CheckpointTransportException.Unreachable.class)
            .hasMessageContaining("within PT30S");
        assertThat(clock.pendingTasks()).isZero();
      }
    }

    @Test
    void aBodyThatStallsAfterTheHeadersTimesOutToo() throws Exception {
      ManualScheduler clock = ManualScheduler.create();
      try (CraftedHttpServer server = CraftedHttpServer.start((request, out, s) -> {
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n"
            + "{\"data\"").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        s.awaitClose();
      })) {
        HttpCheckpointTransport transport = HttpCheckpointTransport
            .builder(server.endpoint(), new CountingCredentials("t"))
            .scheduler(clock)
            .build();
        CompletableFuture<CheckpointRequestId> answer = transport.postCheckpointRequest(request(1));
        server.nextRequest();
        clock.advance(HttpCheckpointTransport.DEFAULT_REQUEST_TIMEOUT);
        assertThat(failureOf(answer))
            .isExactlyInstanceOf(CheckpointTransportException.Unreachable.class);
      }
    }

    @Test
    void aCredentialsSourceThatNeverAnswersTimesOut() throws Exception {
      ManualScheduler clock = ManualScheduler.create();
      CountingCredentials credentials = new CountingCredentials("t");
      CompletableFuture<String> never = new CompletableFuture<>();
      HttpCheckpointTransport transport = HttpCheckpointTransport
          .builder(URI.create("http://127.0.0.1:9"), new io.checkpoints.ports.Credentials() {
            @Override
            public CompletableFuture<String> token() {
              return never;
            }

            @Override
            public void invalidate() {
              credentials.invalidate();
            }
          })
          .scheduler(clock)
          .build();
      CompletableFuture<CheckpointRequestId> answer = transport.postCheckpointRequest(request(1));
      clock.advance(HttpCheckpointTransport.DEFAULT_REQUEST_TIMEOUT);
      assertThat(failureOf(answer)).isExactlyInstanceOf(CheckpointTransportException.Unreachable.class);
      never.complete("late");
      assertThat(failureOf(answer)).isExactlyInstanceOf(CheckpointTransportException.Unreachable.class);
    }

    @Test
    void aShortRealTimeoutFailsQuickly() throws Exception {
      try (CraftedHttpServer server = CraftedHttpServer.start((request, out, s) -> s.awaitClose())) {
        HttpCheckpointTransport transport = HttpCheckpointTransport
            .builder(server.endpoint(), new CountingCredentials("t"))
            .requestTimeout(Duration.ofMillis(150))
            .build();
        long start = System.nanoTime();
        assertThat(failureOf(transport.postCheckpointRequest(request(1))))
            .isExactlyInstanceOf(CheckpointTransportException.Unreachable.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
      }
    }

    @Test
    void aRefusedConnectionIsUnreachable() throws Exception {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      HttpCheckpointTransport transport = HttpCheckpointTransport
          .builder(URI.create("http://127.0.0.1:" + port), new CountingCredentials("t"))
          .build();
      assertThat(failureOf(transport.postCheckpointRequest(request(1))))
          .isExactlyInstanceOf(CheckpointTransportException.Unreachable.class)
          .satisfies(e -> assertThat(((CheckpointTransportException) e).isRetryable()).isTrue());
    }
  }

  @Nested
  class CredentialsAndArguments {

    @Test
    void credentialsThatFailGiveUnauthorizedWithTheReason() throws Exception {
      CountingCredentials credentials = new CountingCredentials("t");
      credentials.failWith(new IllegalStateException("signed out"));
      HttpCheckpointTransport transport =
          HttpCheckpointTransport.builder(URI.create("http://127.0.0.1:9"), credentials).build();
      assertThat(failureOf(transport.postCheckpointRequest(request(1))))
          .isExactlyInstanceOf(CheckpointTransportException.Unauthorized.class)
          .hasMessageContaining("signed out");
    }

    @ParameterizedTest(name = "token \"{0}\"")
    @ValueSource(strings = {"", "  ", "bad\r\ntoken"})
    void anUnusableTokenIsUnauthorized(String token) throws Exception {
      HttpCheckpointTransport transport = HttpCheckpointTransport
          .builder(URI.create("http://127.0.0.1:9"), new CountingCredentials(token))
          .build();
      assertThat(failureOf(transport.fetchLegacyWriteCheckpoint(CLIENT)))
          .isExactlyInstanceOf(CheckpointTransportException.Unauthorized.class);
    }

    @ParameterizedTest(name = "endpoint {0}")
    @ValueSource(strings = {"ftp://host", "/relative", "http://host?x=1", "http://host#f",
        "mailto:a@b"})
    void refusesEndpointsThatAreNotHttpBaseUris(String endpoint) {
      assertThatThrownBy(() ->
          HttpCheckpointTransport.builder(URI.create(endpoint), new CountingCredentials("t")))
          .isInstanceOf(CheckpointArgumentException.class)
          .hasMessageContaining("endpoint");
    }

    @Test
    void refusesBadBuilderArguments() {
      HttpCheckpointTransport.Builder builder = HttpCheckpointTransport
          .builder(URI.create("https://example.com"), new CountingCredentials("t"));
      assertThatThrownBy(() -> builder.requestTimeout(Duration.ZERO))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> builder.connectTimeout(Duration.ofSeconds(-1)))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> builder.userAgent(" "))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> builder.userAgent("a\nb"))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> builder.maxResponseBytes(100))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> builder.maxResponseBytes(Integer.MAX_VALUE))
          .isInstanceOf(CheckpointArgumentException.class);
    }
  }
}
