package io.checkpoints.adapter.http;

import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.Credentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The request handling {@link HttpCheckpointTransport} and {@link SyncStreamReader} share: their
 * HTTP client, the token from the credentials, and a request that carries it with the JSON headers.
 * Stateless.
 */
final class TokenRequests {

  private TokenRequests() {}

  /** @return {@code given}, or a client of our own with the connect timeout */
  static HttpClient client(HttpClient given, Duration connectTimeout, Endpoint endpoint) {
    if (given != null) {
      return given;
    }
    return HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        // The JDK attempts an h2c upgrade on plain http, which loopback and development servers
        // rarely speak; TLS endpoints negotiate HTTP/2 through ALPN as usual.
        .version(endpoint.isPlainHttp() ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
        .build();
  }

  /** @return a request to {@code uri} with the token and the headers both endpoints send */
  static HttpRequest.Builder request(URI uri, String token, String accept, String userAgent,
      Duration timeout) {
    return HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Authorization", "Token " + token)
        .header("Content-Type", "application/json")
        .header("Accept", accept)
        .header("User-Agent", userAgent);
  }

  /**
   * Asks the credentials for a token and builds the request with it. Exactly one of {@code send}
   * and {@code fail} is called, unless the caller gave up first ({@code abandoned}): no token fails
   * with {@code Unauthorized} ({@link Credentials#requireToken}); a token that is not a valid header value is invalidated and fails
   * with {@code Unauthorized}, as it can never work.
   */
  static void withToken(Credentials credentials, String what, BooleanSupplier abandoned,
      Function<String, HttpRequest> requestForToken, Consumer<HttpRequest> send,
      Consumer<CheckpointTransportException> fail) {
    credentials.requireToken(what).whenComplete((value, failure) -> {
      if (abandoned.getAsBoolean()) {
        return;
      }
      if (failure != null) {
        // Unauthorized from requireToken; anything else only from a host that overrides it.
        Throwable cause = StatusMapping.unwrap(failure);
        fail.accept(cause instanceof CheckpointTransportException typed ? typed
            : new CheckpointTransportException.Unauthorized(what + ": " + cause));
        return;
      }
      HttpRequest request;
      try {
        request = requestForToken.apply(value);
      } catch (IllegalArgumentException e) {
        // The JDK refuses header values with control characters.
        credentials.invalidate();
        fail.accept(new CheckpointTransportException.Unauthorized(
            what + ": the token is not a valid header value"));
        return;
      }
      send.accept(request);
    });
  }
}
