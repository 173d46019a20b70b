package io.checkpoints.adapter.http;

import io.checkpoints.ports.Credentials;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** Credentials for tests: a settable token source that counts invalidations. Thread-safe. */
final class CountingCredentials implements Credentials {

  private volatile Supplier<CompletableFuture<String>> tokens;
  final AtomicInteger invalidations = new AtomicInteger();

  CountingCredentials(String token) {
    give(token);
  }

  void give(String token) {
    tokens = () -> CompletableFuture.completedFuture(token);
  }

  void failWith(RuntimeException failure) {
    tokens = () -> CompletableFuture.failedFuture(failure);
  }

  @Override
  public CompletableFuture<String> token() {
    return tokens.get();
  }

  @Override
  public void invalidate() {
    invalidations.incrementAndGet();
  }
}
