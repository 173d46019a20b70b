package io.checkpoints.adapter.inmemory;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestTransport;
import io.checkpoints.ports.CheckpointService;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Credentials;
import io.checkpoints.ports.Scheduler;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.WriteCheckpoint;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A simulated PowerSync service for checkpoint requests (section 10 of the behaviour), in the
 * time of a {@link Scheduler}: with a {@link ManualScheduler} everything happens in virtual time.
 *
 * <h2>Records</h2>
 *
 * One record per key {@code user/client} holds the stored id, its replication position and its
 * expiry. A greater id replaces the id and takes a new position; an equal id only refreshes the
 * expiry; a lower id is ignored and the stored id returned. Every accepted request answers
 * {@code max(posted, stored)}. The legacy write checkpoint stores and returns the stored id plus
 * one (1 when absent), so both endpoints share one id per key. A record expires {@link
 * Builder#retention retention} after it was last stored or refreshed, but only goes when the
 * service {@link #compact() compacts}, as the real service's compaction does.
 *
 * <h2>Replication lag</h2>
 *
 * The service models the source database's replication stream as a sequence of positions. Each
 * stored id takes the next position, and replication reaches that position {@link
 * #replicationLag()} later (immediately when the lag is zero). Replication is a prefix: once it
 * reaches a position, every earlier position has replicated too. A record is acknowledged when
 * replication has passed its <em>current</em> position; because a newer request replaces the older
 * one's id and position, an older id that was never acknowledged on its own is acknowledged only as
 * the newer one. An acknowledgement, once made, stays until the record expires or is lost, even
 * while a newer id waits for replication (the stream already reported it).
 *
 * <h2>Streams</h2>
 *
 * {@link #openStream} sends the current checkpoint at once; afterwards a stream receives a
 * {@code checkpoint} line followed by {@code checkpoint_complete} whenever its key's acknowledged id
 * changes, and whenever the simulation calls {@link #publishCheckpoint()}. Each such checkpoint has
 * a new, service-wide increasing {@code last_op_id}, no buckets, and a {@code write_checkpoint} equal
 * to the key's acknowledged id, or none when the key has no acknowledged id.
 *
 * <h2>Faults</h2>
 *
 * {@link #injectFault} queues faults per {@link ServiceCall}: each call takes the next one. A
 * {@link ServiceFault.Failure} fails the call with its status before anything changes; a {@link
 * ServiceFault.Delay} makes the request reach the service later in scheduler time; a {@link
 * ServiceFault.DropResponse} lets the service handle the request and then loses the answer: the
 * call fails with {@link CheckpointTransportException.Unreachable} although the state changed,
 * which the HTTP server turns into a connection closed without a response. {@link #forget} loses a
 * record; {@link #setCheckpointRequestsSupported(boolean)} turns the service into one older than
 * 1.24.0 (HTTP 404 on checkpoint requests, legacy endpoint still served); {@link
 * #disconnectStreams} ends streams.
 *
 * <h2>Calling it</h2>
 *
 * The asynchronous methods ({@link #acceptCheckpointRequestAsync}, {@link
 * #legacyWriteCheckpointAsync}, {@link #transport}) never block: a delayed call completes when
 * scheduler time passes the delay, on the thread that advances the scheduler. The synchronous
 * methods of the {@link CheckpointService} port block the calling thread until the answer is
 * there, so a delayed call through them needs another thread to advance the scheduler (the HTTP
 * server's handler threads are such callers; an interrupt ends the wait with {@code Unreachable}).
 *
 * <p>Thread-safe: one lock guards the state. Stream sinks are called on the thread that caused the
 * change (the caller of {@link #openStream} or {@link #publishCheckpoint}, a call that stored an
 * id when there is no lag, or the scheduler thread that ran the replication), never while the
 * service's lock is held; one subscription's lines arrive in order and never concurrently. A sink
 * that throws is closed.
 */
public final class SimulatedCheckpointService implements CheckpointService {

  /** The default retention of a record: 60 minutes, as the real service keeps them. */
  public static final Duration DEFAULT_RETENTION = Duration.ofMinutes(60);

  private static final System.Logger LOG =
      System.getLogger(SimulatedCheckpointService.class.getName());

  private final Scheduler scheduler;
  private final CheckpointObserver checkpointObserver;
  private final long retentionNanos;
  private final Object lock = new Object();

  // Guarded by lock. Linked maps and lists keep every iteration in insertion order, so that a
  // seeded simulation sees the same sequence of sink calls on every run.
  private Duration replicationLag;
  private boolean checkpointRequestsSupported = true;
  private final Map<Key, Record> records = new LinkedHashMap<>();
  private final Map<ServiceCall, Deque<PlannedFault>> faults = new EnumMap<>(ServiceCall.class);
  private final List<Subscription> subscriptions = new ArrayList<>();
  private long headPosition;
  private long replicatedPosition;
  private long lastOpId;

  private SimulatedCheckpointService(Builder builder) {
    this.scheduler = builder.scheduler;
    this.checkpointObserver = builder.checkpointObserver;
    this.retentionNanos = saturatedNanos(builder.retention);
    this.replicationLag = builder.replicationLag;
    for (ServiceCall call : ServiceCall.values()) {
      faults.put(call, new ArrayDeque<>());
    }
  }

  /**
   * @param scheduler the time the service lives in; a {@link ManualScheduler} for virtual time
   * @return a builder with the default retention and no replication lag
   * @throws NullPointerException if {@code scheduler} is null
   */
  public static Builder builder(Scheduler scheduler) {
    return new Builder(scheduler);
  }

  /**
   * @param scheduler the time the service lives in
   * @return a service with the default retention and no replication lag
   * @throws NullPointerException if {@code scheduler} is null
   */
  public static SimulatedCheckpointService create(Scheduler scheduler) {
    return builder(scheduler).build();
  }

  // ---------------------------------------------------------------------------------------------
  // The CheckpointService port (blocking) and its asynchronous forms.

  /**
   * {@inheritDoc}
   *
   * <p>Blocks until the answer is there (see the class documentation about delays).
   *
   * @throws CheckpointTransportException for an injected fault; {@code Unreachable} for a dropped
   *     response or an interrupted wait
   * @throws CheckpointArgumentException if {@code userId} is null or empty
   */
  @Override
  public CheckpointRequestId acceptCheckpointRequest(String userId, CheckpointRequest request) {
    return await(acceptCheckpointRequestAsync(userId, request));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Blocks until the answer is there (see the class documentation about delays).
   *
   * @throws CheckpointTransportException for an injected fault; {@code ServerError} (500) when the
   *     stored id is already {@code MAX}; {@code Unreachable} for a dropped response or an
   *     interrupted wait
   * @throws CheckpointArgumentException if {@code userId} is null or empty
   */
  @Override
  public WriteCheckpoint legacyWriteCheckpoint(String userId, ClientId clientId) {
    return await(legacyWriteCheckpointAsync(userId, clientId));
  }

  /**
   * Accepts a checkpoint request without blocking: the future completes when the service has
   * handled the request (later in scheduler time when a delay was injected) or fails with the
   * {@link CheckpointTransportException} of an injected fault.
   *
   * @param userId the authenticated user; not empty
   * @param request the client and its id
   * @return {@code max(posted, stored)}
   * @throws CheckpointArgumentException if {@code userId} is null or empty
   * @throws NullPointerException if {@code request} is null
   */
  public CompletableFuture<CheckpointRequestId> acceptCheckpointRequestAsync(
      String userId, CheckpointRequest request) {
    Objects.requireNonNull(request, "request");
    Key key = Key.of(userId, request.clientId());
    return call(ServiceCall.CHECKPOINT_REQUEST, () -> accept(key, request.id()));
  }

  /**
   * The legacy write checkpoint without blocking; see {@link #acceptCheckpointRequestAsync}.
   *
   * @param userId the authenticated user; not empty
   * @param clientId the client
   * @return the stored id plus one (1 when absent), which is now the stored id
   * @throws CheckpointArgumentException if {@code userId} is null or empty
   * @throws NullPointerException if {@code clientId} is null
   */
  public CompletableFuture<WriteCheckpoint> legacyWriteCheckpointAsync(
      String userId, ClientId clientId) {
    Key key = Key.of(userId, clientId);
    return call(ServiceCall.LEGACY_WRITE_CHECKPOINT, () -> legacy(key));
  }

  /**
   * {@inheritDoc}
   *
   * <p>The current checkpoint is sent before this method returns, on the calling thread.
   *
   * @throws CheckpointTransportException for an injected fault
   * @throws CheckpointArgumentException if {@code userId} is null or empty
   */
  @Override
  public StreamSubscription openStream(String userId, ClientId clientId, Consumer<SyncLine> sink) {
    Key key = Key.of(userId, clientId);
    Objects.requireNonNull(sink, "sink");
    Subscription subscription;
    synchronized (lock) {
      ServiceFault fault = nextFault(ServiceCall.OPEN_STREAM);
      if (fault instanceof ServiceFault.Failure) {
        throw ((ServiceFault.Failure) fault).toException(ServiceCall.OPEN_STREAM);
      }
      subscription = new Subscription(key, sink);
      subscriptions.add(subscription);
      subscription.enqueue(checkpointLines(nextOpId(), acknowledged(key)));
    }
    subscription.drain();
    return subscription;
  }

  /**
   * A transport that talks to this service in process, without sockets, with the semantics of the
   * HTTP transport: the user is {@code userIdOfToken} applied to the credentials' token. A token
   * it maps to null or empty, or refuses by throwing, fails with {@code Unauthorized} and
   * invalidates the credentials, as an injected 401 does; credentials that give no token fail with
   * {@code Unauthorized} without invalidating them. Futures fail with the service's exceptions
   * themselves, never wrapped.
   *
   * @param credentials where the token comes from
   * @param userIdOfToken the user a token stands for, for example the identity function when the
   *     simulation uses user ids as tokens
   * @return a thread-safe, non-blocking transport
   * @throws NullPointerException if an argument is null
   */
  public CheckpointRequestTransport transport(
      Credentials credentials, Function<String, String> userIdOfToken) {
    return new InProcessTransport(
        Objects.requireNonNull(credentials, "credentials"),
        Objects.requireNonNull(userIdOfToken, "userIdOfToken"));
  }

  // ---------------------------------------------------------------------------------------------
  // Simulation controls.

  /**
   * Publishes a new checkpoint (new data in the simulated backend) to every open stream, each with
   * its own key's acknowledged id.
   *
   * @return the new checkpoint's {@code last_op_id}
   */
  public long publishCheckpoint() {
    List<Subscription> touched;
    long opId;
    synchronized (lock) {
      opId = nextOpId();
      touched = List.copyOf(subscriptions);
      for (Subscription subscription : touched) {
        subscription.enqueue(checkpointLines(opId, acknowledged(subscription.key)));
      }
    }
    drain(touched);
    return opId;
  }

  /**
   * A write to the simulated source database: it takes the next position of the replication
   * stream, so that a checkpoint request stored after it is acknowledged only once the write has
   * replicated too. When replication reaches the write, every open stream receives a new
   * checkpoint (the data changed). This is how a simulation keeps its data and the acknowledgements
   * on one timeline; see {@link Builder#checkpointObserver}.
   *
   * @return the write's replication position
   */
  public long recordSourceWrite() {
    long position;
    synchronized (lock) {
      position = ++headPosition;
    }
    Runnable replicate = () -> {
      List<Subscription> touched;
      synchronized (lock) {
        touched = new ArrayList<>(replicateUpTo(position));
        long opId = nextOpId();
        for (Subscription subscription : subscriptions) {
          if (!touched.contains(subscription)) {
            touched.add(subscription);
          }
          subscription.enqueue(checkpointLines(opId, acknowledged(subscription.key)));
        }
      }
      drain(touched);
    };
    Duration lag = replicationLag();
    if (lag.isZero()) {
      replicate.run();
    } else {
      scheduler.schedule(lag, replicate);
    }
    return position;
  }

  /** @return the replication stream's position that replication has reached */
  public long replicatedPosition() {
    synchronized (lock) {
      return replicatedPosition;
    }
  }

  /**
   * Ends every open stream of a user, as the service does when a token expires: each receives a
   * final {@code {"token_expires_in": 0}} line (the client ends its iteration on it, and the HTTP
   * server ends the response after it) and then nothing more.
   *
   * @param userId the user whose streams end
   * @return how many streams ended
   */
  public int disconnectStreams(String userId) {
    Objects.requireNonNull(userId, "userId");
    return disconnectWhere(subscription -> subscription.key.userId.equals(userId));
  }

  /**
   * Ends every open stream; see {@link #disconnectStreams(String)}.
   *
   * @return how many streams ended
   */
  public int disconnectStreams() {
    return disconnectWhere(subscription -> true);
  }

  /**
   * Removes every record whose retention has run out, as the service's periodic compaction does.
   *
   * @return how many records were removed
   */
  public int compact() {
    synchronized (lock) {
      long now = scheduler.nanoTime();
      int before = records.size();
      records.values().removeIf(record -> record.expiresAtNanos - now <= 0);
      return before - records.size();
    }
  }

  /**
   * Compacts every {@code interval} of scheduler time, until the returned handle is cancelled.
   *
   * @param interval positive
   * @return a handle that stops the periodic compaction
   * @throws CheckpointArgumentException if {@code interval} is not positive
   */
  public Scheduler.Cancellable compactEvery(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new CheckpointArgumentException("a compaction interval must be positive, got " + interval);
    }
    PeriodicCompaction periodic = new PeriodicCompaction(interval);
    periodic.scheduleNext();
    return periodic::cancel;
  }

  /**
   * Loses the record of a key, as if the service's storage had lost it: the key's stored and
   * acknowledged ids are gone; its streams carry no {@code write_checkpoint} from the next
   * checkpoint on.
   *
   * @param userId the user
   * @param clientId the client
   * @return whether there was a record
   */
  public boolean forget(String userId, ClientId clientId) {
    Key key = Key.of(userId, clientId);
    synchronized (lock) {
      return records.remove(key) != null;
    }
  }

  /**
   * Queues a fault for the next {@code times} calls of one kind, after the faults queued before.
   *
   * @param call which calls fail
   * @param times how many calls, at least 1 ({@link Integer#MAX_VALUE} for "from now on")
   * @param fault what happens to them
   * @throws CheckpointArgumentException if {@code times} is below 1, or a delay or dropped
   *     response is queued for {@link ServiceCall#OPEN_STREAM}
   */
  public void injectFault(ServiceCall call, int times, ServiceFault fault) {
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(fault, "fault");
    if (times < 1) {
      throw new CheckpointArgumentException("a fault must apply to at least 1 call, got " + times);
    }
    if (call == ServiceCall.OPEN_STREAM && !(fault instanceof ServiceFault.Failure)) {
      throw new CheckpointArgumentException(
          "stream opens can only fail with a status, got " + fault);
    }
    synchronized (lock) {
      faults.get(call).addLast(new PlannedFault(fault, times));
    }
  }

  /**
   * @param call a kind of call
   * @return how many calls of that kind the queued faults still apply to (saturating at
   *     {@link Integer#MAX_VALUE})
   */
  public int pendingFaults(ServiceCall call) {
    Objects.requireNonNull(call, "call");
    synchronized (lock) {
      long total = 0;
      for (PlannedFault planned : faults.get(call)) {
        total += planned.remaining;
      }
      return (int) Math.min(total, Integer.MAX_VALUE);
    }
  }

  /** Drops every queued fault. */
  public void clearFaults() {
    synchronized (lock) {
      faults.values().forEach(Deque::clear);
    }
  }

  /**
   * @param supported false to behave like a service older than 1.24.0: checkpoint requests fail
   *     with {@code NotSupported} (HTTP 404) before any queued fault, the legacy endpoint and
   *     streams still work
   */
  public void setCheckpointRequestsSupported(boolean supported) {
    synchronized (lock) {
      checkpointRequestsSupported = supported;
    }
  }

  /**
   * Changes the replication lag for ids stored from now on; ids already waiting keep the time they
   * were given (replication never goes back, so a shorter lag can acknowledge them earlier).
   *
   * @param lag zero or more
   * @throws CheckpointArgumentException if {@code lag} is negative
   */
  public void setReplicationLag(Duration lag) {
    checkLag(lag);
    synchronized (lock) {
      replicationLag = lag;
    }
  }

  /** @return the current replication lag */
  public Duration replicationLag() {
    synchronized (lock) {
      return replicationLag;
    }
  }

  /**
   * @param userId the user
   * @param clientId the client
   * @return the key's stored id, or empty when it has no record
   */
  public Optional<CheckpointRequestId> storedId(String userId, ClientId clientId) {
    Key key = Key.of(userId, clientId);
    synchronized (lock) {
      Record record = records.get(key);
      return record == null ? Optional.empty() : Optional.of(record.id);
    }
  }

  /**
   * @param userId the user
   * @param clientId the client
   * @return the id the key's streams carry as {@code write_checkpoint}, or empty when none
   */
  public Optional<CheckpointRequestId> acknowledgedId(String userId, ClientId clientId) {
    Key key = Key.of(userId, clientId);
    synchronized (lock) {
      return Optional.ofNullable(acknowledgedOrNull(key));
    }
  }

  /** @return how many records the service holds */
  public int recordCount() {
    synchronized (lock) {
      return records.size();
    }
  }

  /** @return how many streams are open */
  public int openStreamCount() {
    synchronized (lock) {
      return subscriptions.size();
    }
  }

  /** @return the {@code last_op_id} of the latest checkpoint sent to any stream, 0 before any */
  public long lastOpId() {
    synchronized (lock) {
      return lastOpId;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Internals.

  private <T> CompletableFuture<T> call(ServiceCall kind, Supplier<T> handler) {
    ServiceFault fault;
    synchronized (lock) {
      if (kind == ServiceCall.CHECKPOINT_REQUEST && !checkpointRequestsSupported) {
        return CompletableFuture.failedFuture(new CheckpointTransportException.NotSupported(
            "the simulated service is older than 1.24.0: no checkpoint requests (HTTP 404)"));
      }
      fault = nextFault(kind);
    }
    if (fault instanceof ServiceFault.Failure) {
      return CompletableFuture.failedFuture(((ServiceFault.Failure) fault).toException(kind));
    }
    if (fault instanceof ServiceFault.Delay) {
      CompletableFuture<T> result = new CompletableFuture<>();
      scheduler.schedule(((ServiceFault.Delay) fault).delay(), () -> handle(handler, result));
      return result;
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    handle(handler, result);
    if (fault instanceof ServiceFault.DropResponse) {
      // The service has done its work; only the answer (or its failure) is lost on the way back.
      return CompletableFuture.failedFuture(new CheckpointTransportException.Unreachable(
          "simulated fault on " + kind + ": the service handled the request but the response was"
              + " dropped", null));
    }
    return result;
  }

  private static <T> void handle(Supplier<T> handler, CompletableFuture<T> result) {
    try {
      result.complete(handler.get());
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  private ServiceFault nextFault(ServiceCall kind) {
    Deque<PlannedFault> queue = faults.get(kind);
    PlannedFault planned = queue.peekFirst();
    if (planned == null) {
      return null;
    }
    if (--planned.remaining == 0) {
      queue.removeFirst();
    }
    return planned.fault;
  }

  private CheckpointRequestId accept(Key key, CheckpointRequestId id) {
    CheckpointRequestId answer;
    List<Subscription> touched = List.of();
    synchronized (lock) {
      Record record = records.get(key);
      if (record == null || id.compareTo(record.id) > 0) {
        touched = store(key, record, id);
        answer = id;
      } else if (id.equals(record.id)) {
        record.expiresAtNanos = expiryFromNow();
        answer = id;
      } else {
        answer = record.id;
      }
    }
    drain(touched);
    return answer;
  }

  private WriteCheckpoint legacy(Key key) {
    List<Subscription> touched;
    long next;
    synchronized (lock) {
      Record record = records.get(key);
      if (record != null && record.id.isMax()) {
        throw new CheckpointTransportException.ServerError(500,
            "the stored id of " + key + " is already " + Long.MAX_VALUE
                + ": there is no next write checkpoint");
      }
      next = record == null ? 1 : record.id.value() + 1;
      touched = store(key, record, CheckpointRequestId.of(next));
    }
    drain(touched);
    return WriteCheckpoint.of(next);
  }

  /** Stores a greater id at the next replication position. Call with the lock held. */
  private List<Subscription> store(Key key, Record existing, CheckpointRequestId id) {
    Record record = existing;
    if (record == null) {
      record = new Record();
      records.put(key, record);
    }
    long position = ++headPosition;
    record.id = id;
    record.position = position;
    record.expiresAtNanos = expiryFromNow();
    if (replicationLag.isZero()) {
      return replicateUpTo(position);
    }
    scheduler.schedule(replicationLag, () -> {
      List<Subscription> touched;
      synchronized (lock) {
        touched = replicateUpTo(position);
      }
      drain(touched);
    });
    return List.of();
  }

  /** Replication reaches {@code position}: acknowledges the records it passed. Lock held. */
  private List<Subscription> replicateUpTo(long position) {
    replicatedPosition = Math.max(replicatedPosition, position);
    List<Subscription> touched = new ArrayList<>();
    for (Map.Entry<Key, Record> entry : records.entrySet()) {
      Record record = entry.getValue();
      if (record.position <= replicatedPosition && !record.id.equals(record.acknowledged)) {
        record.acknowledged = record.id;
        long opId = 0;
        for (Subscription subscription : subscriptions) {
          if (subscription.key.equals(entry.getKey())) {
            if (opId == 0) {
              opId = nextOpId();
            }
            subscription.enqueue(checkpointLines(opId, Optional.of(record.acknowledged)));
            touched.add(subscription);
          }
        }
      }
    }
    return touched;
  }

  private int disconnectWhere(java.util.function.Predicate<Subscription> which) {
    List<Subscription> ended = new ArrayList<>();
    synchronized (lock) {
      for (Subscription subscription : subscriptions) {
        if (which.test(subscription)) {
          // Removed from the list first, so the final line is also the last one.
          subscription.enqueue(List.of(new SyncLine.TokenExpiresIn(0)));
          ended.add(subscription);
        }
      }
      subscriptions.removeAll(ended);
    }
    drain(ended);
    return ended.size();
  }

  private Optional<CheckpointRequestId> acknowledged(Key key) {
    return Optional.ofNullable(acknowledgedOrNull(key));
  }

  private CheckpointRequestId acknowledgedOrNull(Key key) {
    Record record = records.get(key);
    return record == null ? null : record.acknowledged;
  }

  /** The next checkpoint's {@code last_op_id}, reported to the observer. Lock held. */
  private long nextOpId() {
    long opId = ++lastOpId;
    checkpointObserver.onCheckpoint(opId, replicatedPosition);
    return opId;
  }

  /**
   * Told of every new checkpoint the service is about to stream, with the replication position it
   * reflects, so that a simulation can attach the source data as replicated up to that position.
   * Called while the service's lock is held: it must be quick and must not call the service.
   */
  @FunctionalInterface
  public interface CheckpointObserver {
    /**
     * @param lastOpId the new checkpoint's {@code last_op_id}
     * @param replicatedPosition the replication position the checkpoint reflects
     */
    void onCheckpoint(long lastOpId, long replicatedPosition);
  }

  private static List<SyncLine> checkpointLines(
      long opId, Optional<CheckpointRequestId> acknowledged) {
    String lastOpId = Long.toString(opId);
    return List.of(
        new SyncLine.Checkpoint(lastOpId, acknowledged.map(id -> WriteCheckpoint.of(id.value()))),
        new SyncLine.CheckpointComplete(lastOpId));
  }

  private long expiryFromNow() {
    long now = scheduler.nanoTime();
    long expiry = now + retentionNanos;
    // A retention so long that it overflows never expires within the life of the process.
    return expiry < now ? Long.MAX_VALUE : expiry;
  }

  private static void drain(List<Subscription> subscriptions) {
    for (Subscription subscription : subscriptions) {
      subscription.drain();
    }
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CheckpointTransportException.Unreachable(
          "interrupted while waiting for the simulated service's answer", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new IllegalStateException("the simulated service failed unexpectedly", cause);
    }
  }

  private static void checkLag(Duration lag) {
    Objects.requireNonNull(lag, "lag");
    if (lag.isNegative()) {
      throw new CheckpointArgumentException("a replication lag must not be negative, got " + lag);
    }
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** The record key {@code user/client}; a record, so a slash in a user id cannot collide. */
  private record Key(String userId, ClientId clientId) {
    static Key of(String userId, ClientId clientId) {
      if (userId == null || userId.isEmpty()) {
        throw new CheckpointArgumentException("a user id must be a non-empty string, got "
            + (userId == null ? "null" : "\"\""));
      }
      return new Key(userId, Objects.requireNonNull(clientId, "clientId"));
    }

    @Override
    public String toString() {
      return userId + "/" + clientId;
    }
  }

  /** One key's record. Guarded by the service's lock. */
  private static final class Record {
    CheckpointRequestId id;
    long position;
    long expiresAtNanos;
    CheckpointRequestId acknowledged;
  }

  /** A fault and how many more calls it applies to. Guarded by the service's lock. */
  private static final class PlannedFault {
    final ServiceFault fault;
    int remaining;

    PlannedFault(ServiceFault fault, int remaining) {
      this.fault = fault;
      this.remaining = remaining;
    }
  }

  /**
   * An open stream. Lines are queued under the service's lock (so their order follows the state's
   * order) and delivered outside it by whichever thread drains first.
   */
  private final class Subscription implements StreamSubscription {
    final Key key;
    private final Consumer<SyncLine> sink;
    // Guarded by this subscription's monitor, which is never held while calling the sink.
    private final Deque<SyncLine> outbox = new ArrayDeque<>();
    private boolean draining;
    private boolean closed;

    Subscription(Key key, Consumer<SyncLine> sink) {
      this.key = key;
      this.sink = sink;
    }

    synchronized void enqueue(List<SyncLine> lines) {
      if (!closed) {
        outbox.addAll(lines);
      }
    }

    void drain() {
      synchronized (this) {
        if (draining) {
          // Another thread (or an outer call on this one) is delivering; it will see our lines.
          return;
        }
        draining = true;
      }
      while (true) {
        SyncLine next;
        synchronized (this) {
          next = closed ? null : outbox.poll();
          if (next == null) {
            draining = false;
            return;
          }
        }
        try {
          sink.accept(next);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING,
              "closing the stream of " + key + ": its sink failed", e);
          close();
        }
      }
    }

    @Override
    public void close() {
      synchronized (lock) {
        subscriptions.remove(this);
      }
      synchronized (this) {
        closed = true;
        outbox.clear();
      }
    }
  }

  /** Compaction that reschedules itself until cancelled. */
  private final class PeriodicCompaction {
    private final Duration interval;
    // Guarded by this.
    private Scheduler.Cancellable next;
    private boolean cancelled;

    PeriodicCompaction(Duration interval) {
      this.interval = interval;
    }

    synchronized void scheduleNext() {
      if (!cancelled) {
        next = scheduler.schedule(interval, this::run);
      }
    }

    private void run() {
      synchronized (this) {
        if (cancelled) {
          return;
        }
      }
      compact();
      scheduleNext();
    }

    synchronized void cancel() {
      cancelled = true;
      if (next != null) {
        next.cancel();
      }
    }
  }

  /** The in-process transport of {@link #transport}. */
  private final class InProcessTransport implements CheckpointRequestTransport {
    private final Credentials credentials;
    private final Function<String, String> userIdOfToken;

    InProcessTransport(Credentials credentials, Function<String, String> userIdOfToken) {
      this.credentials = credentials;
      this.userIdOfToken = userIdOfToken;
    }

    @Override
    public CompletableFuture<CheckpointRequestId> postCheckpointRequest(CheckpointRequest request) {
      Objects.requireNonNull(request, "request");
      return asUser(user -> acceptCheckpointRequestAsync(user, request));
    }

    @Override
    public CompletableFuture<WriteCheckpoint> fetchLegacyWriteCheckpoint(ClientId clientId) {
      Objects.requireNonNull(clientId, "clientId");
      return asUser(user -> legacyWriteCheckpointAsync(user, clientId));
    }

    private <T> CompletableFuture<T> asUser(Function<String, CompletableFuture<T>> call) {
      CompletableFuture<T> result = new CompletableFuture<>();
      CompletableFuture<String> token;
      try {
        token = credentials.token();
      } catch (RuntimeException e) {
        token = CompletableFuture.failedFuture(e);
      }
      token.whenComplete((value, failure) -> {
        if (failure != null || value == null) {
          // No token was refused, so the credentials are not invalidated (as over HTTP).
          result.completeExceptionally(new CheckpointTransportException.Unauthorized(
              "the credentials gave no token"
                  + (failure == null ? "" : " (" + unwrap(failure) + ")")));
          return;
        }
        String user;
        try {
          user = userIdOfToken.apply(value);
        } catch (RuntimeException e) {
          user = null;
        }
        if (user == null || user.isEmpty()) {
          fail(result, new CheckpointTransportException.Unauthorized(
              "the simulated service refused the token"));
          return;
        }
        CompletableFuture<T> answer;
        try {
          answer = call.apply(user);
        } catch (RuntimeException e) {
          answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((v, e) -> {
          if (e == null) {
            result.complete(v);
          } else {
            fail(result, unwrap(e));
          }
        });
      });
      return result;
    }

    private void fail(CompletableFuture<?> result, Throwable failure) {
      if (failure instanceof CheckpointTransportException.Unauthorized) {
        credentials.invalidate();
      }
      result.completeExceptionally(failure);
    }
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** Builds a {@link SimulatedCheckpointService}. Not thread-safe; use it on one thread. */
  public static final class Builder {
    private final Scheduler scheduler;
    private Duration retention = DEFAULT_RETENTION;
    private Duration replicationLag = Duration.ZERO;
    private CheckpointObserver checkpointObserver = (lastOpId, replicatedPosition) -> {};

    private Builder(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /**
     * @param retention how long a record lives after it was last stored or refreshed; positive
     * @return this builder
     * @throws CheckpointArgumentException if {@code retention} is not positive
     */
    public Builder retention(Duration retention) {
      Objects.requireNonNull(retention, "retention");
      if (retention.isNegative() || retention.isZero()) {
        throw new CheckpointArgumentException("a retention must be positive, got " + retention);
      }
      this.retention = retention;
      return this;
    }

    /**
     * @param lag how long after a request replication reaches it; zero (the default) or more
     * @return this builder
     * @throws CheckpointArgumentException if {@code lag} is negative
     */
    public Builder replicationLag(Duration lag) {
      checkLag(lag);
      this.replicationLag = lag;
      return this;
    }

    /**
     * @param observer told of every new checkpoint and the replication position it reflects
     * @return this builder
     */
    public Builder checkpointObserver(CheckpointObserver observer) {
      this.checkpointObserver = Objects.requireNonNull(observer, "observer");
      return this;
    }

    /** @return a new service with no records, streams or faults */
    public SimulatedCheckpointService build() {
      return new SimulatedCheckpointService(this);
    }
  }
}
