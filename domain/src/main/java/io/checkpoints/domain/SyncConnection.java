package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestTransport;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.SyncFailure;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.UserKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The host's side of one sync client: connecting to the service (posting the initial request and
 * seeding the counter with its answer while sync lines are already handled), sync lines,
 * uploads ({@link #nextUploadBatch}, {@link UploadBatch#complete()}), {@link #requestCheckpoint()}
 * with the repost loop, and disconnecting. A host calls this class and its results; local writes
 * go through {@link SyncClient#barrier()} or SQL.
 *
 * <p>Each {@link #connect} opens a new connection; requests, their answers (success or failure,
 * 404 included) and their reposts belong to it: an answer that arrives after it ended is dropped
 * and changes nothing, and the futures it would have completed fail with
 * {@link CheckpointWaitException.Disconnected} at the disconnect.
 *
 * <p>Failures are never silent. Transport failures that may pass
 * ({@link CheckpointTransportException#isRetryable()}: 429, 5xx, no answer) are retried with
 * exponential back-off on the scheduler, and each one shows at once in the status
 * ({@link io.checkpoints.ports.SyncStatusSnapshot#lastFailure()}), its listeners and a log
 * warning (once per distinct cause). A 401 is retried once with fresh credentials (the transport
 * invalidates them); a second 401 in a row fails the call with
 * {@link CheckpointTransportException.Unauthorized}. A 400 fails at once; a 404 means the
 * service has no checkpoint requests: open handles fail for good and requests are refused until
 * the next {@link #connect}.
 *
 * <p>Thread-safe. Futures are completed on the thread of the transport's or scheduler's callback,
 * or of the operation that caused the event.
 */
public final class SyncConnection implements AutoCloseable {

  /** The default, and smallest, delay between two posts of an unacknowledged request. */
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(10);

  private final SyncClient client;
  private final ClientState state;
  private final CheckpointRequestTransport transport;
  private final ServiceCalls calls;
  private final Reposts reposts;
  private final Seeding seeding;
  private final Uploads uploads;

  // Guarded by this.
  private ServiceSession session;
  private boolean closed;

  private SyncConnection(Builder builder) {
    this.client = builder.client;
    this.state = builder.client.state();
    this.transport = builder.transport;
    this.calls = new ServiceCalls(state, client.status(), builder.initialBackoff, builder.maxBackoff);
    this.reposts = new Reposts(state, client.barrier(), transport, calls, builder.retryDelay);
    this.seeding = new Seeding(client, transport, calls, builder.seedTimeout);
    this.uploads = new Uploads(client, transport, calls, seeding, reposts, this::currentSession);
    client.status().addAppliedListener(applied -> applied.writeCheckpoint().ifPresent(reposts::applied));
    client.status().addStatusListener(status -> {
      if (!status.connected() && !status.connecting()) {
        endSessionIfItsIterationEnded(status.lastFailure().map(SyncFailure::error).orElse(null));
      }
    });
  }

  /**
   * @param client the sync client whose iterations this connection drives
   * @param transport how to reach the service
   * @return a builder
   */
  public static Builder builder(SyncClient client, CheckpointRequestTransport transport) {
    return new Builder(client, transport);
  }

  /** @return the sync client */
  public SyncClient client() {
    return client;
  }

  /**
   * Connects without a known user: starts a new sync iteration (ending the current one) and, in
   * requests mode, posts the initial request and seeds the counter with the accepted id; lines may
   * be handled meanwhile.
   *
   * @param mode the checkpoint mode
   * @return a future completed with the seeded id once the service answered (requests mode), or
   *     at once with null (legacy mode). While retryable failures go on it stays pending and the
   *     status shows the last failure. It fails with the service's refusal (400), a second 401 in
   *     a row, {@link CheckpointWaitException.NotSupported} (404),
   *     {@link CheckpointWaitException.Disconnected} if the connection ends first, or
   *     {@link CheckpointWaitException.Closed} after {@link #close()}
   */
  public CompletableFuture<CheckpointRequestId> connect(CheckpointMode mode) {
    Objects.requireNonNull(mode, "mode");
    return begin(mode, null);
  }

  /**
   * As {@link #connect(CheckpointMode)} for a known user, whose per-user sequence keeps ids
   * increasing across clears. Another user than the previous connection's ends the requests of
   * the previous user ({@link CheckpointWaitException.UserSwitched}).
   *
   * @param mode the checkpoint mode
   * @param user the user behind the credentials
   * @return as {@link #connect(CheckpointMode)}
   */
  public CompletableFuture<CheckpointRequestId> connect(CheckpointMode mode, UserKey user) {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(user, "user");
    return begin(mode, user);
  }

  private CompletableFuture<CheckpointRequestId> begin(CheckpointMode mode, UserKey user) {
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(closedFailure());
      }
    }
    endSession();
    Optional<CheckpointRequest> initial = user == null ? client.start(mode) : client.start(mode, user);
    ServiceSession started = new ServiceSession(mode, client.clientId(), state);
    synchronized (this) {
      session = started;
    }
    if (initial.isEmpty()) {
      started.seededWith(CompletableFuture.completedFuture(null));
      uploads.resumeAfterConnect(started);
      return started.seeded().copy();
    }
    CompletableFuture<CheckpointRequestId> seed = new CompletableFuture<>();
    started.seededWith(seed);
    client.sequence().notePosted(initial.get());
    // A seed is a floor for the counter: an answer from before a clear only keeps ids higher.
    calls.retrying(started, null, () -> transport.postCheckpointRequest(initial.get()), seed)
        .thenApply(accepted -> {
          started.requireActive();
          client.sequence().seed(accepted);
          reposts.restart(started);
          return accepted;
        })
        .whenComplete((accepted, error) -> {
          if (error == null) {
            uploads.resumeAfterConnect(started);
          }
        })
        .whenComplete((accepted, error) -> ServiceCalls.complete(seed, accepted, error));
    return started.track(seed.copy());
  }

  /**
   * Handles one decoded sync line (see {@link SyncClient#handleLine}).
   *
   * @param line the line
   * @return what it led to
   */
  public List<LineOutcome> handleLine(SyncLine line) {
    return client.handleLine(line);
  }

  /**
   * Ends the connection: its pending futures and open waits fail with
   * {@link CheckpointWaitException.Disconnected}, reposting stops, answers still on their way are
   * dropped; request handles stay valid for the next connect of the same user.
   */
  public void disconnect() {
    endSession();
    client.stop();
  }

  /**
   * Disconnects for good: as {@link #disconnect()}, and later calls fail with
   * {@link CheckpointWaitException.Closed}. The client and its store stay open.
   */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    disconnect();
  }

  /**
   * Allocates an id, posts it and returns a handle for the id the service accepted. Waits for the
   * current connection's seed first, at most the seed timeout. Does not arm the apply gate.
   *
   * @return a future of the handle; cancelling it stops the request; it fails with
   *     {@link CheckpointWaitException.Disconnected}, {@link CheckpointWaitException.LegacyMode},
   *     {@link CheckpointWaitException.NotSupported}, {@link CheckpointWaitException.Cleared} or
   *     {@link CheckpointWaitException.UserSwitched} if the epoch ended while it was under way, a
   *     {@link CheckpointStateException} when the seed does not arrive in time (its message names
   *     the last failure), or the transport's failure that retrying cannot fix
   */
  public CompletableFuture<CheckpointHandle> requestCheckpoint() {
    ServiceSession current;
    synchronized (this) {
      RuntimeException refusal = refusal();
      if (refusal != null) {
        return CompletableFuture.failedFuture(refusal);
      }
      current = session;
    }
    CompletableFuture<CheckpointHandle> result = current.track(new CompletableFuture<>());
    seeding.ready(current)
        .thenCompose(ignored -> {
          if (result.isDone()) {
            throw new CompletionException(new CancellationException());
          }
          Allocation allocation = state.write(tx -> new Allocation(client.sequence().next(), state.epoch()));
          reposts.await(current, allocation.id(), allocation.epoch());
          return calls.retrying(current, allocation.epoch(),
                  () -> transport.postCheckpointRequest(new CheckpointRequest(current.clientId, allocation.id())),
                  result)
              .thenApply(accepted -> open(current, accepted, allocation.epoch()));
        })
        .whenComplete((handle, error) -> {
          if (error != null) {
            result.completeExceptionally(ServiceCalls.unwrap(error));
          } else if (!result.complete(handle)) {
            state.locked(() -> {
              handle.abandon();
              return null;
            });
          }
        });
    return result;
  }

  /**
   * Reads the oldest queued writes to upload, at most {@code limit} (PowerSync's
   * {@code getCrudBatch}). Works connected or not.
   *
   * @param limit the most writes in the batch; at least 1
   * @return the batch, or empty if the queue is empty
   * @throws CheckpointArgumentException if {@code limit} is below 1
   */
  public Optional<UploadBatch> nextUploadBatch(int limit) {
    if (limit < 1) {
      throw new CheckpointArgumentException("an upload batch holds at least 1 write, got a limit of " + limit);
    }
    return uploads.batch(() -> client.barrier().firstWrites(limit));
  }

  /**
   * Reads the writes of the oldest local transaction still queued (PowerSync's
   * {@code getNextCrudTransaction}). Works connected or not.
   *
   * @return the batch, or empty if the queue is empty
   */
  public Optional<UploadBatch> nextUploadTransaction() {
    return uploads.batch(() -> client.barrier().firstTransaction());
  }

  /** @return the id the repost loop keeps posting until it is acknowledged, if any */
  public Optional<CheckpointRequestId> awaitedId() {
    return reposts.awaitedId();
  }

  /** Registers a handle for an accepted request, unless its connection or epoch ended meanwhile. */
  private CheckpointHandle open(ServiceSession current, CheckpointRequestId accepted, Epoch epoch) {
    current.requireActive();
    CheckpointHandle handle = state.locked(() -> {
      state.requireEpoch(epoch, "checkpoint request " + accepted);
      return new CheckpointHandle(state, accepted, epoch);
    });
    reposts.await(current, accepted, epoch);
    return handle;
  }

  /** Why a request cannot be made now, or null. Call with this locked. */
  private RuntimeException refusal() {
    if (closed) {
      return closedFailure();
    }
    if (session == null || session.hasEnded()) {
      return ServiceSession.disconnected();
    }
    if (session.mode == CheckpointMode.LEGACY) {
      return new CheckpointWaitException.LegacyMode(
          "the sync iteration runs in legacy mode: connect in requests mode to request checkpoints");
    }
    if (!session.isSupported()) {
      return new CheckpointWaitException.NotSupported(
          "the service does not support checkpoint requests", null);
    }
    return null;
  }

  private synchronized ServiceSession currentSession() {
    return session;
  }

  /**
   * The client's iteration ended without a disconnect (a sync error, an expired token, a direct
   * {@code stop}): the connection that started it ends too, so that its pending futures learn it.
   */
  private void endSessionIfItsIterationEnded(CheckpointException cause) {
    ServiceSession ended;
    synchronized (this) {
      ended = session;
      if (ended == null || ended.iterationIsCurrent()) {
        return;
      }
      session = null;
    }
    ended.end(new CheckpointWaitException.Disconnected("the sync iteration ended"
        + (cause == null ? "" : " after " + cause.getMessage()) + "; connect again"));
  }

  /** Ends the current connection: its futures fail, its timers stop, its answers are dropped. */
  private void endSession() {
    ServiceSession ended;
    synchronized (this) {
      ended = session;
      session = null;
    }
    if (ended != null) {
      ended.end(ServiceSession.disconnected());
    }
  }

  private static CheckpointWaitException.Closed closedFailure() {
    return new CheckpointWaitException.Closed("the sync connection was closed");
  }

  /** An id allocated in one epoch. */
  private record Allocation(CheckpointRequestId id, Epoch epoch) {}

  /** Builds a {@link SyncConnection}. Not thread-safe; use it on one thread. */
  public static final class Builder {
    private final SyncClient client;
    private final CheckpointRequestTransport transport;
    private Duration retryDelay = DEFAULT_RETRY_DELAY;
    private Duration seedTimeout = Duration.ofSeconds(30);
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofSeconds(60);

    private Builder(SyncClient client, CheckpointRequestTransport transport) {
      this.client = Objects.requireNonNull(client, "client");
      this.transport = Objects.requireNonNull(transport, "transport");
    }

    /**
     * @param retryDelay how often an unacknowledged request is posted again; at least 10 s
     * @return this builder
     * @throws CheckpointArgumentException if shorter than {@link #DEFAULT_RETRY_DELAY}
     */
    public Builder retryDelay(Duration retryDelay) {
      if (retryDelay.compareTo(DEFAULT_RETRY_DELAY) < 0) {
        throw new CheckpointArgumentException(
            "retryDelay must be at least " + DEFAULT_RETRY_DELAY + ", got " + retryDelay);
      }
      this.retryDelay = retryDelay;
      return this;
    }

    /**
     * @param seedTimeout how long allocation waits for the iteration's seed; positive
     * @return this builder
     */
    public Builder seedTimeout(Duration seedTimeout) {
      this.seedTimeout = Durations.requirePositive(seedTimeout, "seedTimeout");
      return this;
    }

    /**
     * @param initial the first back-off after a retryable failure; positive
     * @param max the longest back-off; at least {@code initial}
     * @return this builder
     */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = Durations.requirePositive(initial, "initial back-off");
      if (max.compareTo(initial) < 0) {
        throw new CheckpointArgumentException("the longest back-off must not be shorter than the first");
      }
      this.maxBackoff = max;
      return this;
    }

    /** @return the connection */
    public SyncConnection build() {
      return new SyncConnection(this);
    }
  }
}
