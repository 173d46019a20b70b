package io.checkpoints.testkit.simulation;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.adapter.inmemory.ManualScheduler;
import io.checkpoints.adapter.inmemory.SimulatedCheckpointService;
import io.checkpoints.domain.CheckpointHandle;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.domain.SyncConnection;
import io.checkpoints.domain.UploadBatch;
import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointPublication;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestTransport;
import io.checkpoints.ports.CheckpointService;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Credentials;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.QueuedWrite;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.support.WaiterLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * One executed simulation: the world of a {@link Simulation.Plan}, its actions, the quiescence at
 * the end, and the invariant violations it observed. Not thread-safe: a run lives on one thread.
 */
public final class SimulationRun {

  private static final String[] USERS = {"alice", "bob"};
  private static final Duration QUIESCE_STEP = Duration.ofSeconds(75);

  private final Simulation.Plan plan;
  private final Function<ClientId, CheckpointStore> stores;
  private final ManualScheduler clock = ManualScheduler.create();
  private final Map<Long, Long> replicatedPositionOfCheckpoint = new HashMap<>();
  private final SimulatedCheckpointService service = SimulatedCheckpointService.builder(clock)
      .checkpointObserver(replicatedPositionOfCheckpoint::put)
      .build();
  /** Source writes in replication order: position, key, value. */
  private final List<long[]> sourcePositions = new ArrayList<>();
  private final List<String> sourceKeys = new ArrayList<>();
  private final Map<String, Long> source = new TreeMap<>();
  private final Map<String, Long> highestFirstPost = new HashMap<>();
  private final Map<String, List<Long>> postedIds = new HashMap<>();
  private final List<Host> hosts = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private long nextValue;
  private int actionsRun;
  private int applies;

  SimulationRun(Simulation.Plan plan) {
    this(plan, InMemoryCheckpointStore::create);
  }

  /** A run whose hosts keep their state in the stores {@code stores} makes (tests of the checks). */
  SimulationRun(Simulation.Plan plan, Function<ClientId, CheckpointStore> stores) {
    this.plan = plan;
    this.stores = stores;
    service.setCheckpointRequestsSupported(plan.supported());
    for (int i = 0; i < plan.options().hosts(); i++) {
      hosts.add(new Host(i));
    }
  }

  /** @return the invariant violations, in the order they were seen; empty if none */
  public List<String> violations() {
    return List.copyOf(violations);
  }

  /** @return how many full checkpoints the hosts applied */
  public int applies() {
    return applies;
  }

  /** @return the backend's table at the end */
  public Map<String, Long> backend() {
    return Map.copyOf(source);
  }

  SimulationRun execute() {
    for (SimAction action : plan.actions()) {
      try {
        run(action);
      } catch (RuntimeException e) {
        violations.add("action " + (actionsRun + 1) + " " + action + " threw " + e);
      }
      actionsRun++;
      hosts.forEach(Host::noticeEndedStream);
      checkWaiterLedgers();
      if (!violations.isEmpty()) {
        return this;
      }
    }
    try {
      quiesce();
      checkWaiterLedgers();
    } catch (RuntimeException e) {
      violations.add("quiescing threw " + e);
    }
    return this;
  }

  /** Waiter soundness and liveness on every host, from what the run observed. */
  private void checkWaiterLedgers() {
    for (Host host : hosts) {
      host.ledger.checkPending();
      List<String> found = host.ledger.violations();
      for (String violation : found.subList(host.ledgerViolationsSeen, found.size())) {
        violations.add("host " + host.index + ": waiter soundness: " + violation);
      }
      host.ledgerViolationsSeen = found.size();
    }
  }

  /** @return how many request handles and status waiters the hosts opened */
  public int waitersOpened() {
    return hosts.stream().mapToInt(host -> host.ledger.size()).sum();
  }

