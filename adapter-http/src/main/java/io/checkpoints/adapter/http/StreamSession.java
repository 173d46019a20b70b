package io.checkpoints.adapter.http;

import com.sun.net.httpserver.HttpExchange;
import io.checkpoints.ports.Scheduler;
import io.checkpoints.ports.SyncDataService;
import io.checkpoints.ports.SyncLine;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One streaming response of the {@link CheckpointHttpServer}: the service's sink puts lines into
 * a bounded queue, and the exchange's thread writes them out, so the service never waits for a
 * slow client. With a data service, each checkpoint carries the user's bucket: the checkpoint
 * lists it with its checksum and count, a data line follows with the entries the client does not
 * have yet, and the {@code checkpoint_complete} names the bucket's last op id.
 *
 * <p>Thread-safe: {@link #offer} and {@link #end} may be called from any thread; {@link #run} runs
 * on the exchange's thread only, which alone touches the bucket position.
 */
final class StreamSession {

  private static final Object END = new Object();

  /** The server's settings a stream needs. */
  record Settings(Duration keepAliveInterval, int maxQueuedLines, Scheduler scheduler,
      SyncLineEncoder encoder, SyncDataService dataService, Consumer<String> log) {}

  private final HttpExchange exchange;
  private final DevelopmentToken.Claims claims;
  private final Settings settings;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private volatile boolean ended;
  private volatile boolean overflowed;
  // The exchange's thread only: the last op id of the bucket the client has, and of the last
  // checkpoint sent.
  private long clientOpId;
  private long checkpointOpId;
  /** Counted down once the response is complete (the last chunk written) or abandoned. */
  final CountDownLatch finished = new CountDownLatch(1);

  /** @param clientOpId the op id the client said it has of its bucket, 0 for none */
  StreamSession(HttpExchange exchange, DevelopmentToken.Claims claims, Settings settings,
      long clientOpId) {
    this.exchange = exchange;
    this.claims = claims;
    this.settings = settings;
    this.clientOpId = clientOpId;
  }

  void offer(SyncLine line) {
    if (ended) {
      return;
    }
    if (queued.incrementAndGet() > settings.maxQueuedLines()) {
      overflowed = true;
      queue.offer(END);
      return;
    }
    queue.offer(line);
  }

  void end() {
    ended = true;
    queue.offer(END);
  }

  void run() throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      while (!ended) {
        Object item = queue.poll(settings.keepAliveInterval().toNanos(), TimeUnit.NANOSECONDS);
        if (item == END || ended || overflowed) {
          break;
        }
        OptionalLong secondsLeft = claims.secondsLeft(settings.scheduler().wallTime());
        if (secondsLeft.isPresent() && secondsLeft.getAsLong() <= 0) {
          write(out, new SyncLine.TokenExpiresIn(0));
          break;
        }
        if (item == null) {
          long left = secondsLeft.orElse(Integer.MAX_VALUE);
          write(out, new SyncLine.TokenExpiresIn(Math.min(left, Integer.MAX_VALUE)));
          continue;
        }
        queued.decrementAndGet();
        SyncLine line = (SyncLine) item;
        write(out, line);
        if (line instanceof SyncLine.TokenExpiresIn
            && ((SyncLine.TokenExpiresIn) line).seconds() <= 0) {
          break;
        }
      }
    } catch (InterruptedException e) {
      // The server is closing.
      Thread.currentThread().interrupt();
    } finally {
      ended = true;
    }
  }

  private void write(OutputStream out, SyncLine line) throws IOException {
    SyncDataService data = settings.dataService();
    if (data != null && line instanceof SyncLine.Checkpoint) {
      SyncDataService.BucketData bucket = data.bucketData(claims.subject, clientOpId);
      SyncLine.Checkpoint checkpoint = (SyncLine.Checkpoint) line;
      writeText(out, BucketLines.checkpoint(bucket, checkpoint.writeCheckpoint()));
      if (!bucket.entriesAfter().isEmpty()) {
        writeText(out, BucketLines.data(bucket, clientOpId));
      }
      clientOpId = bucket.lastOpId();
      checkpointOpId = bucket.lastOpId();
    } else if (data != null && line instanceof SyncLine.CheckpointComplete) {
      writeText(out, BucketLines.checkpointComplete(checkpointOpId));
    } else {
      writeText(out, settings.encoder().encode(line));
    }
  }

  private void writeText(OutputStream out, String text) throws IOException {
    out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    settings.log().accept("stream " + claims.subject + " <- " + text);
  }
}
