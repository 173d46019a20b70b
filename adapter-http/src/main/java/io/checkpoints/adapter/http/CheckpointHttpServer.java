package io.checkpoints.adapter.http;

import static io.checkpoints.adapter.http.ServerExchanges.authorize;
import static io.checkpoints.adapter.http.ServerExchanges.error;
import static io.checkpoints.adapter.http.ServerExchanges.jsonBody;
import static io.checkpoints.adapter.http.ServerExchanges.method;
import static io.checkpoints.adapter.http.ServerExchanges.queryParameter;
import static io.checkpoints.adapter.http.ServerExchanges.respond;
import static io.checkpoints.adapter.http.ServerExchanges.serviceFailure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestRejectedException;
import io.checkpoints.ports.CheckpointService;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Scheduler;
import io.checkpoints.ports.SyncDataService;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.WriteCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

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
 *       {@link CheckpointHttpServerBuilder#keepAliveInterval keep-alive interval} without lines it
 *       sends a {@code {"token_expires_in": n}} line (n is the seconds left on the token,
 *       {@value Integer#MAX_VALUE} for a token without {@code exp}), which also detects clients
 *       that went away. The response ends after a {@code token_expires_in} of zero or less: one the
 *       service sent (see the simulated service's {@code disconnectStreams}), or the server's own
 *       once the token has expired. It also ends when the server closes or when the client falls
 *       more than {@link CheckpointHttpServerBuilder#maxQueuedLines} lines behind. With a {@link
 *       CheckpointHttpServerBuilder#dataService data service}, each checkpoint lists the user's
 *       bucket with its checksum and count, followed by a {@code data} line with the entries after
 *       the op id the request's {@code buckets} gives for it.
 *   <li>{@code POST /backend/upload} with {@code {"operations": [{"op": "PUT", "type": "todos",
 *       "id": "t1", "data": {...}}]}}, served only with a data service: 200 {@code {"data":
 *       {"applied": N}}}; a body that is not such a batch gets 400 {@code PSYNC_S2001} before any
 *       row changes.
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

  /**
   * The JDK system property that turns off Nagle's algorithm on the sockets of {@code
   * com.sun.net.httpserver}. The JDK reads it once per process, when its first server starts, and
   * leaves Nagle on by default: a small response then waits for the client's delayed
   * acknowledgement, about 40 ms per exchange on Linux. A host that serves this server to clients
   * it measures should start its JVM with {@code -Dsun.net.httpserver.nodelay=true}; a library
   * cannot set it for its host, and {@code checkpoints serve} sets it unless given.
   */
  public static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";


  /** The default keep-alive interval on streams: 20 seconds. */
  public static final Duration DEFAULT_KEEP_ALIVE_INTERVAL = Duration.ofSeconds(20);

  /** The default limit of a request body: 64 KiB. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;

  /** The default number of lines a stream may fall behind before it is ended: 10,000. */
  public static final int DEFAULT_MAX_QUEUED_LINES = 10_000;

  static final String VALIDATION_ERROR = ServerExchanges.VALIDATION_ERROR;
  static final String AUTHORIZATION_ERROR = ServerExchanges.AUTHORIZATION_ERROR;

  /** The simulated backend's upload endpoint, served when the server has a data service. */
  public static final String UPLOAD_PATH = "/backend/upload";

  private static final System.Logger LOG = System.getLogger(CheckpointHttpServer.class.getName());
  private static final AtomicInteger SERVER_COUNT = new AtomicInteger();

  private final CheckpointService service;
  private final Duration keepAliveInterval;
  private final int maxRequestBytes;
  private final int maxQueuedLines;
  private final Scheduler scheduler;
  private final SyncDataService dataService;
  private final Consumer<String> log;
  private final StreamSession.Settings streamSettings;
  private final HttpServer server;
  private final ExecutorService executor;
  private final Set<StreamSession> streams = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final String threadNamePrefix;

  CheckpointHttpServer(CheckpointHttpServerBuilder builder) throws IOException {
    this.service = builder.service;
    this.keepAliveInterval = builder.keepAliveInterval;
    this.maxRequestBytes = builder.maxRequestBytes;
    this.maxQueuedLines = builder.maxQueuedLines;
    this.scheduler = builder.scheduler;
    this.dataService = builder.dataService;
    this.log = builder.log;
    this.streamSettings = new StreamSession.Settings(keepAliveInterval, maxQueuedLines, scheduler,
        SyncLineEncoder.create(), dataService, log);
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
  public static CheckpointHttpServerBuilder builder(CheckpointService service) {
    return new CheckpointHttpServerBuilder(service);
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
      log.accept(exchange.getRequestMethod() + " " + exchange.getRequestURI());
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
        case UPLOAD_PATH:
          upload(exchange);
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

  /** A POST's validated request, its body and its user. */
  private record Posted<T>(JsonNode body, T request, DevelopmentToken.Claims claims) {}

  /**
   * Reads a POST as the service does: the method, the JSON body, the request {@code read} makes of
   * it (its argument errors are a 400), and only then the token.
   *
   * @return null after answering 405, 413, 400 or 401
   */
  private <T> Posted<T> posted(HttpExchange exchange, Function<JsonNode, T> read)
      throws IOException {
    if (!method(exchange, "POST")) {
      return null;
    }
    JsonNode body = jsonBody(exchange, maxRequestBytes);
    if (body == null) {
      return null;
    }
    T request;
    try {
      request = read.apply(body);
    } catch (CheckpointArgumentException e) {
      error(exchange, 400, VALIDATION_ERROR, e.getMessage());
      return null;
    }
    DevelopmentToken.Claims claims = authorize(exchange, scheduler);
    return claims == null ? null : new Posted<>(body, request, claims);
  }

  private void checkpointRequest(HttpExchange exchange) throws IOException {
    Posted<CheckpointRequest> posted = posted(exchange, body -> new CheckpointRequest(
        clientId(body.get("client_id")),
        Json.requestId(body.get("checkpoint_request_id"), "checkpoint_request_id")));
    if (posted == null) {
      return;
    }
    CheckpointRequestId accepted;
    try {
      accepted = service.acceptCheckpointRequest(posted.claims().subject, posted.request());
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
    DevelopmentToken.Claims claims = authorize(exchange, scheduler);
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
    Posted<ClientId> posted = posted(exchange, body -> clientId(body.get("client_id")));
    if (posted == null) {
      return;
    }
    String user = posted.claims().subject;
    StreamSession session = new StreamSession(exchange, posted.claims(), streamSettings,
        dataService == null ? 0 : clientOpId(posted.body(), dataService.bucketName(user)));
    CheckpointService.StreamSubscription subscription;
    try {
      subscription = service.openStream(user, posted.request(), session::offer);
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

  private void upload(HttpExchange exchange) throws IOException {
    if (dataService == null) {
      error(exchange, 404, "NOT_FOUND",
          "no endpoint " + UPLOAD_PATH + ": this server has no backend");
      return;
    }
    Posted<List<SyncDataService.Operation>> posted = posted(exchange, UploadRequest::operations);
    if (posted == null) {
      return;
    }
    try {
      dataService.applyUpload(posted.claims().subject, posted.request());
    } catch (RuntimeException e) {
      serviceFailure(exchange, e);
      return;
    }
    ObjectNode answer = Json.object();
    answer.putObject("data").put("applied", posted.request().size());
    respond(exchange, 200, Json.bytes(answer));
  }

  /** @return the op id the stream request says the client has of {@code bucket}; 0 if none */
  private static long clientOpId(JsonNode body, String bucket) {
    JsonNode buckets = body.get("buckets");
    if (buckets == null || !buckets.isArray()) {
      return 0;
    }
    for (JsonNode entry : buckets) {
      JsonNode after = entry.get("after");
      if (entry.path("name").asText("").equals(bucket) && after != null) {
        try {
          return Math.max(0, Long.parseLong(after.asText()));
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  private static ClientId clientId(JsonNode node) {
    if (node == null || !node.isTextual() || node.textValue().isBlank()) {
      throw new CheckpointArgumentException("client_id is required and must be a non-blank string"
          + (node == null ? "" : ", got " + Json.describe(node)));
    }
    return ClientId.of(node.textValue());
  }
}