  private void run(SimAction action) {
    if (action instanceof SimAction.Write write) {
      hosts.get(write.host()).write(write.key());
    } else if (action instanceof SimAction.Upload upload) {
      hosts.get(upload.host()).upload(upload.crash(), upload.limit());
    } else if (action instanceof SimAction.Request request) {
      hosts.get(request.host()).request();
    } else if (action instanceof SimAction.Disconnect disconnect) {
      hosts.get(disconnect.host()).disconnect();
    } else if (action instanceof SimAction.Connect connect) {
      hosts.get(connect.host()).connect();
    } else if (action instanceof SimAction.Clear clear) {
      hosts.get(clear.host()).clear();
    } else if (action instanceof SimAction.SwitchUser switchUser) {
      hosts.get(switchUser.host()).switchUser(switchUser.clear());
    } else if (action instanceof SimAction.Reconnect reconnect) {
      hosts.get(reconnect.host()).disconnect();
      hosts.get(reconnect.host()).connect();
    } else if (action instanceof SimAction.ConnectWithoutUser anonymous) {
      hosts.get(anonymous.host()).connectWithoutUser();
    } else if (action instanceof SimAction.SoftClear softClear) {
      hosts.get(softClear.host()).softClear();
    } else if (action instanceof SimAction.AwaitApplied await) {
      hosts.get(await.host()).awaitApplied();
    } else if (action instanceof SimAction.HoldAnswers hold) {
      hosts.get(hold.host()).holdNext += hold.count();
      hosts.get(hold.host()).holdAsNotSupported = hold.notSupported();
    } else if (action instanceof SimAction.ReleaseAnswers release) {
      hosts.get(release.host()).releaseAnswers();
    } else if (action instanceof SimAction.Advance advance) {
      clock.advance(Duration.ofMillis(advance.millis()));
    } else if (action instanceof SimAction.Fault fault) {
      service.injectFault(fault.call(), fault.times(), Simulation.serviceFault(fault));
    } else if (action instanceof SimAction.LoseRecord lose) {
      // Without a known user the ids may restart after a clear when the service lost its record:
      // the reference's weakness (behaviour.md section 9), not what this run checks.
      Host host = hosts.get(lose.host());
      if (!host.withoutUser) {
        service.forget(host.user, host.clientId);
      }
    } else if (action instanceof SimAction.ExpireRecords) {
      clock.advance(SimulatedCheckpointService.DEFAULT_RETENTION.plusMinutes(1));
      if (hosts.stream().noneMatch(host -> host.withoutUser)) {
        service.compact();
      }
    } else if (action instanceof SimAction.SetLag lag) {
      service.setReplicationLag(Duration.ofMillis(lag.millis()));
    } else {
      throw new IllegalArgumentException("unknown action " + action);
    }
  }

  /** No more faults: every host connects, uploads and waits until nothing moves any more. */
  private void quiesce() {
    service.clearFaults();
    for (Host host : hosts) {
      host.noticeEndedStream();
      host.holdNext = 0;
      host.releaseAnswers();
      if (host.connectionSaw404 || host.connectFailed) {
        host.disconnect(); // a new connection asks the service again
      }
      if (!host.client.isIterationActive()) {
        host.connect();
      }
    }
    for (int round = 0; round < 4; round++) {
      for (Host host : hosts) {
        host.uploadAll();
      }
      clock.advance(QUIESCE_STEP.plus(service.replicationLag()));
      service.publishCheckpoint();
      clock.advance(QUIESCE_STEP);
    }
    for (Host host : hosts) {
      host.checkWaiters();
    }
    if (plan.supported() && violations.isEmpty()) {
      for (Host host : hosts) {
        if (!host.visible.equals(source)) {
          violations.add("after quiescing, host " + host.index + " shows " + host.visible
              + " but the backend holds " + source + " (no convergence)");
        }
      }
    }
  }

  /** The backend's values as replicated up to the checkpoint with {@code lastOpId}. */
  private Map<String, Long> replicatedData(long lastOpId) {
    Long position = replicatedPositionOfCheckpoint.get(lastOpId);
    if (position == null) {
      throw new IllegalStateException("no replication position recorded for checkpoint " + lastOpId);
    }
    Map<String, Long> data = new TreeMap<>();
    for (int i = 0; i < sourcePositions.size(); i++) {
      long[] write = sourcePositions.get(i);
      if (write[0] <= position) {
        data.merge(sourceKeys.get(i), write[1], Math::max);
      }
    }
    return data;
  }

