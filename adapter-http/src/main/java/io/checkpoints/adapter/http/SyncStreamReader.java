package io.checkpoints.adapter.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Credentials;
import io.checkpoints.ports.Scheduler;
import io.checkpoints.ports.SyncLine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A minimal sync-stream client: {@code POST {endpoint}/sync/stream} and newline-delimited JSON
 * lines back.
 *
 * <p>The start request is {@code {"client_id": "...", "buckets": [], "include_checksum": true,
 * "raw_data": true}}: the client id that checkpoint requests are tied to, no bucket positions (this
 * reader keeps no bucket data, so the service starts from scratch), and the flags the PowerSync
 * SDKs send for JSON lines. It carries {@code Authorization: Token <token>} like the transport.
 *
 * <p>Each line is decoded with a {@link SyncLineDecoder}: the checkpoint lines of section 11 of the
 * behaviour and {@code token_expires_in} go to the line consumer as {@link SyncLine}s; every other
 * line (bucket data and anything else) goes, as its raw text, to the host's consumer. Blank lines
 * are keep-alives and are skipped. After a {@code token_expires_in} of zero or less is delivered the
 * stream ends, as the service ends it then.
 *
 * <p>Nothing can hang or grow without bound: the response must start within the response timeout
 * and some data must arrive within every idle timeout (the service sends keep-alive lines), both
 * measured with the {@link Scheduler} port; a line longer than the limit, invalid UTF-8, a malformed
 * line or a stream that ends inside a line fails the stream with a
 * {@link io.checkpoints.ports.SyncProtocolException}; HTTP statuses map as in
 * {@link HttpCheckpointTransport} (401 invalidates the credentials). See {@link SyncStream}.
 *
 * <p>Immutable and thread-safe: one reader can open any number of streams.
 */
public final class SyncStreamReader {

  /** The default connect timeout: 10 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** The default time for the response to start: 30 seconds. */
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);

  /** The default longest silence on an open stream: 60 seconds (services send keep-alives). */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  /** The default longest line: 16 MiB. */
  public static final int DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

  static final String STREAM_PATH = "/sync/stream";

  private final Endpoint endpoint;
  private final Credentials credentials;
  private final HttpClient client;
  private final Duration responseTimeout;
  private final Duration idleTimeout;
  private final int maxLineBytes;
  private final String userAgent;
  private final Scheduler scheduler;
  private final SyncLineDecoder decoder;

  private SyncStreamReader(Builder builder) {
    this.endpoint = builder.endpoint;
    this.credentials = builder.credentials;
    this.responseTimeout = builder.responseTimeout;
    this.idleTimeout = builder.idleTimeout;
    this.maxLineBytes = builder.maxLineBytes;
    this.userAgent = builder.userAgent;
    this.scheduler = builder.scheduler;
    this.decoder = builder.decoder;
    this.client = TokenRequests.client(builder.client, builder.connectTimeout, endpoint);
  }

  /**
   * @param endpoint the service's base URI
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
   * Opens a stream; returns at once, the lines arrive on the HTTP client's threads.
   *
   * @param clientId the client, sent as {@code client_id}
   * @param lines receives the decoded checkpoint and {@code token_expires_in} lines
   * @param otherLines receives the raw text of every other line
   * @return the open stream
   * @throws NullPointerException if an argument is null
   */
  public SyncStream open(ClientId clientId, Consumer<SyncLine> lines, Consumer<String> otherLines) {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(lines, "lines");
    Objects.requireNonNull(otherLines, "otherLines");
    String what = "POST " + STREAM_PATH;
    SyncStream stream = new SyncStream(what, scheduler, idleTimeout, maxLineBytes, decoder, lines,
        otherLines);
    stream.arm(responseTimeout, "no response from the service");

    ObjectNode start = Json.object();
    start.put("client_id", clientId.value());
    start.putArray("buckets");
    start.put("include_checksum", true);
    start.put("raw_data", true);
    byte[] body = Json.bytes(start);

    TokenRequests.withToken(credentials, what, () -> !stream.isOpen(),
        token -> TokenRequests.request(endpoint.resolve(STREAM_PATH), token,
                "application/x-ndjson", userAgent, responseTimeout)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        request -> send(stream, request, what), stream::fail);
    return stream;
  }

  private void send(SyncStream stream, HttpRequest request, String what) {
    CompletableFuture<HttpResponse<byte[]>> sent = client.sendAsync(request, info -> {
      if (info.statusCode() == 200) {
        stream.arm(idleTimeout, "no data from the service");
        return HttpResponse.BodySubscribers.mapping(
            HttpResponse.BodySubscribers.fromSubscriber(stream.lineSubscriber()),
            ignored -> null);
      }
      return new LimitedBodySubscriber(HttpCheckpointTransport.DEFAULT_MAX_RESPONSE_BYTES, what);
    });
    stream.exchange(sent);
    // An error status fails the stream only once the exchange is complete: cancelling an
    // exchange whose response has been read can break the connection the client pools.
    sent.whenComplete((response, sendFailure) -> {
      if (sendFailure != null) {
        stream.fail(StatusMapping.forFailure(sendFailure, what));
      } else if (response.statusCode() != 200) {
        stream.fail(StatusMapping.forStatus(response.statusCode(), response.body(), what,
            credentials));
      }
    });
  }

  @Override
  public String toString() {
    return "SyncStreamReader[" + endpoint + "]";
  }

  /** Builds a {@link SyncStreamReader}. Not thread-safe; use it on one thread. */
  public static final class Builder extends HttpClientBuilder<Builder> {
    private Duration responseTimeout = DEFAULT_RESPONSE_TIMEOUT;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
    private SyncLineDecoder decoder = SyncLineDecoder.create();

    private Builder(Endpoint endpoint, Credentials credentials) {
      super(endpoint, credentials);
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * @param timeout how long until the response's status and headers arrive; positive
     * @return this builder
     * @throws CheckpointArgumentException if {@code timeout} is not positive
     */
    public Builder responseTimeout(Duration timeout) {
      this.responseTimeout = Endpoint.positive(timeout, "responseTimeout");
      return this;
    }

    /**
     * @param timeout the longest silence on an open stream; positive
     * @return this builder
     * @throws CheckpointArgumentException if {@code timeout} is not positive
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = Endpoint.positive(timeout, "idleTimeout");
      return this;
    }

    /**
     * @param maxBytes the longest line, in bytes without the line end; 64 to 1 GiB
     * @return this builder
     * @throws CheckpointArgumentException if {@code maxBytes} is below 64 or above 1 GiB
     */
    public Builder maxLineBytes(int maxBytes) {
      if (maxBytes < 64 || maxBytes > 1 << 30) {
        throw new CheckpointArgumentException(
            "maxLineBytes must be between 64 and " + (1 << 30) + ", got " + maxBytes);
      }
      this.maxLineBytes = maxBytes;
      return this;
    }

    /**
     * @param decoder the line decoder, for other limits; {@link SyncLineDecoder#create()} by default
     * @return this builder
     */
    public Builder decoder(SyncLineDecoder decoder) {
      this.decoder = Objects.requireNonNull(decoder, "decoder");
      return this;
    }

    /** @return the reader */
    public SyncStreamReader build() {
      return new SyncStreamReader(this);
    }
  }
}
