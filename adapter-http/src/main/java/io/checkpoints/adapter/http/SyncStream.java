package io.checkpoints.adapter.http;

import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.Scheduler;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.SyncProtocolException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * One open sync stream of a {@link SyncStreamReader}: it reads until the service ends the stream,
 * a {@code token_expires_in} of zero or less arrives, an error occurs, or {@link #close()} is
 * called, and then completes {@link #completion()} exactly once.
 *
 * <p>Thread-safe. The consumers are called on the HTTP client's threads, one line at a time and in
 * order, never concurrently; once {@link #completion()} is done no further line is delivered (a
 * line whose delivery had already begun when {@link #close()} was called on another thread still
 * finishes).
 */
public final class SyncStream implements AutoCloseable {

  /** How a stream ended normally. Immutable and thread-safe. */
  public enum End {
    /** The service ended the response; a client usually reconnects. */
    SERVICE_ENDED,
    /** A {@code {"token_expires_in": n}} line with {@code n <= 0} arrived and was delivered. */
    TOKEN_EXPIRED,
    /** {@link SyncStream#close()} was called. */
    CLOSED
  }

  private final String what;
  private final Scheduler scheduler;
  private final Duration idleTimeout;
  private final int maxLineBytes;
  private final SyncLineDecoder decoder;
  private final Consumer<SyncLine> lines;
  private final Consumer<String> otherLines;
  private final CompletableFuture<End> completion = new CompletableFuture<>();

  // Guarded by this.
  private Flow.Subscription subscription;
  private CompletableFuture<?> exchange;
  private Scheduler.Cancellable timer;

  SyncStream(String what, Scheduler scheduler, Duration idleTimeout, int maxLineBytes,
      SyncLineDecoder decoder, Consumer<SyncLine> lines, Consumer<String> otherLines) {
    this.what = what;
    this.scheduler = scheduler;
    this.idleTimeout = idleTimeout;
    this.maxLineBytes = maxLineBytes;
    this.decoder = decoder;
    this.lines = lines;
    this.otherLines = otherLines;
  }

  /**
   * @return a future that completes with how the stream ended, or fails with a {@link
   *     CheckpointTransportException} (HTTP status, connection failure, timeout: {@code
   *     Unreachable} when no response or no data came in time), a {@link SyncProtocolException}
   *     (a malformed, oversized or truncated line, or invalid UTF-8), or the exception a consumer
   *     threw; never with a wrapped exception. Each call returns a new future: completing or
   *     cancelling it does not affect the stream (use {@link #close()}).
   */
  public CompletableFuture<End> completion() {
    // Not completion.copy(): a dependent stage would wrap the failure in a CompletionException.
    CompletableFuture<End> view = new CompletableFuture<>();
    completion.whenComplete((end, failure) -> {
      if (failure != null) {
        view.completeExceptionally(failure);
      } else {
        view.complete(end);
      }
    });
    return view;
  }

  /** @return whether the stream has not ended yet */
  public boolean isOpen() {
    return !completion.isDone();
  }

  /** Ends the stream with {@link End#CLOSED} and drops the connection; closing twice does nothing. */
  @Override
  public void close() {
    finish(End.CLOSED);
  }

  // ---------------------------------------------------------------------------------------------
  // Driven by SyncStreamReader and the HTTP client.

  void exchange(CompletableFuture<?> sent) {
    boolean cancel;
    synchronized (this) {
      exchange = sent;
      cancel = completion.isDone();
    }
    if (cancel) {
      sent.cancel(true);
    }
  }

  /** (Re)arms the one timer: no response, or no data, within {@code timeout} fails the stream. */
  void arm(Duration timeout, String reason) {
    synchronized (this) {
      if (completion.isDone()) {
        return;
      }
      if (timer != null) {
        timer.cancel();
      }
      timer = scheduler.schedule(timeout, () -> fail(new CheckpointTransportException.Unreachable(
          what + ": " + reason + " within " + timeout, null)));
    }
  }

  boolean fail(Throwable failure) {
    if (!completion.completeExceptionally(failure)) {
      return false;
    }
    release(true);
    return true;
  }

  boolean finish(End end) {
    if (!completion.complete(end)) {
      return false;
    }
    // A response the service ended was read to its end: its connection may serve the next
    // request, so it is left alone rather than cancelled.
    release(end != End.SERVICE_ENDED);
    return true;
  }

  private void release(boolean abandonExchange) {
    Flow.Subscription toCancel;
    CompletableFuture<?> toAbandon;
    synchronized (this) {
      if (timer != null) {
        timer.cancel();
      }
      toCancel = subscription;
      toAbandon = exchange;
    }
    if (!abandonExchange) {
      return;
    }
    if (toCancel != null) {
      toCancel.cancel();
    }
    if (toAbandon != null) {
      toAbandon.cancel(true);
    }
  }

  Flow.Subscriber<List<ByteBuffer>> lineSubscriber() {
    return new LineSubscriber();
  }

  /**
   * Splits the body into lines at {@code \n} (an optional {@code \r} before it is dropped), with at
   * most {@code maxLineBytes} per line, and hands each line on. Blank lines are keep-alives and are
   * skipped. Requests one chunk at a time, so a slow consumer slows the connection instead of
   * filling memory.
   */
  private final class LineSubscriber implements Flow.Subscriber<List<ByteBuffer>> {
    // Only touched by the HTTP client's serial calls.
    private byte[] line = new byte[Math.min(8192, maxLineBytes + 1)];
    private int length;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      synchronized (SyncStream.this) {
        subscription = s;
      }
      if (completion.isDone()) {
        s.cancel();
      } else {
        s.request(1);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (completion.isDone()) {
        return;
      }
      arm(idleTimeout, "no data from the service");
      for (ByteBuffer item : items) {
        while (item.hasRemaining()) {
          int newline = indexOfNewline(item);
          int end = newline >= 0 ? newline : item.limit();
          if (!append(item, end - item.position())) {
            return;
          }
          if (newline >= 0) {
            item.position(newline + 1);
            if (!emit()) {
              return;
            }
          }
        }
      }
      Flow.Subscription s;
      synchronized (SyncStream.this) {
        s = subscription;
      }
      if (!completion.isDone()) {
        s.request(1);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      fail(StatusMapping.forFailure(throwable, what));
    }

    @Override
    public void onComplete() {
      if (length > 0) {
        fail(new SyncProtocolException(SyncLineDecoder.ERROR_PREFIX + what
            + ": the stream ended inside a line (" + length + " bytes without a newline)"));
      } else {
        finish(End.SERVICE_ENDED);
      }
    }

    private int indexOfNewline(ByteBuffer item) {
      for (int i = item.position(); i < item.limit(); i++) {
        if (item.get(i) == '\n') {
          return i;
        }
      }
      return -1;
    }

    private boolean append(ByteBuffer item, int count) {
      // One byte more than the limit for the '\r' of a "\r\n" line end, which is not content.
      long capacity = (long) maxLineBytes + 1;
      if ((long) length + count > capacity) {
        return tooLong();
      }
      if (length + count > line.length) {
        line = Arrays.copyOf(line, (int) Math.min(capacity,
            Math.max((long) line.length * 2, (long) length + count)));
      }
      item.get(line, length, count);
      length += count;
      return true;
    }

    private boolean tooLong() {
      fail(new SyncProtocolException(SyncLineDecoder.ERROR_PREFIX + what
          + ": a line is longer than the limit of " + maxLineBytes + " bytes"));
      return false;
    }

    /** @return whether to go on reading */
    private boolean emit() {
      int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
      length = 0;
      if (end > maxLineBytes) {
        return tooLong();
      }
      if (end == 0) {
        return !completion.isDone();
      }
      try {
        String text = utf8(end);
        SyncLine decoded = decoder.decode(text);
        if (completion.isDone()) {
          return false;
        }
        if (decoded instanceof SyncLine.Other) {
          otherLines.accept(text);
        } else {
          lines.accept(decoded);
        }
        if (decoded instanceof SyncLine.TokenExpiresIn
            && ((SyncLine.TokenExpiresIn) decoded).seconds() <= 0) {
          finish(End.TOKEN_EXPIRED);
          return false;
        }
      } catch (RuntimeException e) {
        // A bad line, or a consumer refusing one, ends the stream (and so the iteration).
        fail(e);
        return false;
      }
      return !completion.isDone();
    }

    private String utf8(int end) {
      try {
        CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(line, 0, end));
        return chars.toString();
      } catch (CharacterCodingException e) {
        throw new SyncProtocolException(
            SyncLineDecoder.ERROR_PREFIX + what + ": a line is not valid UTF-8", e);
      }
    }
  }
}