  /**
   * With per-user sequences, the ids a (user, client) posts for the first time never go
   * backwards. Not counted: retries and reposts of an id this (user, client) posted before, and
   * reposts of the gate's target that another user's upload set (it survives a user switch
   * without a clear and is posted until acknowledged; the service keeps its larger id).
   */
  private void recordPost(String user, boolean withoutUser, ClientId client, CheckpointRequestId id,
      boolean isGateTarget) {
    List<Long> byClient = postedIds.computeIfAbsent(client.value(), k -> new ArrayList<>());
    boolean postedBefore = byClient.contains(id.value());
    if (!postedBefore) {
      byClient.add(id.value());
    }
    if (withoutUser) {
      return; // without a known user ids follow the reference's rules (they may restart)
    }
    String key = user + "/" + client.value();
    List<Long> byUser = postedIds.computeIfAbsent(key, k -> new ArrayList<>());
    if (byUser.contains(id.value()) || (postedBefore && isGateTarget)) {
      return;
    }
    byUser.add(id.value());
    Long highest = highestFirstPost.get(key);
    if (plan.options().userSequences() && highest != null && id.value() < highest) {
      violations.add("ids went backwards for " + key + ": " + id + " posted after " + highest);
    }
    highestFirstPost.merge(key, id.value(), Math::max);
  }

  /** One simulated client: its store, sync client and connection, and its visible table. */
  private final class Host {
    final int index;
    final ClientId clientId;
    final CheckpointStore store;
    final SyncClient client;
    final SyncConnection connection;
    final CheckpointRequestTransport transport;
    final Map<String, Long> visible = new TreeMap<>();
    /** The queued writes by sequence: key and value, to compare with the batches read. */
    final Map<Long, Map.Entry<String, Long>> queued = new TreeMap<>();
    final List<CompletableFuture<CheckpointHandle>> requests = new ArrayList<>();
    final List<Tracked> handles = new ArrayList<>();
    final WaiterLedger ledger = new WaiterLedger();
    int ledgerViolationsSeen;
    String user;
    int userIndex;
    /** Whether the current (or last) connection was made without telling the client the user. */
    boolean withoutUser;
    /** The epoch as this host counts it: the user it told the client, the clears it ran. */
    WaiterLedger.Epoch epoch = WaiterLedger.Epoch.FIRST;
    long connections;
    /** The number of the current connection, 0 while offline. */
    long connectionNumber;
    /** Whether the current connection's connect() failed (for example a second 401 in a row). */
    boolean connectFailed;
    /** Whether the current connection received a 404 that was its own. */
    boolean connectionSaw404;
    /** Whether a 404 was ever delivered to the connection that sent the request. */
    boolean everSawOwn404;
    int holdNext;
    boolean holdAsNotSupported;
    final List<Held> held = new ArrayList<>();
    CheckpointService.StreamSubscription stream;

    /** A request handle and the ledger entry that follows it. */
    final class Tracked {
      final CheckpointHandle handle;
      final int entry;
      boolean ended;

      Tracked(CheckpointHandle handle, int entry) {
        this.handle = handle;
        this.entry = entry;
      }
    }

    /** An answer held back: what the service answered, what the client will hear, and when it asked. */
    record Held(CompletableFuture<CheckpointRequestId> fromService,
        CompletableFuture<CheckpointRequestId> toClient, long connectionNumber) {}

    Host(int index) {
      this.index = index;
      this.clientId = ClientId.of("client-" + index);
      this.userIndex = index % USERS.length;
      this.user = USERS[userIndex];
      this.store = stores.apply(clientId);
      this.client = SyncClient.builder(store).scheduler(clock).publisher(this::publish).build();
      Credentials credentials = new Credentials() {
        @Override
        public CompletableFuture<String> token() {
          return CompletableFuture.completedFuture(user);
        }

        @Override
        public void invalidate() {}
      };
      this.transport = recording(service.transport(credentials, token -> token));
      this.connection = SyncConnection.builder(client, transport).build();
    }

    private CheckpointRequestTransport recording(CheckpointRequestTransport delegate) {
      return new CheckpointRequestTransport() {
        @Override
        public CompletableFuture<CheckpointRequestId> postCheckpointRequest(CheckpointRequest request) {
          if (holdNext > 0 && holdAsNotSupported) {
            holdNext--; // a service without checkpoint requests: nothing reaches its records
            CompletableFuture<CheckpointRequestId> heldBack = new CompletableFuture<>();
            held.add(new Held(CompletableFuture.failedFuture(new CheckpointTransportException.NotSupported(
                "simulated HTTP 404, answered late")), heldBack, connectionNumber));
            return heldBack;
          }
          recordPost(user, withoutUser || !plan.options().userSequences(), request.clientId(), request.id(),
              client.barrier().target().equals(Optional.of(request.id())));
          CompletableFuture<CheckpointRequestId> answer = delegate.postCheckpointRequest(request);
          if (holdNext == 0) {
            return answer;
          }
          holdNext--;
          CompletableFuture<CheckpointRequestId> heldBack = new CompletableFuture<>();
          held.add(new Held(answer, heldBack, connectionNumber));
          return heldBack;
        }

        @Override
        public CompletableFuture<WriteCheckpoint> fetchLegacyWriteCheckpoint(ClientId id) {
          return delegate.fetchLegacyWriteCheckpoint(id);
        }
      };
    }

