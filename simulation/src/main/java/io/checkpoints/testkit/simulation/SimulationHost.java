package io.checkpoints.testkit.simulation;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * One simulated client of a {@link SimulationRun}: its store, sync client and connection, and its
 * visible table. It reports what it sees to its run. Not thread-safe: it lives on its run's thread.
 */
final class SimulationHost {
  private final SimulationRun run;
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

  SimulationHost(SimulationRun run, int index) {
    this.run = run;
    this.index = index;
    this.clientId = ClientId.of("client-" + index);
    this.userIndex = index % SimulationRun.USERS.length;
    this.user = SimulationRun.USERS[userIndex];
    this.store = run.stores.apply(clientId);
    this.client = SyncClient.builder(store).scheduler(run.clock).publisher(this::publish).build();
    Credentials credentials = new Credentials() {
      @Override
      public CompletableFuture<String> token() {
        return CompletableFuture.completedFuture(user);
      }

      @Override
      public void invalidate() {}
    };
    this.transport = recording(run.service.transport(credentials, token -> token));
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
        run.recordPost(user, withoutUser || !run.plan.options().userSequences(), request.clientId(), request.id(),
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
        if (FutureFailures.unwrap(error) instanceof CheckpointTransportException.NotSupported
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
      run.violations.add("host " + index + " published checkpoint " + publication.lastOpId()
          + " while its upload queue was not empty");
    }
    Map<String, Long> data = run.replicatedData(Long.parseLong(publication.lastOpId()));
    for (Map.Entry<String, Long> shown : visible.entrySet()) {
      Long next = data.get(shown.getKey());
      if (next == null || next < shown.getValue()) {
        run.violations.add("host " + index + " went backwards on " + shown.getKey() + ": showed "
            + shown.getValue() + ", checkpoint " + publication.lastOpId() + " carries " + next);
      }
    }
    visible.clear();
    visible.putAll(data);
    run.applies++;
    // Inside the publishing transaction, so before anything its commit completes.
    ledger.applied(publication.writeCheckpoint().map(WriteCheckpoint::value), epoch, connectionNumber);
  }

  void write(String key) {
    long value = ++run.nextValue;
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
      run.violations.add("host " + index + " read the batch " + writes.stream().map(QueuedWrite::sequence).toList()
          + " but the oldest queued writes are " + expected);
      return;
    }
    for (QueuedWrite write : writes) {
      Map.Entry<String, Long> local = queued.get(write.sequence());
      if (!write.rowId().equals(local.getKey()) || !write.dataJson().equals("{\"v\":" + local.getValue() + "}")) {
        run.violations.add("host " + index + " read " + write + " for the write of " + local);
      }
      run.source.merge(local.getKey(), local.getValue(), Math::max);
    }
    long position = run.service.recordSourceWrite();
    for (QueuedWrite write : writes) {
      Map.Entry<String, Long> local = queued.get(write.sequence());
      run.sourcePositions.add(new long[] {position, local.getValue()});
      run.sourceKeys.add(local.getKey());
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
        && FutureFailures.causeOf(checkpoint) instanceof CheckpointWaitException.Disconnected)) {
      run.violations.add("host " + index + " completed a batch while offline and its write checkpoint "
          + (checkpoint.isDone() ? "ended with " + FutureFailures.causeOf(checkpoint) : "is pending")
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
      Throwable cause = error == null ? null : FutureFailures.unwrap(error);
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
      String name = FutureFailures.name(error);
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
        ledger.failed(entry, FutureFailures.name(error));
      }
    });
  }

  /** A 404 reaches the caller only where the service has no checkpoint requests, or the connection got its own. */
  private void checkNotSupported(Throwable error, String what) {
    Throwable cause = FutureFailures.unwrap(error);
    if (cause instanceof CheckpointWaitException.NotSupported
        || cause instanceof CheckpointTransportException.NotSupported) {
      if (run.plan.supported() && !everSawOwn404) {
        run.violations.add("host " + index + ": " + what + " failed with " + cause
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
    open(run.plan.options().userSequences() ? Optional.of(user) : Optional.empty());
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
          && !(FutureFailures.unwrap(error) instanceof CheckpointWaitException.Disconnected)) {
        checkNotSupported(error, "connect()");
        connectFailed = true; // as an SDK does, the host connects again later
      }
    });
    try {
      stream = run.service.openStream(user, clientId, this::receive);
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
      run.violations.add("host " + index + " failed on line " + line + ": " + e);
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
        run.violations.add("host " + index + ": a soft clear while " + (active ? "connected" : "offline")
            + " failed with " + e);
      }
      return;
    }
    if (active) {
      run.violations.add("host " + index + ": a soft clear was done during an iteration");
      epoch = epoch.afterClear();
      ledger.enter(epoch);
    }
    visible.clear();
    queued.clear();
  }

  void switchUser(boolean clear) {
    run.service.disconnectStreams(user); // token expiry: the service ends the user's streams
    disconnect();
    if (clear) {
      clear();
    }
    userIndex = (userIndex + 1) % SimulationRun.USERS.length;
    user = SimulationRun.USERS[userIndex];
    connect();
  }

  void checkWaiters() {
    for (CompletableFuture<CheckpointHandle> request : requests) {
      if (!request.isDone()) {
        run.violations.add("host " + index + ": a requestCheckpoint() never completed");
        continue;
      }
      if (request.isCompletedExceptionally()) {
        continue; // refused or failed while posting: there is no handle to wait on
      }
      CheckpointHandle handle = request.join();
      CompletableFuture<WriteCheckpoint> wait = handle.waitForSync();
      run.clock.advance(SimulationRun.QUIESCE_STEP.plus(run.service.replicationLag()));
      if (!wait.isDone()) {
        run.violations.add("host " + index + ": the wait for " + handle + " never completed");
      } else if (wait.isCompletedExceptionally()) {
        Throwable cause = FutureFailures.causeOf(wait);
        boolean documented = cause instanceof CheckpointWaitException.Cleared
            || cause instanceof CheckpointWaitException.UserSwitched
            || cause instanceof CheckpointWaitException.NotSupported;
        if (!documented) {
          run.violations.add("host " + index + ": the wait for " + handle + " failed with " + cause);
        }
      }
    }
  }
}
