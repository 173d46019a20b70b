package io.checkpoints.ports;

import java.util.concurrent.CompletableFuture;

/**
 * Port implemented by the host: the token for the {@code Authorization: Token <jwt>} header.
 * Implementations must be thread-safe.
 */
public interface Credentials {

  /** @return the current token, fetching a fresh one if the last was invalidated */
  CompletableFuture<String> token();

  /** The service refused the current token (HTTP 401): the next {@link #token()} must refresh. */
  void invalidate();

  /**
   * @param token a fixed token
   * @return credentials that always give {@code token} (for tools and tests)
   */
  static Credentials fixed(String token) {
    if (token == null || token.isBlank()) {
      throw new CheckpointArgumentException("a token must be a non-blank string");
    }
    return new Credentials() {
      @Override
      public CompletableFuture<String> token() {
        return CompletableFuture.completedFuture(token);
      }

      @Override
      public void invalidate() {}
    };
  }
}