    void releaseAnswers() {
      List<Held> released = new ArrayList<>(held);
      held.clear();
      for (Held answer : released) {
        answer.fromService().whenComplete((id, error) -> {
          if (error == null) {
            answer.toClient().complete(id);
            return;
          }
          if (unwrap(error) instanceof CheckpointTransportException.NotSupported
              && answer.connectionNumber() != 0 && answer.connectionNumber() == connectionNumber) {
            connectionSaw404 = true; // the connection's own answer: it may end its requests
            everSawOwn404 = true;
          }
          answer.toClient().completeExceptionally(error);
        });
      }
    }

    /** The gate let a checkpoint through: the visible table becomes the backend's data in it. */
    private void publish(CheckpointPublication publication, CheckpointTransaction tx) {
      if (!publication.isFull()) {
        return;
      }
      if (!tx.uploadQueue().isEmpty()) {
        violations.add("host " + index + " published checkpoint " + publication.lastOpId()
            + " while its upload queue was not empty");
      }
      Map<String, Long> data = replicatedData(Long.parseLong(publication.lastOpId()));
      for (Map.Entry<String, Long> shown : visible.entrySet()) {
        Long next = data.get(shown.getKey());
        if (next == null || next < shown.getValue()) {
          violations.add("host " + index + " went backwards on " + shown.getKey() + ": showed "
              + shown.getValue() + ", checkpoint " + publication.lastOpId() + " carries " + next);
        }
      }
      visible.clear();
      visible.putAll(data);
      applies++;
      // Inside the publishing transaction, so before anything its commit completes.
      ledger.applied(publication.writeCheckpoint().map(WriteCheckpoint::value), epoch, connectionNumber);
    }

    void write(String key) {
      long value = ++nextValue;
      long sequence = client.barrier().recordLocalWrite(LocalWrite.put("kv", key, "{\"v\":" + value + "}"));
      queued.put(sequence, Map.entry(key, value));
      visible.merge(key, value, Math::max);
    }

    /**
     * Reads a batch, uploads it to the backend and completes it. The backend is reachable whether
     * or not the sync connection is up; completing while offline removes the writes and fails the
     * write checkpoint with the disconnect.
     */
    void upload(boolean crash, int limit) {
      Optional<UploadBatch> read = limit == 0 ? connection.nextUploadTransaction() : connection.nextUploadBatch(limit);
      if (read.isEmpty()) {
        return; // a write checkpoint an offline batch could not request follows the next connect
      }
      UploadBatch batch = read.get();
      List<QueuedWrite> writes = batch.writes();
      List<Long> expected = new ArrayList<>(queued.keySet()).subList(0, Math.min(queued.size(),
          limit == 0 ? writes.size() : limit));
      if (!writes.stream().map(QueuedWrite::sequence).toList().equals(expected)) {
        violations.add("host " + index + " read the batch " + writes.stream().map(QueuedWrite::sequence).toList()
            + " but the oldest queued writes are " + expected);
        return;
      }
      for (QueuedWrite write : writes) {
        Map.Entry<String, Long> local = queued.get(write.sequence());
        if (!write.rowId().equals(local.getKey()) || !write.dataJson().equals("{\"v\":" + local.getValue() + "}")) {
          violations.add("host " + index + " read " + write + " for the write of " + local);
        }
        source.merge(local.getKey(), local.getValue(), Math::max);
      }
      long position = service.recordSourceWrite();
      for (QueuedWrite write : writes) {
        Map.Entry<String, Long> local = queued.get(write.sequence());
        sourcePositions.add(new long[] {position, local.getValue()});
        sourceKeys.add(local.getKey());
      }
      if (crash) {
        disconnect(); // died before completing the batch: the next upload sends it again
        return;
      }
      boolean online = connectionNumber != 0;
      CompletableFuture<Void> checkpoint = batch.complete();
      writes.forEach(write -> queued.remove(write.sequence()));
      reconnectAfterRefusal(checkpoint);
      if (!online && !(checkpoint.isCompletedExceptionally()
          && failure(checkpoint) instanceof CheckpointWaitException.Disconnected)) {
        violations.add("host " + index + " completed a batch while offline and its write checkpoint "
            + (checkpoint.isDone() ? "ended with " + failure(checkpoint) : "is pending")
            + " instead of failing with Disconnected");
      }
    }

