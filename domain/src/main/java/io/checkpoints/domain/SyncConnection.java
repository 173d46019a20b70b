package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestTransport;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Scheduler;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The client-level flow of checkpoint requests over one {@link SyncClient}: connecting (posting
 * the initial request and seeding the counter with the service's answer while sync lines are
 * already handled), the write checkpoint after each upload, {@link #requestCheckpoint()} and the
 * repost loop, and disconnecting.
 *
 * <p>Transport failures that may pass ({@link CheckpointTransportException#isRetryable()}: 401
 * after the credentials were invalidated, 429, 5xx, no answer) are retried with exponential
 * back-off on the scheduler; a 400 fails at once; a 404 means the service has no checkpoint
 * requests: open handles fail for good and reposting stops until the next {@link #connect}.
 *
 * <p>Thread-safe. Futures are completed on the thread of the transport's or scheduler's callback.
 */
public final class SyncConnection {

  /** The default, and smallest, delay between two posts of an unacknowledged request. */
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(10);

  private final SyncClient client;
  private final CheckpointRequestTransport transport;
  private final Scheduler scheduler;
  private final Duration retryDelay;
  private final Duration seedTimeout;
  private final Duration initialBackoff;
  private final Duration maxBackoff;

  // Guarded by this.
  private long generation;
  private CheckpointMode mode;
  private ClientId clientId;
  private CompletableFuture<CheckpointRequestId> seeded;
  private boolean supported = true;
  private final List<CheckpointHandle> openHandles = new ArrayList<>();
  private CheckpointRequestId awaitedId;
  /** Whose counter {@link #awaitedId} came from: the user and the clear count at the time. */
  private UserKey awaitedUser;
  private long awaitedClearCount;
  private UserKey user;
  private Scheduler.Cancellable repostTimer;

  private SyncConnection(Builder builder) {
    this.client = builder.client;
    this.transport = builder.transport;
    this.scheduler = builder.client.scheduler;
    this.retryDelay = builder.retryDelay;
    this.seedTimeout = builder.seedTimeout;
    this.initialBackoff = builder.initialBackoff;
    this.maxBackoff = builder.maxBackoff;
    client.status().addAppliedListener(applied -> applied.writeCheckpoint().ifPresent(this::onApplied));
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
   * Starts a new sync iteration without a known user. In requests mode it posts the initial
   * request and seeds the counter with the accepted id; lines may be handled meanwhile.
   *
   * @param mode the checkpoint mode
   * @return a future completed with the seeded id (requests mode) or at once with nothing (legacy)
   */
  public CompletableFuture<CheckpointRequestId> connect(CheckpointMode mode) {
    Objects.requireNonNull(mode, "mode");
    return begin(mode, null, client.start(mode));
  }

  /**
   * As {@link #connect(CheckpointMode)} for a known user, whose per-user sequence keeps ids
   * increasing across clears.
   *
   * @param mode the checkpoint mode
   * @param user the user behind the credentials
   * @return a future completed with the seeded id (requests mode) or at once with nothing (legacy)
   */
  public CompletableFuture<CheckpointRequestId> connect(CheckpointMode mode, UserKey user) {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(user, "user");
    return begin(mode, user, client.start(mode, user));
  }

  private CompletableFuture<CheckpointRequestId> begin(
      CheckpointMode mode, UserKey user, Optional<CheckpointRequest> initial) {
    long gen;
    CompletableFuture<CheckpointRequestId> seed;
    synchronized (this) {
      gen = ++generation;
      cancelRepost();
      this.mode = mode;
      this.user = user;
      this.clientId = client.clientId();
      this.supported = true;
      seed = initial.isPresent() ? new CompletableFuture<>() : CompletableFuture.completedFuture(null);
      this.seeded = seed;
    }
    initial.ifPresent(request -> retrying(() -> transport.postCheckpointRequest(request), gen)
        .thenApply(accepted -> {
          if (!isCurrent(gen)) {
            throw disconnected();
          }
          client.sequence().seed(accepted);
          restartRepost();
          return accepted;
        })
        .whenComplete((accepted, error) -> {
          if (error == null) {
            seed.complete(accepted);
          } else {
            seed.completeExceptionally(unwrap(error));
          }
        }));
    return seed.copy();
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

  /** Ends the iteration: waits fail, reposting pauses, handles stay valid for the next connect. */
  public void disconnect() {
    synchronized (this) {
      generation++;
      cancelRepost();
      mode = null;
      seeded = null;
    }
    client.stop();
  }

  /**
   * Allocates an id, posts it and returns a handle for the id the service accepted. Waits for the
   * current iteration's seed first, at most the seed timeout. Does not arm the apply gate.
   *
   * @return a future of the handle; cancelling it stops the request; it fails with
   *     {@link CheckpointWaitException.Disconnected}, {@link CheckpointWaitException.LegacyMode},
   *     {@link CheckpointWaitException.NotSupported}, a {@link CheckpointStateException} when the
   *     seed does not arrive in time, or the transport's non-retryable failure
   */
  public CompletableFuture<CheckpointHandle> requestCheckpoint() {
    long gen;
    CompletableFuture<CheckpointRequestId> seed;
    ClientId id;
    synchronized (this) {
      RuntimeException refusal = refusal();
      if (refusal != null) {
        return CompletableFuture.failedFuture(refusal);
      }
      gen = generation;
      seed = seeded;
      id = clientId;
    }
    long clearCount = client.clearCount();
    CompletableFuture<CheckpointHandle> result = new CompletableFuture<>();
    withTimeout(seedReady(gen, seed), seedTimeout, this::seedTimedOut)
        .thenCompose(ignored -> {
          if (result.isDone()) {
            throw new CompletionException(new java.util.concurrent.CancellationException());
          }
          CheckpointRequestId allocated = client.sequence().next();
          awaitAcknowledgement(allocated);
          return retrying(() -> transport.postCheckpointRequest(new CheckpointRequest(id, allocated)), gen, result);
        })
        .whenComplete((accepted, error) -> {
          if (error != null) {
            result.completeExceptionally(unwrap(error));
            return;
          }
          CheckpointHandle handle = new CheckpointHandle(this, accepted, clearCount);
          synchronized (this) {
            openHandles.add(handle);
          }
          awaitAcknowledgement(accepted);
          if (!result.complete(handle)) {
            forget(handle);
          }
        });
    return result;
  }

  /**
   * The write checkpoint after an upload batch (behaviour.md section 6): allocate an id and post
   * it (legacy mode: fetch the legacy write checkpoint), adopt the answer as the target if no write
   * came in since, then retry the pending checkpoint. Call it after removing the uploaded writes
   * from the queue.
   *
   * @return a future of what the retry of the pending checkpoint led to
   */
  public CompletableFuture<List<LineOutcome>> uploadCompleted() {
    long gen;
    CheckpointMode currentMode;
    CompletableFuture<CheckpointRequestId> seed;
    ClientId id;
    synchronized (this) {
      if (mode == null) {
        return CompletableFuture.failedFuture(disconnected());
      }
      gen = generation;
      currentMode = mode;
      seed = seeded;
      id = clientId;
    }
    if (currentMode == CheckpointMode.LEGACY) {
      long queueSequence = client.barrier().uploadQueueSequence();
      return retrying(() -> transport.fetchLegacyWriteCheckpoint(id), gen)
          .thenApply(writeCheckpoint -> {
            client.barrier().targetLegacyWriteCheckpoint(queueSequence, asTarget(writeCheckpoint));
            return client.completedUpload();
          });
    }
    return withTimeout(seedReady(gen, seed), seedTimeout, this::seedTimedOut)
        .thenCompose(ignored -> {
          UploadCheckpointAllocation allocation = client.sequence().allocateForUpload();
          awaitAcknowledgement(allocation.id());
          return retrying(
              () -> transport.postCheckpointRequest(new CheckpointRequest(id, allocation.id())), gen)
              .thenApply(accepted -> {
                client.barrier().targetAcceptedRequest(allocation, accepted);
                awaitAcknowledgement(accepted);
                return client.completedUpload();
              });
        });
  }

  /** @return the id the repost loop keeps posting until it is acknowledged, if any */
  public synchronized Optional<CheckpointRequestId> awaitedId() {
    return Optional.ofNullable(awaitedId);
  }

  /**
   * The iteration's seed, or a new one when a hard clear undid it: the counter is then posted
   * again, computed from the state as at the start, and seeded with the service's answer.
   */
  private CompletableFuture<CheckpointRequestId> seedReady(
      long gen, CompletableFuture<CheckpointRequestId> seed) {
    if (!seed.isDone() || seed.isCompletedExceptionally() || client.sequence().isSeeded()) {
      return seed;
    }
    CheckpointRequest request = client.sequence().seedRequest();
    CompletableFuture<CheckpointRequestId> reseeded =
        retrying(() -> transport.postCheckpointRequest(request), gen).thenApply(accepted -> {
          if (!isCurrent(gen)) {
            throw disconnected();
          }
          return client.sequence().seed(accepted);
        });
    synchronized (this) {
      if (gen == generation) {
        seeded = reseeded;
      }
    }
    return reseeded;
  }

  private RuntimeException refusal() {
    if (mode == null) {
      return disconnected();
    }
    if (mode == CheckpointMode.LEGACY) {
      return new CheckpointWaitException.LegacyMode(
          "the sync iteration runs in legacy mode: connect in requests mode to request checkpoints");
    }
    if (!supported) {
      return new CheckpointWaitException.NotSupported(
          "the service does not support checkpoint requests", null);
    }
    return null;
  }

  private void onApplied(WriteCheckpoint writeCheckpoint) {
    List<CheckpointHandle> synced = new ArrayList<>();
    synchronized (this) {
      openHandles.removeIf(handle -> {
        boolean done = writeCheckpoint.acknowledges(handle.id());
        if (done) {
          synced.add(handle);
        }
        return done;
      });
      if (awaitedId != null && writeCheckpoint.acknowledges(awaitedId)) {
        awaitedId = null;
      }
    }
    List<Runnable> completions = synced.stream().map(handle -> handle.markSynced(writeCheckpoint)).toList();
    completions.forEach(Runnable::run);
  }

  private void onNotSupported(CheckpointTransportException.NotSupported cause) {
    List<CheckpointHandle> failed;
    synchronized (this) {
      supported = false;
      awaitedId = null;
      cancelRepost();
      failed = new ArrayList<>(openHandles);
      openHandles.clear();
    }
    CheckpointWaitException.NotSupported failure = new CheckpointWaitException.NotSupported(
        "the service does not support checkpoint requests: " + cause.getMessage(), cause);
    failed.forEach(handle -> handle.failPermanently(failure));
  }

  /** Keeps posting {@code id} every retry delay until an applied id acknowledges it. */
  private void awaitAcknowledgement(CheckpointRequestId id) {
    long clears = client.clearCount();
    synchronized (this) {
      if (awaitedIsCurrent(clears) && awaitedId.compareTo(id) >= 0) {
        return;
      }
      awaitedId = id;
      awaitedUser = user;
      awaitedClearCount = clears;
    }
    restartRepost();
  }

  /**
   * Whether the awaited id still belongs to the counter in use: a clear or another user starts a
   * counter whose next ids may equal it, and reposting it then would let the service keep an old
   * replication position for an id that the gate will wait on. Forgets it otherwise.
   */
  private boolean awaitedIsCurrent(long clears) {
    if (awaitedId != null && (clears != awaitedClearCount || !Objects.equals(user, awaitedUser))) {
      awaitedId = null;
    }
    return awaitedId != null;
  }

  /** (Re)starts the repost timer of this iteration: it fires every retry delay while connected. */
  private void restartRepost() {
    synchronized (this) {
      cancelRepost();
      if (mode != CheckpointMode.REQUESTS || !supported) {
        return;
      }
      long gen = generation;
      repostTimer = scheduler.schedule(retryDelay, () -> repost(gen));
    }
  }

  /**
   * Posts again what the service has not acknowledged: the newest requested id until an applied id
   * reaches it, and the gate's concrete target while it is above last seen (the service may have
   * lost the record that acknowledged it).
   */
  private void repost(long gen) {
    long clears = client.clearCount();
    Optional<CheckpointRequestId> gateTarget = client.barrier().unacknowledgedTarget();
    CheckpointRequest request;
    synchronized (this) {
      if (gen != generation || !supported) {
        return;
      }
      repostTimer = scheduler.schedule(retryDelay, () -> repost(gen));
      if (!seeded.isDone() || seeded.isCompletedExceptionally()) {
        return;
      }
      Optional<CheckpointRequestId> awaited = awaitedIsCurrent(clears) ? Optional.of(awaitedId) : Optional.empty();
      Optional<CheckpointRequestId> id = Stream.of(awaited, gateTarget)
          .flatMap(Optional::stream)
          .max(CheckpointRequestId::compareTo);
      if (id.isEmpty()) {
        return;
      }
      request = new CheckpointRequest(clientId, id.get());
    }
    call(() -> transport.postCheckpointRequest(request)).whenComplete((accepted, error) -> {
      if (error != null && unwrap(error) instanceof CheckpointTransportException.NotSupported notSupported) {
        onNotSupported(notSupported);
      }
    });
  }

  private void cancelRepost() {
    if (repostTimer != null) {
      repostTimer.cancel();
      repostTimer = null;
    }
  }

  private synchronized void forget(CheckpointHandle handle) {
    openHandles.remove(handle);
  }

  private synchronized boolean isCurrent(long gen) {
    return gen == generation;
  }

  private <T> CompletableFuture<T> retrying(Supplier<CompletableFuture<T>> call, long gen) {
    return retrying(call, gen, new CompletableFuture<>());
  }

  /** Calls until success or a failure that retrying cannot fix; stops once {@code owner} is done. */
  private <T> CompletableFuture<T> retrying(
      Supplier<CompletableFuture<T>> call, long gen, CompletableFuture<?> owner) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(call, gen, owner, result, initialBackoff);
    return result;
  }

  private <T> void attempt(Supplier<CompletableFuture<T>> call, long gen,
      CompletableFuture<?> owner, CompletableFuture<T> result, Duration backoff) {
    if (owner.isDone() && owner != result) {
      result.cancel(false);
      return;
    }
    if (!isCurrent(gen)) {
      result.completeExceptionally(disconnected());
      return;
    }
    call(call).whenComplete((value, error) -> {
      if (error == null) {
        if (isCurrent(gen)) {
          result.complete(value);
        } else {
          // The answer belongs to an iteration that ended, perhaps for another user: using it
          // now would attribute its id to the current counter.
          result.completeExceptionally(disconnected());
        }
        return;
      }
      Throwable cause = unwrap(error);
      if (cause instanceof CheckpointTransportException transportFailure && transportFailure.isRetryable()) {
        Duration next = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        scheduler.schedule(backoff, () -> attempt(call, gen, owner, result, next));
        return;
      }
      if (cause instanceof CheckpointTransportException.NotSupported notSupported) {
        onNotSupported(notSupported);
        cause = new CheckpointWaitException.NotSupported(
            "the service does not support checkpoint requests: " + notSupported.getMessage(), notSupported);
      }
      result.completeExceptionally(cause);
    });
  }

  /** Runs a transport call, turning a synchronous throw into a failed future. */
  private static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> call) {
    try {
      return Objects.requireNonNull(call.get(), "the transport returned no future");
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private <T> CompletableFuture<T> withTimeout(
      CompletableFuture<T> future, Duration timeout, Supplier<RuntimeException> onTimeout) {
    if (future.isDone()) {
      return future.copy();
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    Scheduler.Cancellable timer = scheduler.schedule(timeout, () -> result.completeExceptionally(onTimeout.get()));
    future.whenComplete((value, error) -> {
      timer.cancel();
      if (error == null) {
        result.complete(value);
      } else {
        result.completeExceptionally(unwrap(error));
      }
    });
    return result;
  }

  private RuntimeException seedTimedOut() {
    return new CheckpointStateException(CheckpointStateException.Reason.NOT_SEEDED,
        "the service did not answer the initial checkpoint request within " + seedTimeout
            + "; ids are allocated only after the iteration's seed");
  }

  private static CheckpointWaitException.Disconnected disconnected() {
    return new CheckpointWaitException.Disconnected(
        "not connected: connect before requesting checkpoints");
  }

  private static CheckpointRequestId asTarget(WriteCheckpoint writeCheckpoint) {
    if (writeCheckpoint.value() < 1) {
      throw new CheckpointTransportException.MalformedResponse(
          "the legacy write checkpoint must be a positive id, got " + writeCheckpoint, null);
    }
    return CheckpointRequestId.of(writeCheckpoint.value());
  }

  private static Throwable unwrap(Throwable error) {
    while (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

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
      this.seedTimeout = positive(seedTimeout, "seedTimeout");
      return this;
    }

    /**
     * @param initial the first back-off after a retryable failure; positive
     * @param max the longest back-off; at least {@code initial}
     * @return this builder
     */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = positive(initial, "initial back-off");
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

    private static Duration positive(Duration duration, String name) {
      Objects.requireNonNull(duration, name);
      if (duration.isNegative() || duration.isZero()) {
        throw new CheckpointArgumentException(name + " must be positive, got " + duration);
      }
      return duration;
    }
  }
}
