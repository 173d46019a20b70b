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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A simulated PowerSync service for checkpoint requests (section 10 of the behaviour), in the
 * time of a {@link Scheduler}: with the {@code ManualScheduler} of checkpoints-testkit-support
 * everything happens in virtual time.
 *
 * <h2>Records</h2>
 *
 * One record per key {@code user/client} holds the stored id, its replication position and its
 * expiry. A greater id replaces the id and takes a new position; an equal id only refreshes the
 * expiry; a lower id is ignored and the stored id returned. Every accepted request answers
 * {@code max(posted, stored)}. The legacy write checkpoint stores and returns the stored id plus
 * one (1 when absent), so both endpoints share one id per key. A record expires {@link
 * SimulatedCheckpointServiceBuilder#retention retention} after it was last stored or refreshed, but only goes when the
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
 * to the key's acknowledged id, or none when the key has no acknowledged id. A {@link
 * SimulatedBackend} built around the service adds its data to the same timeline.
 *
 * <h2>Faults</h2>
 *
 * {@link #injectFault} queues faults per {@link ServiceCall}: each call takes the next one (a
 * {@link ServiceFault} fails, delays, or handles and then drops the answer). {@link #forget} loses a
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

  private final Scheduler scheduler;
  private final Object lock = new Object();

  // Guarded by lock. Linked maps and lists keep every iteration in insertion order, so that a
  // seeded simulation sees the same sequence of sink calls on every run.
  private Duration replicationLag;
  private boolean checkpointRequestsSupported = true;
  private final CheckpointRecords records;
  private final FaultPlan faults = new FaultPlan();
  private final ServiceStreams streams;

  SimulatedCheckpointService(SimulatedCheckpointServiceBuilder builder) {
    this.scheduler = builder.scheduler;
    this.records = new CheckpointRecords(scheduler, saturatedNanos(builder.retention));
    this.streams = new ServiceStreams(records, builder.checkpointObserver);
    this.replicationLag = builder.replicationLag;
  }

  /**
   * @param scheduler the time the service lives in; a manual scheduler for virtual time
   * @return a builder with the default retention and no replication lag
   * @throws NullPointerException if {@code scheduler} is null
   */
  public static SimulatedCheckpointServiceBuilder builder(Scheduler scheduler) {
    return new SimulatedCheckpointServiceBuilder(scheduler);
  }

  /**
   * @param scheduler the time the service lives in
   * @return a service with the default retention and no replication lag
   * @throws NullPointerException if {@code scheduler} is null
   */
  public static SimulatedCheckpointService create(Scheduler scheduler) {
    return builder(scheduler).build();
  }

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
    return ServiceCalls.await(acceptCheckpointRequestAsync(userId, request));
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
    return ServiceCalls.await(legacyWriteCheckpointAsync(userId, clientId));
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
    ServiceKey key = ServiceKey.of(userId, request.clientId());
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
    ServiceKey key = ServiceKey.of(userId, clientId);
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
    ServiceKey key = ServiceKey.of(userId, clientId);
    Objects.requireNonNull(sink, "sink");
    ServiceSubscription subscription;
    synchronized (lock) {
      ServiceFault fault = faults.next(ServiceCall.OPEN_STREAM);
      if (fault instanceof ServiceFault.Failure) {
        throw ((ServiceFault.Failure) fault).toException(ServiceCall.OPEN_STREAM);
      }
      subscription = streams.open(key, sink, this::unsubscribe);
    }
    subscription.drain();
    return subscription;
  }

  /**
   * The client side in process: a transport that talks to this service without sockets, with the
   * semantics of the HTTP transport. The user is {@code userIdOfToken} applied to the token; a
   * token it maps to null or empty, or refuses by throwing, fails with {@code Unauthorized} and
   * invalidates the credentials; no token fails with {@code Unauthorized} without invalidating
   * them. Futures fail with the service's exceptions themselves, never wrapped.
   *
   * @param credentials where the token comes from
   * @param userIdOfToken the user a token stands for, for example the identity function when the
   *     simulation uses user ids as tokens
   * @return a thread-safe, non-blocking transport
   * @throws NullPointerException if an argument is null
   */
  public CheckpointRequestTransport transport(
      Credentials credentials, Function<String, String> userIdOfToken) {
    return new InProcessCheckpointTransport(this, credentials, userIdOfToken);
  }

  /**
   * Publishes a new checkpoint (new data in the simulated backend) to every open stream, each with
   * its own key's acknowledged id.
   *
   * @return the new checkpoint's {@code last_op_id}
   */
  public long publishCheckpoint() {
    List<ServiceSubscription> touched = new ArrayList<>();
    long opId;
    synchronized (lock) {
      opId = streams.announceToAll(touched);
    }
    ServiceSubscription.drainAll(touched);
    return opId;
  }

  /**
   * A write to the simulated source database: it takes the next position of the replication
   * stream, so that a checkpoint request stored after it is acknowledged only once the write has
   * replicated too. When replication reaches the write, every open stream receives a new
   * checkpoint (the data changed). This is how a simulation keeps its data and the acknowledgements
   * on one timeline; see {@link SimulatedCheckpointServiceBuilder#checkpointObserver}.
   *
   * @return the write's replication position
   */
  public long recordSourceWrite() {
    long position;
    synchronized (lock) {
      position = records.nextPosition();
    }
    Runnable replicate = () -> {
      List<ServiceSubscription> touched;
      synchronized (lock) {
        touched = new ArrayList<>(replicateUpTo(position));
        streams.announceToAll(touched);
      }
      ServiceSubscription.drainAll(touched);
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
    return locked(() -> records.replicatedPosition());
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
    return disconnectWhere(subscription -> subscription.key.userId().equals(userId));
  }

  /** @return how many streams ended; ends every open stream, see {@link #disconnectStreams(String)} */
  public int disconnectStreams() {
    return disconnectWhere(subscription -> true);
  }

  /**
   * Removes every record whose retention has run out, as the service's periodic compaction does.
   *
   * @return how many records were removed
   */
  public int compact() {
    return locked(() -> records.compact());
  }

  /**
   * Compacts every {@code interval} of scheduler time, until the returned handle is cancelled.
   *
   * @param interval positive
   * @return a handle that stops the periodic compaction
   * @throws CheckpointArgumentException if {@code interval} is not positive
   */
  public Scheduler.Cancellable compactEvery(Duration interval) {
    return PeriodicCompaction.start(scheduler, interval, this::compact);
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
    ServiceKey key = ServiceKey.of(userId, clientId);
    return locked(() -> records.forget(key));
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
    lockedRun(() -> faults.add(call, times, fault));
  }

  /**
   * @param call a kind of call
   * @return how many calls of that kind the queued faults still apply to (saturating at
   *     {@link Integer#MAX_VALUE})
   */
  public int pendingFaults(ServiceCall call) {
    return locked(() -> faults.pending(call));
  }

  /** Drops every queued fault. */
  public void clearFaults() {
    lockedRun(() -> faults.clear());
  }

  /**
   * @param supported false to behave like a service older than 1.24.0: checkpoint requests fail
   *     with {@code NotSupported} (HTTP 404) before any queued fault, the legacy endpoint and
   *     streams still work
   */
  public void setCheckpointRequestsSupported(boolean supported) {
    lockedRun(() -> checkpointRequestsSupported = supported);
  }

  /**
   * Changes the replication lag for ids stored from now on; ids already waiting keep the time they
   * were given (replication never goes back, so a shorter lag can acknowledge them earlier).
   *
   * @param lag zero or more
   * @throws CheckpointArgumentException if {@code lag} is negative
   */
  public void setReplicationLag(Duration lag) {
    ServiceCalls.checkLag(lag);
    lockedRun(() -> replicationLag = lag);
  }

  /** @return the current replication lag */
  public Duration replicationLag() {
    return locked(() -> replicationLag);
  }

  /**
   * @param userId the user
   * @param clientId the client
   * @return the key's stored id, or empty when it has no record
   */
  public Optional<CheckpointRequestId> storedId(String userId, ClientId clientId) {
    ServiceKey key = ServiceKey.of(userId, clientId);
    return locked(() -> records.stored(key));
  }

  /**
   * @param userId the user
   * @param clientId the client
   * @return the id the key's streams carry as {@code write_checkpoint}, or empty when none
   */
  public Optional<CheckpointRequestId> acknowledgedId(String userId, ClientId clientId) {
    ServiceKey key = ServiceKey.of(userId, clientId);
    return locked(() -> records.acknowledged(key));
  }

  /** @return how many records the service holds */
  public int recordCount() {
    return locked(() -> records.size());
  }

  /** @return how many streams are open */
  public int openStreamCount() {
    return locked(() -> streams.count());
  }

  /** @return the {@code last_op_id} of the latest checkpoint sent to any stream, 0 before any */
  public long lastOpId() {
    return locked(() -> streams.lastOpId());
  }

  private void lockedRun(Runnable change) {
    synchronized (lock) {
      change.run();
    }
  }

  private <T> T locked(Supplier<T> read) {
    synchronized (lock) {
      return read.get();
    }
  }

  private <T> CompletableFuture<T> call(ServiceCall kind, Supplier<T> handler) {
    ServiceFault fault;
    synchronized (lock) {
      if (kind == ServiceCall.CHECKPOINT_REQUEST && !checkpointRequestsSupported) {
        return CompletableFuture.failedFuture(new CheckpointTransportException.NotSupported(
            "the simulated service is older than 1.24.0: no checkpoint requests (HTTP 404)"));
      }
      fault = faults.next(kind);
    }
    return ServiceCalls.run(kind, fault, scheduler, handler);
  }

  private void unsubscribe(ServiceSubscription subscription) {
    lockedRun(() -> streams.remove(subscription));
  }

  private CheckpointRequestId accept(ServiceKey key, CheckpointRequestId id) {
    return storeAndReplicate(() -> records.accept(key, id));
  }

  private WriteCheckpoint legacy(ServiceKey key) {
    return WriteCheckpoint.of(storeAndReplicate(() -> records.legacy(key)).value());
  }

  /** Runs a store under the lock; the stored position replicates after the lag. */
  private CheckpointRequestId storeAndReplicate(Supplier<CheckpointRecords.Stored> store) {
    CheckpointRecords.Stored stored;
    List<ServiceSubscription> touched = List.of();
    synchronized (lock) {
      stored = store.get();
      if (stored.position() > 0 && replicationLag.isZero()) {
        touched = replicateUpTo(stored.position());
      } else if (stored.position() > 0) {
        scheduler.schedule(replicationLag, () -> {
          List<ServiceSubscription> later;
          synchronized (lock) {
            later = replicateUpTo(stored.position());
          }
          ServiceSubscription.drainAll(later);
        });
      }
    }
    ServiceSubscription.drainAll(touched);
    return stored.answer();
  }

  /** Replication reaches {@code position}: streams the new acknowledgements. Lock held. */
  private List<ServiceSubscription> replicateUpTo(long position) {
    return streams.announceAcknowledged(records.replicateUpTo(position));
  }

  private int disconnectWhere(Predicate<ServiceSubscription> which) {
    List<ServiceSubscription> ended;
    synchronized (lock) {
      ended = streams.endWhere(which);
    }
    ServiceSubscription.drainAll(ended);
    return ended.size();
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