    /**
     * A call that the service refused for good (a second 401 in a row, or no seed in time) leaves
     * this connection unable to allocate; as an SDK does, the host connects again later.
     */
    private void reconnectAfterRefusal(CompletableFuture<?> call) {
      long asked = connectionNumber;
      call.whenComplete((value, error) -> {
        Throwable cause = error == null ? null : unwrap(error);
        if (asked != 0 && connectionNumber == asked
            && (cause instanceof CheckpointTransportException.Unauthorized
                || cause instanceof CheckpointStateException)) {
          connectFailed = true;
        }
      });
    }

    /** Uploads until the queue is empty (quiescence). */
    void uploadAll() {
      int before;
      do {
        before = queued.size();
        upload(false, 100);
      } while (!queued.isEmpty() && queued.size() < before);
    }

    void request() {
      long requestedAt = ledger.mark();
      CompletableFuture<CheckpointHandle> request = connection.requestCheckpoint();
      requests.add(request);
      reconnectAfterRefusal(request);
      request.whenComplete((handle, error) -> {
        if (error != null) {
          checkNotSupported(error, "a requestCheckpoint()");
          return;
        }
        int entry = ledger.opened(WaiterLedger.Kind.HANDLE, "handle " + handle + " (request " + requests.size() + ")",
            handle.id().value(), epoch, connectionNumber, requestedAt);
        Tracked tracked = new Tracked(handle, entry);
        handles.add(tracked);
        startWait(tracked);
      });
    }

    /** Keeps one wait open on a handle while connected, reporting what it ends with. */
    private void startWait(Tracked tracked) {
      if (tracked.ended) {
        return;
      }
      tracked.handle.waitForSync().whenComplete((writeCheckpoint, error) -> {
        if (error == null) {
          tracked.ended = true;
          ledger.completed(tracked.entry, writeCheckpoint.value());
          return;
        }
        String name = failureName(error);
        ledger.failed(tracked.entry, name);
        checkNotSupported(error, "the wait for " + tracked.handle);
        if (!name.equals("Disconnected") && !name.equals("SyncFailed")) {
          tracked.ended = true;
        }
      });
    }

    void awaitApplied() {
      Optional<CheckpointRequestId> current = client.sequence().current();
      if (current.isEmpty()) {
        return;
      }
      CompletableFuture<WriteCheckpoint> waiter = client.status().awaitApplied(current.get());
      int entry = ledger.opened(WaiterLedger.Kind.STATUS_WAITER, "status waiter for " + current.get(),
          current.get().value(), epoch, connectionNumber);
      waiter.whenComplete((writeCheckpoint, error) -> {
        if (error == null) {
          ledger.completed(entry, writeCheckpoint.value());
        } else {
          ledger.failed(entry, failureName(error));
        }
      });
    }

    /** A 404 reaches the caller only where the service has no checkpoint requests, or the connection got its own. */
    private void checkNotSupported(Throwable error, String what) {
      Throwable cause = unwrap(error);
      if (cause instanceof CheckpointWaitException.NotSupported
          || cause instanceof CheckpointTransportException.NotSupported) {
        if (plan.supported() && !everSawOwn404) {
          violations.add("host " + index + ": " + what + " failed with " + cause
              + ", but no 404 was ever the answer to one of its current connection's requests");
        }
      }
    }

    void connect() {
      if (client.isIterationActive() && !connectFailed) {
        return;
      }
      disconnect();
      withoutUser = false;
      open(plan.options().userSequences() ? Optional.of(user) : Optional.empty());
    }

    void connectWithoutUser() {
      disconnect();
      withoutUser = true;
      open(Optional.empty());
    }

    private void open(Optional<String> as) {
      // The epoch moves before the call: what the call ends reports against the new epoch.
      epoch = epoch.forUser(as);
      ledger.enter(epoch);
      long opened = ++connections;
      connectionNumber = opened;
      connectionSaw404 = false;
      connectFailed = false;
      CompletableFuture<CheckpointRequestId> seeded = as.isPresent()
          ? connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId(as.get()))
          : connection.connect(CheckpointMode.REQUESTS);
      seeded.whenComplete((seed, error) -> {
        if (error != null && connectionNumber == opened
            && !(unwrap(error) instanceof CheckpointWaitException.Disconnected)) {
          checkNotSupported(error, "connect()");
          connectFailed = true; // as an SDK does, the host connects again later
        }
      });
      try {
        stream = service.openStream(user, clientId, this::receive);
      } catch (CheckpointException e) {
        disconnect(); // the stream could not open: offline again
        return;
      }
      handles.forEach(this::startWait);
    }

