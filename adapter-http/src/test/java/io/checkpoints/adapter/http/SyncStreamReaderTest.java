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
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.SyncProtocolException;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.support.ManualScheduler;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SyncStreamReaderTest {

  private static final ClientId CLIENT = ClientId.of("client-1");

  /** What a stream delivered, in order; lines and host lines share one queue to keep the order. */
  private static final class Received {
    final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
    final Consumer<SyncLine> lines = items::add;
    final Consumer<String> otherLines = text -> items.add("other:" + text);

    Object next() throws InterruptedException {
      Object item = items.poll(5, TimeUnit.SECONDS);
      assertThat(item).as("a line arrived").isNotNull();
      return item;
    }

    List<Object> all() {
      List<Object> drained = new ArrayList<>();
      items.drainTo(drained);
      return drained;
    }
  }

  private static SyncLine checkpoint(long opId, Long writeCheckpoint) {
    return new SyncLine.Checkpoint(Long.toString(opId),
        Optional.ofNullable(writeCheckpoint).map(WriteCheckpoint::of));
  }

  private static SyncLine complete(long opId) {
    return new SyncLine.CheckpointComplete(Long.toString(opId));
  }

  static SyncStream.End endOf(SyncStream stream) throws Exception {
    return stream.completion().get(5, TimeUnit.SECONDS);
  }

  static Throwable failureOf(SyncStream stream) throws Exception {
    return HttpCheckpointTransportTest.failureOf(stream.completion());
  }

  @Nested
  class AgainstTheSimulatedService {

    private final ManualScheduler serviceTime = ManualScheduler.create();
    private final SimulatedCheckpointService service = SimulatedCheckpointService.builder(serviceTime)
        .replicationLag(Duration.ofSeconds(5))
        .build();
    private final CheckpointHttpServer server = CheckpointHttpServer.start(service);
    private final CountingCredentials credentials =
        new CountingCredentials(CheckpointHttpServer.developmentToken("alice"));
    private final SyncStreamReader reader =
        SyncStreamReader.builder(server.endpoint(), credentials).build();
    private final HttpCheckpointTransport transport =
        HttpCheckpointTransport.builder(server.endpoint(), credentials).build();
    private final Received received = new Received();

    @AfterEach
    void stop() {
      server.close();
    }

    @Test
    void receivesTheCurrentCheckpointAndThenTheAcknowledgementUnderLag() throws Exception {
      try (SyncStream stream = reader.open(CLIENT, received.lines, received.otherLines)) {
        assertThat(received.next()).isEqualTo(checkpoint(1, null));
        assertThat(received.next()).isEqualTo(complete(1));

        assertThat(transport.postCheckpointRequest(new CheckpointRequest(CLIENT,
            CheckpointRequestId.of(42))).get(5, TimeUnit.SECONDS)).isEqualTo(CheckpointRequestId.of(42));
        serviceTime.advance(Duration.ofSeconds(4));
        service.publishCheckpoint();
        assertThat(received.next()).isEqualTo(checkpoint(2, null));
        assertThat(received.next()).isEqualTo(complete(2));

        serviceTime.advance(Duration.ofSeconds(1));
        assertThat(received.next()).isEqualTo(checkpoint(3, 42L));
        assertThat(received.next()).isEqualTo(complete(3));
        assertThat(stream.isOpen()).isTrue();
      }
    }

    @Test
    void closingEndsTheStreamAndTheServiceSubscription() throws Exception {
      SyncStream stream = reader.open(CLIENT, received.lines, received.otherLines);
      received.next();
      stream.close();
      assertThat(endOf(stream)).isEqualTo(SyncStream.End.CLOSED);
      assertThat(stream.isOpen()).isFalse();
      service.publishCheckpoint();
      stream.close();
      assertThat(endOf(stream)).isEqualTo(SyncStream.End.CLOSED);
    }

    @Test
    void aServiceDisconnectEndsTheStreamWithTokenExpiry() throws Exception {
      SyncStream stream = reader.open(CLIENT, received.lines, received.otherLines);
      received.next();
      received.next();
      service.disconnectStreams("alice");
      assertThat(endOf(stream)).isEqualTo(SyncStream.End.TOKEN_EXPIRED);
      assertThat(received.all()).containsExactly(new SyncLine.TokenExpiresIn(0));
    }

    @Test
    void closingTheServerEndsTheStreamAsEndedByTheService() throws Exception {
      SyncStream stream = reader.open(CLIENT, received.lines, received.otherLines);
      received.next();
      server.close();
      assertThat(endOf(stream)).isEqualTo(SyncStream.End.SERVICE_ENDED);
    }

    @Test
    void aRefusedTokenInvalidatesTheCredentials() throws Exception {
      credentials.give("Token-without-a-subject");
      SyncStream stream = reader.open(CLIENT, received.lines, received.otherLines);
      assertThat(failureOf(stream)).isExactlyInstanceOf(CheckpointTransportException.Unauthorized.class);
      assertThat(credentials.invalidations).hasValue(1);
    }

    @Test
    void aStreamOpenFailureHasItsType() throws Exception {
      service.injectFault(ServiceCall.OPEN_STREAM, 1, ServiceFault.notSupported());
      service.injectFault(ServiceCall.OPEN_STREAM, 1, ServiceFault.overloaded());
      service.injectFault(ServiceCall.OPEN_STREAM, 1, ServiceFault.serverError(503));
      assertThat(failureOf(reader.open(CLIENT, received.lines, received.otherLines)))
          .isExactlyInstanceOf(CheckpointTransportException.NotSupported.class);
      assertThat(failureOf(reader.open(CLIENT, received.lines, received.otherLines)))
          .isExactlyInstanceOf(CheckpointTransportException.Overloaded.class);
      assertThat(failureOf(reader.open(CLIENT, received.lines, received.otherLines)))
          .isInstanceOfSatisfying(CheckpointTransportException.ServerError.class,
              e -> assertThat(e.status()).isEqualTo(503));
      assertThat(received.all()).isEmpty();
    }
  }

  @Nested
  class TheRequestItSends {

    @Test
    void postsTheStartRequestWithTheToken() throws Exception {
      try (CraftedHttpServer server = CraftedHttpServer.start(
          (request, out, s) -> out.write(streamHead()))) {
        SyncStream stream = SyncStreamReader.builder(server.endpoint(), new CountingCredentials("jwt"))
            .userAgent("agent/2")
            .build()
            .open(CLIENT, line -> { }, text -> { });
        CraftedHttpServer.Request sent = server.nextRequest();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.target()).isEqualTo("/sync/stream");
        assertThat(sent.headers())
            .containsEntry("authorization", "Token jwt")
            .containsEntry("content-type", "application/json")
            .containsEntry("user-agent", "agent/2");
        JsonNode body = new ObjectMapper().readTree(sent.body());
        assertThat(body.get("client_id").textValue()).isEqualTo("client-1");
        assertThat(body.get("buckets").isArray()).isTrue();
        assertThat(body.get("include_checksum").booleanValue()).isTrue();
        assertThat(body.get("raw_data").booleanValue()).isTrue();
        assertThat(endOf(stream)).isEqualTo(SyncStream.End.SERVICE_ENDED);
      }
    }
  }

  private static byte[] streamHead() {
    // No Content-Length: the body runs until the connection closes.
    return ("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  @Nested
  class CraftedStreams {

    private final ManualScheduler clock = ManualScheduler.create();
    private final Received received = new Received();
    private CraftedHttpServer server;

    @AfterEach
    void stop() {
      if (server != null) {
        server.close();
      }
    }

    private SyncStream streamOf(byte[] body, boolean holdOpen) {
      server = CraftedHttpServer.start((request, out, s) -> {
        out.write(streamHead());
        out.write(body);
        out.flush();
        if (holdOpen) {
          s.awaitClose();
        }
      });
      return reader(server.endpoint()).open(CLIENT, received.lines, received.otherLines);
    }

    private SyncStream streamOf(String body) {
      return streamOf(body.getBytes(StandardCharsets.UTF_8), false);
    }

    private SyncStreamReader reader(URI endpoint) {
      return SyncStreamReader.builder(endpoint, new CountingCredentials("t"))
          .scheduler(clock)
          .maxLineBytes(200)
          .build();
    }

    @Test
    void handsCheckpointLinesOnDecodedAndOtherLinesAsText() throws Exception {
      SyncStream stream = streamOf(
          "{\"checkpoint\": {\"last_op_id\": \"1\", \"write_checkpoint\": \"3\", \"buckets\": []}}\n"
              + "{\"data\": {\"bucket\": \"b\", \"data\": []}}\r\n"
              + "\n"
              + "   \n".replace("   ", "")
              + "{\"checkpoint_complete\": {\"last_op_id\": \"1\"}}\n"
              + "{\"token_expires_in\": 30}\n"
              + "{\"partial_checkpoint_complete\": {\"last_op_id\": \"1\", \"priority\": 0}}\n");
      assertThat(endOf(stream)).isEqualTo(SyncStream.End.SERVICE_ENDED);
      assertThat(received.all()).containsExactly(
          checkpoint(1, 3L),
          "other:{\"data\": {\"bucket\": \"b\", \"data\": []}}",
          complete(1),
          new SyncLine.TokenExpiresIn(30),
          new SyncLine.PartialCheckpointComplete("1", 0));
    }

    @Test
    void aTokenExpiryOfZeroEndsTheStreamAfterItIsDelivered() throws Exception {
      SyncStream stream = streamOf(("{\"token_expires_in\": 0}\n{\"checkpoint_complete\": {}}\n")
          .getBytes(StandardCharsets.UTF_8), true);
      assertThat(endOf(stream)).isEqualTo(SyncStream.End.TOKEN_EXPIRED);
      assertThat(received.all()).containsExactly(new SyncLine.TokenExpiresIn(0));
    }

    @ParameterizedTest(name = "line {0}")
    @ValueSource(strings = {
        "not json",
        "{\"checkpoint\": {\"last_op_id\": \"1\", \"write_checkpoint\": 3, \"buckets\": []}}",
        "{\"checkpoint\": {\"last_op_id\": \"1\", \"write_checkpoint\": \"x\", \"buckets\": []}}",
        "[]",
        "{\"a\": 1, \"b\": 2}",
    })
    void aMalformedLineFailsTheStreamWithAProtocolError(String line) throws Exception {
      SyncStream stream = streamOf(("{\"checkpoint_complete\": {\"last_op_id\": \"1\"}}\n" + line
          + "\n{\"checkpoint_complete\": {\"last_op_id\": \"2\"}}\n").getBytes(StandardCharsets.UTF_8),
          true);
      assertThat(failureOf(stream)).isExactlyInstanceOf(SyncProtocolException.class)
          .hasMessageStartingWith("Sync protocol error: ");
      assertThat(received.all()).containsExactly(complete(1));
    }

    @Test
    void aLineLongerThanTheLimitFailsWithAProtocolError() throws Exception {
      String longLine = "{\"data\": \"" + "x".repeat(300) + "\"}\n";
      SyncStream stream = streamOf(longLine.getBytes(StandardCharsets.UTF_8), true);
      assertThat(failureOf(stream)).isExactlyInstanceOf(SyncProtocolException.class)
          .hasMessageContaining("longer than the limit of 200 bytes");
      assertThat(received.all()).isEmpty();
    }

    @Test
    void aLineOneByteOverTheLimitFailsEvenWithACarriageReturn() throws Exception {
      String prefix = "{\"data\": \"";
      String line = prefix + "z".repeat(201 - prefix.length() - 2) + "\"}";
      SyncStream stream = streamOf(line + "\r\n");
      assertThat(failureOf(stream)).isExactlyInstanceOf(SyncProtocolException.class)
          .hasMessageContaining("longer than the limit");
      assertThat(received.all()).isEmpty();
    }

    @Test
    void anEndlessLineWithoutNewlineFailsAtTheLimitToo() throws Exception {
      SyncStream stream = streamOf(("{\"data\": \"" + "y".repeat(1000)).getBytes(StandardCharsets.UTF_8),
          true);
      assertThat(failureOf(stream)).isExactlyInstanceOf(SyncProtocolException.class)
          .hasMessageContaining("longer than the limit");
    }

    @Test
    void aLineOfExactlyTheLimitIsAccepted() throws Exception {
      String prefix = "{\"data\": \"";
      String line = prefix + "z".repeat(200 - prefix.length() - 2) + "\"}";
      assertThat(line.length()).isEqualTo(200);
      SyncStream stream = streamOf(line + "\r\n");
      assertThat(endOf(stream)).isEqualTo(SyncStream.End.SERVICE_ENDED);
      assertThat(received.all()).containsExactly("other:" + line);
    }

    @Test
    void aStreamThatEndsInsideALineIsTruncated() throws Exception {
      SyncStream stream = streamOf("{\"checkpoint_complete\": {\"last_op_id\": \"1\"}}\n"
          + "{\"checkpoint_complete\": {\"last_op_");
      assertThat(failureOf(stream)).isExactlyInstanceOf(SyncProtocolException.class)
          .hasMessageContaining("ended inside a line");
      assertThat(received.all()).containsExactly(complete(1));
    }

    @Test
    void invalidUtf8IsAProtocolError() throws Exception {
      byte[] bad = {'{', '"', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'};
      SyncStream stream = streamOf(bad, true);
      assertThat(failureOf(stream)).isExactlyInstanceOf(SyncProtocolException.class)
          .hasMessageContaining("UTF-8");
    }

    @Test
    void multiByteCharactersSplitAcrossChunksSurvive() throws Exception {
      server = CraftedHttpServer.start((request, out, s) -> {
        out.write(streamHead());
        byte[] line = "{\"données\": \"é€😀\"}\n".getBytes(StandardCharsets.UTF_8);
        for (byte b : line) {
          out.write(b);
          out.flush();
        }
      });
      SyncStream stream = reader(server.endpoint()).open(CLIENT, received.lines, received.otherLines);
      assertThat(endOf(stream)).isEqualTo(SyncStream.End.SERVICE_ENDED);
      assertThat(received.all()).containsExactly("other:{\"données\": \"é€😀\"}");
    }

    @Test
    void aConnectionResetMidStreamIsUnreachable() throws Exception {
      server = CraftedHttpServer.start((request, out, s) -> out.write(
          ("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
              + "{\"checkpoint_complete\": {\"last_op_id\": \"1\"}}\n").getBytes(StandardCharsets.UTF_8)));
      SyncStream stream = reader(server.endpoint()).open(CLIENT, received.lines, received.otherLines);
      assertThat(failureOf(stream)).isExactlyInstanceOf(CheckpointTransportException.Unreachable.class);
      assertThat(received.all()).containsExactly(complete(1));
    }

    @Test
    void noResponseWithinTheResponseTimeoutIsUnreachable() throws Exception {
      server = CraftedHttpServer.start((request, out, s) -> s.awaitClose());
      SyncStream stream = reader(server.endpoint()).open(CLIENT, received.lines, received.otherLines);
      server.nextRequest();
      clock.advance(SyncStreamReader.DEFAULT_RESPONSE_TIMEOUT.minusNanos(1));
      assertThat(stream.isOpen()).isTrue();
      clock.advance(Duration.ofNanos(1));
      assertThat(failureOf(stream)).isExactlyInstanceOf(CheckpointTransportException.Unreachable.class)
          .hasMessageContaining("no response");
    }

    @Test
    void silenceLongerThanTheIdleTimeoutIsUnreachable() throws Exception {
      SyncStream stream = streamOf("{\"checkpoint_complete\": {\"last_op_id\": \"1\"}}\n"
          .getBytes(StandardCharsets.UTF_8), true);
      assertThat(received.next()).isEqualTo(complete(1));
      clock.advance(SyncStreamReader.DEFAULT_IDLE_TIMEOUT.minusNanos(1));
      assertThat(stream.isOpen()).isTrue();
      clock.advance(Duration.ofNanos(1));
      assertThat(failureOf(stream)).isExactlyInstanceOf(CheckpointTransportException.Unreachable.class)
          .hasMessageContaining("no data");
      assertThat(clock.pendingTasks()).isZero();
    }

    @Test
    void anErrorStatusIsTyped() throws Exception {
      server = CraftedHttpServer.answering(401, "{\"error\": {\"code\": \"PSYNC_S2101\"}}");
      CountingCredentials credentials = new CountingCredentials("t");
      SyncStream stream = SyncStreamReader.builder(server.endpoint(), credentials).build()
          .open(CLIENT, received.lines, received.otherLines);
      assertThat(failureOf(stream)).isExactlyInstanceOf(CheckpointTransportException.Unauthorized.class);
      assertThat(credentials.invalidations).hasValue(1);
    }

    @Test
    void anOversizedErrorBodyIsMalformed() throws Exception {
      server = CraftedHttpServer.answering(500, "e".repeat(100 * 1024));
      SyncStream stream = reader(server.endpoint()).open(CLIENT, received.lines, received.otherLines);
      assertThat(failureOf(stream))
          .isExactlyInstanceOf(CheckpointTransportException.MalformedResponse.class);
    }

    @Test
    void aConsumerThatThrowsEndsTheStreamWithItsException() throws Exception {
      server = CraftedHttpServer.start((request, out, s) -> {
        out.write(streamHead());
        out.write(("{\"checkpoint_complete\": {\"last_op_id\": \"1\"}}\n"
            + "{\"checkpoint_complete\": {\"last_op_id\": \"2\"}}\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        s.awaitClose();
      });
      List<SyncLine> seen = new ArrayList<>();
      IllegalStateException refusal = new IllegalStateException("no checkpoint yet");
      SyncStream stream = reader(server.endpoint()).open(CLIENT, line -> {
        seen.add(line);
        throw refusal;
      }, text -> { });
      assertThat(failureOf(stream)).isSameAs(refusal);
      assertThat(seen).containsExactly(complete(1));
    }

    @Test
    void closingFromAConsumerStopsDelivery() throws Exception {
      AtomicReference<SyncStream> self = new AtomicReference<>();
      List<SyncLine> seen = new ArrayList<>();
      CompletableFuture<Void> opened = new CompletableFuture<>();
      server = CraftedHttpServer.start((request, out, s) -> {
        opened.get(5, TimeUnit.SECONDS);
        out.write(streamHead());
        out.write(("{\"checkpoint_complete\": {\"last_op_id\": \"1\"}}\n"
            + "{\"checkpoint_complete\": {\"last_op_id\": \"2\"}}\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        s.awaitClose();
      });
      self.set(reader(server.endpoint()).open(CLIENT, line -> {
        seen.add(line);
        self.get().close();
      }, text -> { }));
      opened.complete(null);
      assertThat(endOf(self.get())).isEqualTo(SyncStream.End.CLOSED);
      assertThat(seen).containsExactly(complete(1));
    }

    @Test
    void theCompletionCopyCannotEndTheStream() throws Exception {
      SyncStream stream = streamOf(new byte[0], true);
      stream.completion().complete(SyncStream.End.CLOSED);
      stream.completion().cancel(true);
      assertThat(stream.isOpen()).isTrue();
      stream.close();
      assertThat(endOf(stream)).isEqualTo(SyncStream.End.CLOSED);
    }
  }

  @Nested
  class Arguments {

    private final SyncStreamReader.Builder builder =
        SyncStreamReader.builder(URI.create("https://example.com"), new CountingCredentials("t"));

    @Test
    void refusesBadBuilderArguments() {
      assertThatThrownBy(() -> builder.idleTimeout(Duration.ZERO))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> builder.responseTimeout(Duration.ofSeconds(-1)))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> builder.maxLineBytes(10))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> builder.maxLineBytes(Integer.MAX_VALUE))
          .isInstanceOf(CheckpointArgumentException.class);
      assertThatThrownBy(() -> SyncStreamReader.builder(URI.create("ws://x"), new CountingCredentials("t")))
          .isInstanceOf(CheckpointArgumentException.class);
    }

    @Test
    void credentialsWithoutATokenFailTheStream() throws Exception {
      CountingCredentials credentials = new CountingCredentials("t");
      credentials.failWith(new IllegalStateException("signed out"));
      SyncStream stream = SyncStreamReader.builder(URI.create("http://127.0.0.1:9"), credentials)
          .build().open(CLIENT, line -> { }, text -> { });
      assertThat(failureOf(stream)).isExactlyInstanceOf(CheckpointTransportException.Unauthorized.class)
          .hasMessageContaining("signed out");
    }
  }
}
