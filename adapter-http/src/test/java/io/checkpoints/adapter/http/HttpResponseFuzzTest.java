package io.checkpoints.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.ClientId;
import io.checkpoints.testkit.support.ManualScheduler;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  static final int STALLS = 50;
  private static final int WINDOW = 16;
  private static final ClientId CLIENT = ClientId.of("client-1");
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** What the server does for the current request. */
  private record Answer(byte[] bytes, boolean stall, Long expectedId) {}

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void everyGeneratedAnswerGivesTheIdOrATypedError() throws Exception {
    long seed = FuzzInputs.seed();
    SplittableRandom random = new SplittableRandom(seed);
    // The answer for each request, found by the request's id (each input posts its own id).
    Map<Long, Answer> answers = new ConcurrentHashMap<>();
    Pattern requestId = Pattern.compile("\"checkpoint_request_id\"\\s*:\\s*\"(\\d+)\"");
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    ManualScheduler clock = ManualScheduler.create();
    int ok = 0;
    int failed = 0;
    int stalls = 0;
    try (CraftedHttpServer server = CraftedHttpServer.start((request, out, s) -> {
      Matcher m = requestId.matcher(request.bodyText());
      Answer answer = m.find() ? answers.get(Long.parseLong(m.group(1))) : null;
      if (answer == null) {
        out.write(CraftedHttpServer.response(500, "{}"));
        return;
      }
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
      // Phase 1: answers that arrive at once (complete or cut), WINDOW requests in flight.
      Deque<Object[]> inFlight = new ArrayDeque<>();
      for (int i = 0; i < INPUTS + WINDOW; i++) {
        if (i < INPUTS) {
          Answer answer = answer(random, false);
          long id = i + 1;
          answers.put(id, answer);
          inFlight.add(new Object[] {i, answer,
              transport.postCheckpointRequest(new CheckpointRequest(CLIENT, CheckpointRequestId.of(id)))});
        }
        if (inFlight.size() == WINDOW || (i >= INPUTS && !inFlight.isEmpty())) {
          Object[] next = inFlight.poll();
          @SuppressWarnings("unchecked")
          CompletableFuture<CheckpointRequestId> future = (CompletableFuture<CheckpointRequestId>) next[2];
          if (verify((Integer) next[0], (Answer) next[1], future, seed)) {
            ok++;
          } else {
            failed++;
          }
        }
      }
      // Phase 2: slow answers (part of the answer, then silence), one at a time in virtual time.
      for (int i = 0; i < STALLS; i++) {
        Answer answer = answer(random, true);
        long id = INPUTS + i + 1;
        answers.put(id, answer);
        CompletableFuture<CheckpointRequestId> future =
            transport.postCheckpointRequest(new CheckpointRequest(CLIENT, CheckpointRequestId.of(id)));
        server.nextRequest();
        assertThat(future).isNotDone();
        clock.advance(REQUEST_TIMEOUT);
        assertThat(verify(INPUTS + i, answer, future, seed)).isFalse();
        stalls++;
      }
    }
    System.out.printf("fuzz HTTP answers: seed %d, %d answers: %d ids, %d typed errors; %d stalls timed out in virtual time%n",
        seed, INPUTS, ok, failed, stalls);
    assertThat(ok).isPositive();
    assertThat(failed).isPositive();
  }

  /** @return true for an id (checked against the answer), false for a typed error */
  private static boolean verify(int index, Answer answer, CompletableFuture<CheckpointRequestId> future, long seed)
      throws Exception {
    try {
      CheckpointRequestId id = future.get(5, TimeUnit.SECONDS);
      assertThat(answer.expectedId()).as("input %d of seed %d: an answer that is not a valid id "
          + "was accepted as %s: %s", index, seed, id, text(answer)).isNotNull();
      assertThat(id.value()).isEqualTo(answer.expectedId());
      return true;
    } catch (ExecutionException e) {
      assertThat(e.getCause()).as("input %d of seed %d: %s", index, seed, text(answer))
          .isInstanceOf(CheckpointException.class);
      return false;
    } catch (TimeoutException e) {
      throw new AssertionError("input " + index + " of seed " + seed + " hung: " + text(answer));
    }
  }

  private static Answer answer(SplittableRandom random, boolean slow) {
    int kind = random.nextInt(10);
    if (kind == 0 && !slow) {
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
    if (slow) {
      // Slow: part of the answer (or nothing), then silence until the transport's timeout.
      bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
      stall = true;
    } else if (cut == 0) {
      // Truncated: the connection closes in the middle of the answer.
      bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
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
}