    /**
     * A host's sync loop sees its stream end (the service closed it, or a closing line ended the
     * iteration) and disconnects, as SDKs do before they reconnect. Between the end and this
     * disconnect, {@code requestCheckpoint()} and {@code UploadBatch.complete()} throw
     * {@code CheckpointStateException} (no active iteration) instead of failing their futures
     * when the counter needs a new seed: found by this simulation and reported; hosts notice at
     * once, so runs do not call into that window.
     */
    void noticeEndedStream() {
      if (connectionNumber != 0 && !client.isIterationActive()) {
        disconnect();
      }
    }

    private void receive(SyncLine line) {
      if (!client.isIterationActive()) {
        return;
      }
      try {
        client.handleLine(line);
      } catch (CheckpointException e) {
        violations.add("host " + index + " failed on line " + line + ": " + e);
      }
    }

    void disconnect() {
      if (stream != null) {
        stream.close();
        stream = null;
      }
      connectionNumber = 0;
      connectionSaw404 = false;
      connectFailed = false;
      connection.disconnect();
    }

    void clear() {
      WaiterLedger.Epoch before = epoch;
      epoch = epoch.afterClear();
      ledger.enter(epoch);
      try {
        client.clear(ClearFlags.HARD);
      } catch (RuntimeException e) {
        epoch = before;
        ledger.enter(epoch);
        throw e;
      }
      visible.clear(); // a clear starts this host's history afresh
      queued.clear();
    }

    void softClear() {
      boolean active = client.isIterationActive();
      WaiterLedger.Epoch before = epoch;
      if (!active) {
        // Allowed offline; the epoch moves before the call, as for a hard clear.
        epoch = epoch.afterClear();
        ledger.enter(epoch);
      }
      try {
        client.clear(ClearFlags.of(0x02));
      } catch (CheckpointStateException e) {
        epoch = before;
        ledger.enter(epoch);
        if (!active || e.reason() != CheckpointStateException.Reason.CLEAR_REFUSED) {
          violations.add("host " + index + ": a soft clear while " + (active ? "connected" : "offline")
              + " failed with " + e);
        }
        return;
      }
      if (active) {
        violations.add("host " + index + ": a soft clear was done during an iteration");
        epoch = epoch.afterClear();
        ledger.enter(epoch);
      }
      visible.clear();
      queued.clear();
    }

    void switchUser(boolean clear) {
      service.disconnectStreams(user); // token expiry: the service ends the user's streams
      disconnect();
      if (clear) {
        clear();
      }
      userIndex = (userIndex + 1) % USERS.length;
      user = USERS[userIndex];
      connect();
    }

    void checkWaiters() {
      for (CompletableFuture<CheckpointHandle> request : requests) {
        if (!request.isDone()) {
          violations.add("host " + index + ": a requestCheckpoint() never completed");
          continue;
        }
        if (request.isCompletedExceptionally()) {
          continue; // refused or failed while posting: there is no handle to wait on
        }
        CheckpointHandle handle = request.join();
        CompletableFuture<WriteCheckpoint> wait = handle.waitForSync();
        clock.advance(QUIESCE_STEP.plus(service.replicationLag()));
        if (!wait.isDone()) {
          violations.add("host " + index + ": the wait for " + handle + " never completed");
        } else if (wait.isCompletedExceptionally()) {
          Throwable cause = failure(wait);
          boolean documented = cause instanceof CheckpointWaitException.Cleared
              || cause instanceof CheckpointWaitException.UserSwitched
              || cause instanceof CheckpointWaitException.NotSupported;
          if (!documented) {
            violations.add("host " + index + ": the wait for " + handle + " failed with " + cause);
          }
        }
      }
    }

    private Throwable failure(CompletableFuture<?> future) {
      try {
        future.join();
        return null;
      } catch (CompletionException e) {
        return e.getCause();
      } catch (RuntimeException e) {
        return e;
      }
    }
  }

  private static Throwable unwrap(Throwable error) {
    while (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

  private static String failureName(Throwable error) {
    Throwable cause = unwrap(error);
    return cause instanceof CancellationException ? "cancelled" : cause.getClass().getSimpleName();
  }
}
