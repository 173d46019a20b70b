package io.checkpoints.ports;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

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
   * The token for one request, as every transport asks for it: {@link #token()} with each way it
   * can give no token turned into one typed failure. A {@code token()} that throws or returns
   * null, a future that fails, and a null or blank token complete the result exceptionally with
   * {@link CheckpointTransportException.Unauthorized}, whose message is {@code what}, "the
   * credentials gave no token" and the cause. Nothing is invalidated: no token was refused.
   * Transports call this; a host implements {@link #token()} and need not override it.
   *
   * @param what what the token is for, the start of the failure's message
   * @return a future of a non-blank token, completed on the thread that completes the future of
   *     {@link #token()}
   */
  default CompletableFuture<String> requireToken(String what) {
    CompletableFuture<String> token;
    try {
      token = token();
    } catch (RuntimeException e) {
      token = CompletableFuture.failedFuture(e);
    }
    if (token == null) {
      token = CompletableFuture.completedFuture(null);
    }
    CompletableFuture<String> result = new CompletableFuture<>();
    token.whenComplete((value, failure) -> {
      if (failure == null && value != null && !value.isBlank()) {
        result.complete(value);
      } else {
        result.completeExceptionally(new CheckpointTransportException.Unauthorized(
            what + ": the credentials gave no token"
                + (failure == null ? "" : " (" + causeOf(failure) + ")")));
      }
    });
    return result;
  }

  /** The failure a future's wrapper carries: the host's own exception is what explains it. */
  private static Throwable causeOf(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

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
