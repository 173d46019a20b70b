package io.checkpoints.adapter.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestRejectedException;
import io.checkpoints.ports.CheckpointService;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Scheduler;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.WriteCheckpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves any {@link CheckpointService} over loopback HTTP with the wire format of the PowerSync
 * service (section 10 of the behaviour), for tests, simulations and the command line. Uses the
 * JDK's {@code com.sun.net.httpserver} and binds to {@code 127.0.0.1} only.
 *
 * <h2>Endpoints</h2>
 *
 * <ul>
 *   <li>{@code POST /sync/checkpoint-request} with {@code {"client_id": "...",
 *       "checkpoint_request_id": "42"}}: 200 {@code {"data": {"checkpoint_request_id": "43"}}}.
 *       The body is validated before the token is looked at, as the service does: {@code client_id}
 *       must be a non-blank string and the id a decimal string in {@code 1..MAX} or a JSON number
 *       whose value is an integer in {@code 1..2^53-1}; anything else gets 400 with code
 *       {@code PSYNC_S2001}.
 *   <li>{@code GET /write-checkpoint2.json?client_id=...}: 200 {@code {"data": {"write_checkpoint":
 *       "N"}}}; a missing or blank {@code client_id} gets 400 {@code PSYNC_S2001}.
 *   <li>{@code POST /sync/stream} with {@code {"client_id": "...", ...}} (other fields are
 *       ignored): 200 and a chunked {@code application/x-ndjson} body carrying the service's
 *       {@link SyncLine}s for that client, one JSON line each ({@link SyncLineEncoder}). Every
 *       {@link Builder#keepAliveInterval keep-alive interval} without lines it sends a
 *       {@code {"token_expires_in": n}} line (n is the seconds left on the token,
 *       {@value Integer#MAX_VALUE} for a token without {@code exp}), which also detects clients
 *       that went away. The response ends after a {@code token_expires_in} of zero or less: one the
 *       service sent (see the simulated service's {@code disconnectStreams}), or the server's own
 *       once the token has expired. It also ends when the server closes or when the client falls
 *       more than {@link Builder#maxQueuedLines} lines behind.
 * </ul>
 *
 * <h2>Authorization</h2>
 *
 * Requests need {@code Authorization: Token <jwt>}. The user is the {@code sub} claim of the JWT's
 * payload (base64url JSON) and an {@code exp} claim in the past is refused; <strong>the signature
 * is not checked</strong>: this is a development tool and must never guard real data. A missing or
 * malformed token gets 401 ({@code PSYNC_S2101}). {@link #developmentToken} makes such tokens.
 *
 * <h2>The service's failures</h2>
 *
 * {@code NotSupported} is 404, {@code Unauthorized} 401, {@code Overloaded} 429 with an empty body,
 * {@code ServerError} its status (500 when it is not a 5xx status), {@link
 * CheckpointRequestRejectedException} and other argument errors 400. {@code Unreachable} means the
 * caller never hears back (the simulated service's dropped response): the connection is closed
 * without a response. Anything else is 500. Error bodies are {@code {"error": {"code": ...,
 * "status": ..., "description": ...}}}; only the codes {@code PSYNC_S2001} and {@code PSYNC_S2101}
 * are the real service's.
 *
 * <p>Thread-safe. Each exchange runs on a thread of the server's own pool (a stream holds its
 * thread while it is open); service calls may block those threads. {@link #close()} ends the
 * streams, stops the server and its threads.
 */
public final class CheckpointHttpServer implements AutoCloseable {

  /** The default keep-alive interval on streams: 20 seconds. */
  public static final Duration DEFAULT_KEEP_ALIVE_INTERVAL = Duration.ofSeconds(20);

  /** The default limit of a request body: 64 KiB. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;

  /** The default number of lines a stream may fall behind before it is ended: 10,000. */
  public static final int DEFAULT_MAX_QUEUED_LINES = 10_000;

  static final String VALIDATION_ERROR = "PSYNC_S2001";
  static final String AUTHORIZATION_ERROR = "PSYNC_S2101";

  private static final System.Logger LOG = System.getLogger(CheckpointHttpServer.class.getName());
  private static final AtomicInteger SERVER_COUNT = new AtomicInteger();
  private static final Object END = new Object();

  private final CheckpointService service;
  private final Duration keepAliveInterval;
  private final int maxRequestBytes;
  private final int maxQueuedLines;
  private final Scheduler scheduler;
  private final SyncLineEncoder encoder = SyncLineEncoder.create();
  private final HttpServer server;
  private final ExecutorService executor;
  private final Set<StreamSession> streams = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final String threadNamePrefix;

  private CheckpointHttpServer(Builder builder) throws IOException {
    this.service = builder.service;
    this.keepAliveInterval = builder.keepAliveInterval;
    this.maxRequestBytes = builder.maxRequestBytes;
    this.maxQueuedLines = builder.maxQueuedLines;
    this.scheduler = builder.scheduler;
    this.threadNamePrefix = "checkpoint-http-" + SERVER_COUNT.incrementAndGet() + "-";
    AtomicInteger threadCount = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), runnable -> {
          Thread thread = new Thread(runnable, threadNamePrefix + threadCount.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    this.server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), builder.port), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * @param service what to serve
   * @return a builder: an ephemeral port and the defaults
   * @throws NullPointerException if {@code service} is null
   */
  public static Builder builder(CheckpointService service) {
    return new Builder(service);
  }

  /**
   * @param service what to serve
   * @return a started server on an ephemeral loopback port with the defaults
   * @throws UncheckedIOException if the server cannot bind
   */
  public static CheckpointHttpServer start(CheckpointService service) {
    return builder(service).start();
  }

  /**
   * A token this server accepts for {@code subject}: an unsigned JWT ({@code alg} {@code none})
   * without expiry. Never accepted by a real service.
   *
   * @param subject the user id, the {@code sub} claim; not empty
   * @return the token, for {@code Authorization: Token <token>}
   * @throws CheckpointArgumentException if {@code subject} is null or empty
   */
  public static String developmentToken(String subject) {
    return DevelopmentToken.create(checkSubject(subject), null);
  }

  /**
   * A token this server accepts for {@code subject} until {@code expiresAt} (the {@code exp}
   * claim, whole seconds).
   *
   * @param subject the user id, the {@code sub} claim; not empty
   * @param expiresAt when the token expires
   * @return the token, for {@code Authorization: Token <token>}
   * @throws CheckpointArgumentException if {@code subject} is null or empty
   * @throws NullPointerException if {@code expiresAt} is null
   */
  public static String developmentToken(String subject, Instant expiresAt) {
    return DevelopmentToken.create(checkSubject(subject),
        Objects.requireNonNull(expiresAt, "expiresAt"));
  }

  private static String checkSubject(String subject) {
    if (subject == null || subject.isEmpty()) {
      throw new CheckpointArgumentException("a token subject must be a non-empty user id");
    }
    return subject;
  }

  /** @return the base URI to give the transport and the stream reader, {@code http://127.0.0.1:port} */
  public URI endpoint() {
    return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + port());
  }

  /** @return the port the server listens on */
  public int port() {
    return server.getAddress().getPort();
  }

  /** @return how many streams are being served */
  public int openStreamCount() {
    return streams.size();
  }

  /** Ends every stream, stops listening and stops the server's threads; closing twice does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (StreamSession stream : streams) {
      stream.end();
    }
    // Give the streams a moment to finish their responses, so clients see a clean end rather
    // than a reset connection; stop(0) below closes whatever is still open.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    try {
      for (StreamSession stream : streams) {
        stream.finished.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.stop(0);
    // Interrupts handlers blocked in a service call (a delayed simulated answer, say).
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.log(System.Logger.Level.WARNING, "some HTTP handler threads did not stop in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "CheckpointHttpServer[" + endpoint() + "]";
  }

  /** The names of this server's threads start with it (for tests). */
  String threadNamePrefix() {
    return threadNamePrefix;
  }

  // ---------------------------------------------------------------------------------------------
  // Exchanges.

  private void handle(HttpExchange exchange) {
    try {
      String path = exchange.getRequestURI().getPath();
      switch (path) {
        case HttpCheckpointTransport.CHECKPOINT_REQUEST_PATH:
          checkpointRequest(exchange);
          break;
        case HttpCheckpointTransport.LEGACY_PATH:
          legacyWriteCheckpoint(exchange);
          break;
        case SyncStreamReader.STREAM_PATH:
          stream(exchange);
          break;
        default:
          error(exchange, 404, "NOT_FOUND", "no endpoint " + path);
      }
    } catch (IOException e) {
      // The client went away; there is no one to answer.
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "the checkpoint HTTP server failed on an exchange", e);
    } finally {
      exchange.close();
    }
  }

  private void checkpointRequest(HttpExchange exchange) throws IOException {
    if (!method(exchange, "POST")) {
      return;
    }
    JsonNode body = jsonBody(exchange);
    if (body == null) {
      return;
    }
    CheckpointRequest request;
    try {
      ClientId clientId = clientId(body.get("client_id"));
      CheckpointRequestId id =
          Json.requestId(body.get("checkpoint_request_id"), "checkpoint_request_id");
      request = new CheckpointRequest(clientId, id);
    } catch (CheckpointArgumentException e) {
      error(exchange, 400, VALIDATION_ERROR, e.getMessage());
      return;
    }
    DevelopmentToken.Claims claims = authorize(exchange);
    if (claims == null) {
      return;
    }
    CheckpointRequestId accepted;
    try {
      accepted = service.acceptCheckpointRequest(claims.subject, request);
    } catch (RuntimeException e) {
      serviceFailure(exchange, e);
      return;
    }
    ObjectNode answer = Json.object();
    answer.putObject("data").put("checkpoint_request_id", accepted.toWireString());
    respond(exchange, 200, Json.bytes(answer));
  }

  private void legacyWriteCheckpoint(HttpExchange exchange) throws IOException {
    if (!method(exchange, "GET")) {
      return;
    }
    String value = queryParameter(exchange.getRequestURI().getRawQuery(), "client_id");
    if (value == null || value.isBlank()) {
      error(exchange, 400, VALIDATION_ERROR, "the query parameter client_id is required");
      return;
    }
    DevelopmentToken.Claims claims = authorize(exchange);
    if (claims == null) {
      return;
    }
    WriteCheckpoint writeCheckpoint;
    try {
      writeCheckpoint = service.legacyWriteCheckpoint(claims.subject, ClientId.of(value));
    } catch (RuntimeException e) {
      serviceFailure(exchange, e);
      return;
    }
    ObjectNode answer = Json.object();
    answer.putObject("data").put("write_checkpoint", Long.toString(writeCheckpoint.value()));
    respond(exchange, 200, Json.bytes(answer));
  }

  private void stream(HttpExchange exchange) throws IOException {
    if (!method(exchange, "POST")) {
      return;
    }
    JsonNode body = jsonBody(exchange);
    if (body == null) {
      return;
    }
    ClientId clientId;
    try {
      clientId = clientId(body.get("client_id"));
    } catch (CheckpointArgumentException e) {
      error(exchange, 400, VALIDATION_ERROR, e.getMessage());
      return;
    }
    DevelopmentToken.Claims claims = authorize(exchange);
    if (claims == null) {
      return;
    }
    StreamSession session = new StreamSession(exchange, claims);
    CheckpointService.StreamSubscription subscription;
    try {
      subscription = service.openStream(claims.subject, clientId, session::offer);
    } catch (RuntimeException e) {
      serviceFailure(exchange, e);
      return;
    }
    streams.add(session);
    try {
      if (closed.get()) {
        session.end();
      }
      session.run();
    } finally {
      streams.remove(session);
      subscription.close();
      session.finished.countDown();
    }
  }

  private static ClientId clientId(JsonNode node) {
    if (node == null || !node.isTextual() || node.textValue().isBlank()) {
      throw new CheckpointArgumentException("client_id is required and must be a non-blank string"
          + (node == null ? "" : ", got " + Json.describe(node)));
    }
    return ClientId.of(node.textValue());
  }

  private boolean method(HttpExchange exchange, String allowed) throws IOException {
    if (allowed.equals(exchange.getRequestMethod())) {
      return true;
    }
    exchange.getResponseHeaders().set("Allow", allowed);
    error(exchange, 405, "METHOD_NOT_ALLOWED",
        exchange.getRequestMethod() + " is not allowed here; use " + allowed);
    return false;
  }

  /** @return the body as a JSON object, or null after answering 400 or 413 */
  private JsonNode jsonBody(HttpExchange exchange) throws IOException {
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(maxRequestBytes + 1);
    }
    if (bytes.length > maxRequestBytes) {
      error(exchange, 413, "PAYLOAD_TOO_LARGE",
          "the request body is larger than " + maxRequestBytes + " bytes");
      return null;
    }
    JsonNode body;
    try {
      body = Json.parse(bytes);
    } catch (JsonProcessingException e) {
      error(exchange, 400, VALIDATION_ERROR, "the body is not JSON: " + e.getOriginalMessage());
      return null;
    }
    if (!body.isObject()) {
      error(exchange, 400, VALIDATION_ERROR, "the body must be a JSON object");
      return null;
    }
    return body;
  }

  /** @return the token's claims, or null after answering 401 */
  private DevelopmentToken.Claims authorize(HttpExchange exchange) throws IOException {
    try {
      return DevelopmentToken.parse(exchange.getRequestHeaders().getFirst("Authorization"),
          scheduler.wallTime());
    } catch (DevelopmentToken.Refused e) {
      error(exchange, 401, AUTHORIZATION_ERROR, e.getMessage());
      return null;
    }
  }

  private void serviceFailure(HttpExchange exchange, RuntimeException failure) throws IOException {
    if (failure instanceof CheckpointTransportException.Unreachable) {
      // The caller must never hear back: close the connection without a response. Closing an
      // exchange whose headers were not sent drops the connection.
      return;
    }
    if (failure instanceof CheckpointRequestRejectedException) {
      String code = ((CheckpointRequestRejectedException) failure).errorCode();
      error(exchange, 400, code.isEmpty() ? VALIDATION_ERROR : code, failure.getMessage());
    } else if (failure instanceof CheckpointArgumentException) {
      error(exchange, 400, VALIDATION_ERROR, failure.getMessage());
    } else if (failure instanceof CheckpointTransportException.NotSupported) {
      error(exchange, 404, "NOT_FOUND", failure.getMessage());
    } else if (failure instanceof CheckpointTransportException.Unauthorized) {
      error(exchange, 401, AUTHORIZATION_ERROR, failure.getMessage());
    } else if (failure instanceof CheckpointTransportException.Overloaded) {
      respond(exchange, 429, new byte[0]);
    } else if (failure instanceof CheckpointTransportException.ServerError) {
      int status = ((CheckpointTransportException.ServerError) failure).status();
      error(exchange, status >= 500 && status <= 599 ? status : 500, "SERVICE_ERROR",
          failure.getMessage());
    } else {
      LOG.log(System.Logger.Level.WARNING, "the checkpoint service failed", failure);
      error(exchange, 500, "SERVICE_ERROR", String.valueOf(failure.getMessage()));
    }
  }

  private static void error(HttpExchange exchange, int status, String code, String description)
      throws IOException {
    respond(exchange, status, Json.errorBody(code, status, description));
  }

  private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
    if (body.length > 0) {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static String queryParameter(String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      int equals = pair.indexOf('=');
      String key = equals < 0 ? pair : pair.substring(0, equals);
      try {
        if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
          return equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1),
              StandardCharsets.UTF_8);
        }
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return null;
  }

  /**
   * One streaming response: the service's sink puts lines into a bounded queue, and the exchange's
   * thread writes them out, so the service never waits for a slow client.
   */
  private final class StreamSession {
    private final HttpExchange exchange;
    private final DevelopmentToken.Claims claims;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private volatile boolean ended;
    private volatile boolean overflowed;
    /** Counted down once the response is complete (the last chunk written) or abandoned. */
    final CountDownLatch finished = new CountDownLatch(1);

    StreamSession(HttpExchange exchange, DevelopmentToken.Claims claims) {
      this.exchange = exchange;
      this.claims = claims;
    }

    void offer(SyncLine line) {
      if (ended) {
        return;
      }
      if (queued.incrementAndGet() > maxQueuedLines) {
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
          Object item = queue.poll(keepAliveInterval.toNanos(), TimeUnit.NANOSECONDS);
          if (item == END || ended || overflowed) {
            break;
          }
          OptionalLong secondsLeft = claims.secondsLeft(scheduler.wallTime());
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
      out.write((encoder.encode(line) + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }

  /** Builds and starts a {@link CheckpointHttpServer}. Not thread-safe; use it on one thread. */
  public static final class Builder {
    private final CheckpointService service;
    private int port;
    private Duration keepAliveInterval = DEFAULT_KEEP_ALIVE_INTERVAL;
    private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    private int maxQueuedLines = DEFAULT_MAX_QUEUED_LINES;
    private Scheduler scheduler = Scheduler.system();

    private Builder(CheckpointService service) {
      this.service = Objects.requireNonNull(service, "service");
    }

    /**
     * @param port the loopback port, 0 (the default) for an ephemeral one
     * @return this builder
     * @throws CheckpointArgumentException if {@code port} is not in 0..65535
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new CheckpointArgumentException("a port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * @param interval how long a stream may stay silent before a keep-alive line; positive. Real
     *     time: it paces the server's threads.
     * @return this builder
     * @throws CheckpointArgumentException if {@code interval} is not positive
     */
    public Builder keepAliveInterval(Duration interval) {
      this.keepAliveInterval = Endpoint.positive(interval, "keepAliveInterval");
      return this;
    }

    /**
     * @param maxBytes the largest request body accepted (larger ones get 413); 1 KiB to 64 MiB
     * @return this builder
     * @throws CheckpointArgumentException if {@code maxBytes} is below 1 KiB or above 64 MiB
     */
    public Builder maxRequestBytes(int maxBytes) {
      if (maxBytes < 1024 || maxBytes > 64 << 20) {
        throw new CheckpointArgumentException(
            "maxRequestBytes must be between 1024 and " + (64 << 20) + ", got " + maxBytes);
      }
      this.maxRequestBytes = maxBytes;
      return this;
    }

    /**
     * @param maxLines how many lines a stream may fall behind before it is ended; at least 1
     * @return this builder
     * @throws CheckpointArgumentException if {@code maxLines} is below 1
     */
    public Builder maxQueuedLines(int maxLines) {
      if (maxLines < 1) {
        throw new CheckpointArgumentException("maxQueuedLines must be at least 1, got " + maxLines);
      }
      this.maxQueuedLines = maxLines;
      return this;
    }

    /**
     * @param scheduler the clock for token expiry ({@link Scheduler#wallTime()});
     *     {@link Scheduler#system()} by default
     * @return this builder
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * @return the started server
     * @throws UncheckedIOException if the server cannot bind
     */
    public CheckpointHttpServer start() {
      try {
        return new CheckpointHttpServer(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the checkpoint HTTP server on 127.0.0.1:"
            + port, e);
      }
    }
  }
}
