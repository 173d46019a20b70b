package io.checkpoints.adapter.http;

import io.checkpoints.ports.CheckpointTransportException;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a response body of at most {@code limit} bytes. A larger body fails with {@code
 * MalformedResponse} as soon as it passes the limit, and the connection is given up, so a hostile
 * or broken service cannot make the client buffer without bound. Thread-safe: the HTTP client
 * calls it serially and {@link #abort} may come from any thread.
 */
final class LimitedBodySubscriber implements HttpResponse.BodySubscriber<byte[]> {

  private final int limit;
  private final String what;
  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private Flow.Subscription subscription;

  LimitedBodySubscriber(int limit, String what) {
    this.limit = limit;
    this.what = what;
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return body;
  }

  @Override
  public synchronized void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    if (body.isDone()) {
      subscription.cancel();
    } else {
      subscription.request(Long.MAX_VALUE);
    }
  }

  @Override
  public synchronized void onNext(List<ByteBuffer> items) {
    if (body.isDone()) {
      return;
    }
    for (ByteBuffer item : items) {
      if (buffer.size() + (long) item.remaining() > limit) {
        abort(new CheckpointTransportException.MalformedResponse(
            what + ": the response body is larger than the limit of " + limit + " bytes", null));
        return;
      }
      byte[] chunk = new byte[item.remaining()];
      item.get(chunk);
      buffer.write(chunk, 0, chunk.length);
    }
  }

  @Override
  public synchronized void onError(Throwable throwable) {
    body.completeExceptionally(throwable);
  }

  @Override
  public synchronized void onComplete() {
    body.complete(buffer.toByteArray());
  }

  /** Gives the body up: the exchange fails with {@code reason} and the connection is dropped. */
  synchronized void abort(Throwable reason) {
    body.completeExceptionally(reason);
    if (subscription != null) {
      subscription.cancel();
    }
  }
}
