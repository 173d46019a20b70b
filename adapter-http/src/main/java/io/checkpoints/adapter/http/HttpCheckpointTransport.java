package io.checkpoints.adapter.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestRejectedException;
import io.checkpoints.ports.CheckpointRequestTransport;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Credentials;
import io.checkpoints.ports.Scheduler;
import io.checkpoints.ports.WriteCheckpoint;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The checkpoint-request transport over HTTP to a PowerSync service (section 10 of the
 * behaviour), with the JDK {@link HttpClient} and Jackson.
 *
 * <ul>
 *   <li>{@link #postCheckpointRequest}: {@code POST {endpoint}/sync/checkpoint-request} with
 *       {@code {"client_id": "...", "checkpoint_request_id": "42"}} (the id as a decimal string);
 *       the answer {@code {"data": {"checkpoint_request_id": "43"}}} must carry an id in
 *       {@code 1..MAX} as a decimal string or as a JSON number up to {@code 2^53-1}, and not below
 *       the posted id (the service answers {@code max(posted, stored)}; a lower answer would make
 *       the client's ids go backwards, so it is refused as malformed).
 *   <li>{@link #fetchLegacyWriteCheckpoint}: {@code GET {endpoint}/write-checkpoint2.json?client_id=...}
 *       answering {@code {"data": {"write_checkpoint": "N"}}}.
 * </ul>
 *
 * <p>Every request carries {@code Authorization: Token <token>} from the {@link Credentials}, a
 * {@code User-Agent}, and {@code Content-Type: application/json}. Futures never fail with wrapped
 * exceptions; they fail with:
 *
 * <ul>
 *   <li>400: {@link CheckpointRequestRejectedException} with the service's error code and
 *       description from {@code {"error": {"code": ..., "description" | "message": ...}}};
 *   <li>401: {@link CheckpointTransportException.Unauthorized}, after {@link Credentials#invalidate()}
 *       (whether and when to retry is the client flow's decision); a token the credentials cannot
 *       give, or one that is not a valid header value, fails the same way;
 *   <li>404: {@link CheckpointTransportException.NotSupported}; 429:
 *       {@link CheckpointTransportException.Overloaded}; 5xx:
 *       {@link CheckpointTransportException.ServerError} with the status;
 *   <li>a connection failure, a body cut short by the connection, or no complete answer within
 *       the request timeout: {@link CheckpointTransportException.Unreachable};
 *   <li>any other status, a body that is not the expected JSON, a missing field, an id out of range,
 *       or a body larger than {@link Builder#maxResponseBytes}:
 *       {@link CheckpointTransportException.MalformedResponse}.
 * </ul>
 *
 * <p>The request timeout bounds the whole exchange (token, headers and body) through the
 * {@link Scheduler} port, so a service that sends headers and then stalls cannot hang a caller;
 * {@link HttpRequest#timeout} is set too, as the HTTP client's own guard.
 *
 * <p>A host with its own backend for checkpoint requests (PowerSync's "custom checkpoint
 * requests") does not use this class: it implements {@link CheckpointRequestTransport} itself,
 * answering {@code max(posted, stored)} and failing with the same exception types.
 *
 * <p>Immutable and thread-safe; never blocks the calling thread.
 */
public final class HttpCheckpointTransport implements CheckpointRequestTransport {

  /** The default connect timeout: 10 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** The default timeout for a whole exchange: 30 seconds. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** The default limit of a response body: 64 KiB, far above any answer of these endpoints. */
  public static final int DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

  /** The default {@code User-Agent}. */
  public static final String DEFAULT_USER_AGENT = "checkpoints-java";

  static final String CHECKPOINT_REQUEST_PATH = "/sync/checkpoint-request";
  static final String LEGACY_PATH = "/write-checkpoint2.json";

  private final Endpoint endpoint;
  private final Credentials credentials;
  private final HttpClient client;
  private final Duration requestTimeout;
  private final String userAgent;
  private final int maxResponseBytes;
  private final Scheduler scheduler;

  private HttpCheckpointTransport(Builder builder) {
    this.endpoint = builder.endpoint;
    this.credentials = builder.credentials;
    this.requestTimeout = builder.requestTimeout;
    this.userAgent = builder.userAgent;
    this.maxResponseBytes = builder.maxResponseBytes;
    this.scheduler = builder.scheduler;
    this.client = TokenRequests.client(builder.client, builder.connectTimeout, endpoint);
  }

  /**
   * @param endpoint the service's base URI, for example {@code https://example.powersync.com}
   * @param credentials where the token comes from
   * @return a builder with the defaults
   * @throws CheckpointArgumentException if {@code endpoint} is not an absolute http(s) URI without
   *     query or fragment
   * @throws NullPointerException if an argument is null
   */
  public static Builder builder(URI endpoint, Credentials credentials) {
    return new Builder(Endpoint.of(endpoint), Objects.requireNonNull(credentials, "credentials"));
  }

  /**
   * {@inheritDoc}
   *
   * @throws NullPointerException if {@code request} is null
   */
  @Override
  public CompletableFuture<CheckpointRequestId> postCheckpointRequest(CheckpointRequest request) {
    Objects.requireNonNull(request, "request");
    ObjectNode body = Json.object();
    body.put("client_id", request.clientId().value());
    body.put("checkpoint_request_id", request.id().toWireString());
    byte[] bytes = Json.bytes(body);
    String what = "POST " + CHECKPOINT_REQUEST_PATH;
    return exchange(what,
        token -> base(endpoint.resolve(CHECKPOINT_REQUEST_PATH), token)
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build(),
        data -> {
          CheckpointRequestId accepted =
              Json.requestId(data.get("checkpoint_request_id"), "data.checkpoint_request_id");
          if (accepted.compareTo(request.id()) < 0) {
            throw new CheckpointArgumentException("the service accepted id " + accepted
                + ", lower than the posted " + request.id() + "; it must answer max(posted, stored)");
          }
          return accepted;
        });
  }

  /**
   * {@inheritDoc}
   *
   * @throws NullPointerException if {@code clientId} is null
   */
  @Override
  public CompletableFuture<WriteCheckpoint> fetchLegacyWriteCheckpoint(ClientId clientId) {
    Objects.requireNonNull(clientId, "clientId");
    URI uri = endpoint.resolve(LEGACY_PATH + "?client_id="
        + URLEncoder.encode(clientId.value(), StandardCharsets.UTF_8));
    return exchange("GET " + LEGACY_PATH,
        token -> base(uri, token).GET().build(),
        data -> Json.writeCheckpoint(data.get("write_checkpoint"), "data.write_checkpoint"));
  }

  private HttpRequest.Builder base(URI uri, String token) {
    return TokenRequests.request(uri, token, "application/json", userAgent, requestTimeout);
  }

  private <T> CompletableFuture<T> exchange(
      String what, Function<String, HttpRequest> requestForToken, Function<JsonNode, T> readData) {
    CompletableFuture<T> result = new CompletableFuture<>();
    AtomicReference<LimitedBodySubscriber> body = new AtomicReference<>();
    AtomicReference<CompletableFuture<?>> sent = new AtomicReference<>();
    Scheduler.Cancellable deadline = scheduler.schedule(requestTimeout, () -> {
      CheckpointTransportException timeout = new CheckpointTransportException.Unreachable(
          what + " got no complete answer within " + requestTimeout, null);
      if (result.completeExceptionally(timeout)) {
        LimitedBodySubscriber subscriber = body.get();
        if (subscriber != null) {
          subscriber.abort(timeout);
        }
        CompletableFuture<?> pending = sent.get();
        if (pending != null) {
          pending.cancel(true);
        }
      }
    });
    result.whenComplete((value, failure) -> deadline.cancel());

    TokenRequests.withToken(credentials, what, result::isDone, requestForToken,
        request -> send(request, what, result, body, sent, readData),
        result::completeExceptionally);
    return result;
  }

  private <T> void send(HttpRequest request, String what, CompletableFuture<T> result,
      AtomicReference<LimitedBodySubscriber> body, AtomicReference<CompletableFuture<?>> sent,
      Function<JsonNode, T> readData) {
    CompletableFuture<HttpResponse<byte[]>> response = client.sendAsync(request, info -> {
      LimitedBodySubscriber subscriber = new LimitedBodySubscriber(maxResponseBytes, what);
      body.set(subscriber);
      if (result.isDone()) {
        subscriber.abort(new CheckpointTransportException.Unreachable(what + " was abandoned",
            null));
      }
      return subscriber;
    });
    sent.set(response);
    response.whenComplete((answer, error) -> {
      if (error != null) {
        result.completeExceptionally(StatusMapping.forFailure(error, what));
        return;
      }
      try {
        result.complete(interpret(answer, what, readData));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
  }

  private <T> T interpret(HttpResponse<byte[]> response, String what, Function<JsonNode, T> readData) {
    byte[] body = response.body();
    if (response.statusCode() != 200) {
      throw StatusMapping.forStatus(response.statusCode(), body, what, credentials);
    }
    JsonNode root;
    try {
      root = Json.parse(body);
    } catch (JsonProcessingException e) {
      throw new CheckpointTransportException.MalformedResponse(
          what + ": the response is not JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode data = root.path("data");
    if (!data.isObject()) {
      throw new CheckpointTransportException.MalformedResponse(what + ": the response has no"
          + " \"data\" object: " + Json.excerpt(body), null);
    }
    try {
      return readData.apply(data);
    } catch (CheckpointArgumentException e) {
      throw new CheckpointTransportException.MalformedResponse(what + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "HttpCheckpointTransport[" + endpoint + "]";
  }

  /** Builds an {@link HttpCheckpointTransport}. Not thread-safe; use it on one thread. */
  public static final class Builder extends HttpClientBuilder<Builder> {
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;

    private Builder(Endpoint endpoint, Credentials credentials) {
      super(endpoint, credentials);
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * @param timeout how long a whole exchange may take, from asking for the token to the last
     *     byte of the body; positive
     * @return this builder
     * @throws CheckpointArgumentException if {@code timeout} is not positive
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Endpoint.positive(timeout, "requestTimeout");
      return this;
    }

    /**
     * @param maxBytes the largest response body accepted; 1 KiB to 64 MiB
     * @return this builder
     * @throws CheckpointArgumentException if {@code maxBytes} is below 1 KiB or above 64 MiB
     */
    public Builder maxResponseBytes(int maxBytes) {
      if (maxBytes < 1024 || maxBytes > 64 << 20) {
        throw new CheckpointArgumentException(
            "maxResponseBytes must be between 1024 and " + (64 << 20) + ", got " + maxBytes);
      }
      this.maxResponseBytes = maxBytes;
      return this;
    }

    /** @return the transport */
    public HttpCheckpointTransport build() {
      return new HttpCheckpointTransport(this);
    }
  }
}
