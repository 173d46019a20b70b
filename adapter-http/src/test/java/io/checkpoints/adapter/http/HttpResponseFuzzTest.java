package io.checkpoints.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.adapter.inmemory.ManualScheduler;
import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.ClientId;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz: 10,000 generated answers from a loopback server to {@link HttpCheckpointTransport} (bad
 * statuses, bad JSON, missing fields, ids out of range, truncated and oversized bodies, closed
 * connections, and stalls timed out in virtual time). Each request completes, within 5 s, with the
 * id the body carries or a {@link CheckpointException}; never another exception, never a hang.
 */
class HttpResponseFuzzTest {

  static final int INPUTS = 10_000;
  private static final ClientId CLIENT = ClientId.of("client-1");
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** What the server does for the current request. */
  private record Answer(byte[] bytes, boolean stall, Long expectedId) {}

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void everyGeneratedAnswerGivesTheIdOrATypedError() throws Exception {
    long seed = FuzzInputs.seed();
    SplittableRandom random = new SplittableRandom(seed);
    AtomicReference<Answer> current = new AtomicReference<>();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    ManualScheduler clock = ManualScheduler.create();
    int ok = 0;
    int failed = 0;
    int stalls = 0;
    try (CraftedHttpServer server = CraftedHttpServer.start((request, out, s) -> {
      Answer answer = current.get();
      out.write(answer.bytes());
      out.flush();
      if (answer.stall()) {
        s.awaitClose();
      }
    })) {
      HttpCheckpointTransport transport = HttpCheckpointTransport
          .builder(server.endpoint(), new CountingCredentials("t"))
          .httpClient(http)
          .requestTimeout(REQUEST_TIMEOUT)
          .maxResponseBytes(4096)
          .scheduler(clock)
          .build();
      for (int i = 0; i < INPUTS; i++) {
        Answer answer = answer(random);
        current.set(answer);
        CompletableFuture<CheckpointRequestId> future = transport.postCheckpointRequest(
            new CheckpointRequest(CLIENT, CheckpointRequestId.of(1 + random.nextInt(1_000))));
        if (answer.stall()) {
          stalls++;
          server.nextRequest();
          // The server sent nothing or part of the answer and waits: virtual time runs out.
          clock.advance(REQUEST_TIMEOUT);
        }
        try {
          CheckpointRequestId id = future.get(5, TimeUnit.SECONDS);
          assertThat(answer.expectedId()).as("input %d of seed %d: an answer that is not a valid id "
              + "was accepted as %s: %s", i, seed, id, text(answer)).isNotNull();
          assertThat(id.value()).isEqualTo(answer.expectedId());
          ok++;
        } catch (ExecutionException e) {
          assertThat(e.getCause()).as("input %d of seed %d: %s", i, seed, text(answer))
              .isInstanceOf(CheckpointException.class);
          failed++;
        } catch (TimeoutException e) {
          throw new AssertionError("input " + i + " of seed " + seed + " hung: " + text(answer));
        }
        if (!answer.stall()) {
          server.nextRequest();
        }
      }
    }
    System.out.printf("fuzz HTTP answers: seed %d, %d answers: %d ids, %d typed errors (%d stalls timed out in virtual time)%n",
        seed, INPUTS, ok, failed, stalls);
    assertThat(ok).isPositive();
    assertThat(failed).isPositive();
  }

  private static Answer answer(SplittableRandom random) {
    int kind = random.nextInt(10);
    if (kind == 0) {
      // A valid answer.
      long id = random.nextLong(1, Long.MAX_VALUE);
      return new Answer(CraftedHttpServer.response(200,
          "{\"data\":{\"checkpoint_request_id\":\"" + id + "\"}}"), false, id);
    }
    int[] statuses = {200, 200, 200, 201, 204, 301, 400, 401, 403, 404, 409, 429, 500, 502, 503, 599};
    int status = random.nextInt(5) == 0 ? 100 + random.nextInt(500) : statuses[random.nextInt(statuses.length)];
    if (status == 101 || status == 100 || status == 204 || status == 304 || (status >= 102 && status < 200)) {
      status = 500; // informational and bodiless answers are the HTTP client's business, not ours
    }
    String body = switch (kind) {
      case 1, 2 -> "{\"data\":{\"checkpoint_request_id\":" + FuzzInputs.value(random, 0) + "}}";
      case 3 -> "{\"data\":" + FuzzInputs.value(random, 0) + "}";
      case 4 -> FuzzInputs.damage(random, "{\"data\":{\"checkpoint_request_id\":\"" + (1 + random.nextInt(100)) + "\"}}");
      case 5 -> FuzzInputs.syncLine(random);
      case 6 -> "x".repeat(random.nextInt(10_000));
      default -> FuzzInputs.value(random, 0);
    };
    byte[] bytes = CraftedHttpServer.response(status, body);
    boolean stall = false;
    int cut = random.nextInt(8);
    if (cut == 0) {
      // Truncated: the connection closes in the middle of the answer.
      bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
    } else if (cut == 1 && random.nextInt(20) == 0) {
      // Slow: part of the answer, then silence until the transport's timeout.
      bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
      stall = true;
    }
    Long expected = null;
    if (status / 100 == 2 && cut != 0 && !stall && kind != 0) {
      expected = validId(body);
    }
    return new Answer(bytes, stall, expected);
  }

  /** The id a 2xx body carries when it is exactly the valid shape, else null. */
  private static Long validId(String body) {
    var m = java.util.regex.Pattern.compile("\\{\"data\":\\{\"checkpoint_request_id\":\"([1-9][0-9]{0,18})\"}}")
        .matcher(body);
    if (!m.matches()) {
      return null;
    }
    try {
      return Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String text(Answer answer) {
    String text = new String(answer.bytes(), StandardCharsets.UTF_8);
    return (answer.stall() ? "(stalled) " : "") + SyncLineDecoderFuzzTest.abbreviated(text);
  }

  @SuppressWarnings("unused")
  private static void unused(OutputStream out) {}
}
