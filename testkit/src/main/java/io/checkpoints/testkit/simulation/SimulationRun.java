package io.checkpoints.testkit.simulation;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.adapter.inmemory.ManualScheduler;
import io.checkpoints.adapter.inmemory.SimulatedCheckpointService;
import io.checkpoints.domain.CheckpointHandle;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.domain.SyncConnection;
import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.ports.CheckpointPublication;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestTransport;
import io.checkpoints.ports.CheckpointService;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.CheckpointWaitException;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Credentials;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
      if (!violations.isEmpty()) {
        return this;
      }
    }
    try {
      quiesce();
    } catch (RuntimeException e) {
      violations.add("quiescing threw " + e);
    }
    return this;
  }

  private void run(SimAction action) {
    if (action instanceof SimAction.Write write) {
      hosts.get(write.host()).write(write.key());
    } else if (action instanceof SimAction.Upload upload) {
      hosts.get(upload.host()).upload(upload.crash());
    } else if (action instanceof SimAction.Request request) {
      hosts.get(request.host()).request();
    } else if (action instanceof SimAction.Disconnect disconnect) {
      hosts.get(disconnect.host()).disconnect();
    } else if (action instanceof SimAction.Connect connect) {
      hosts.get(connect.host()).connect();
    } else if (action instanceof SimAction.Clear clear) {
      hosts.get(clear.host()).clear();
    } else if (action instanceof SimAction.SwitchUser switchUser) {
      hosts.get(switchUser.host()).switchUser();
    } else if (action instanceof SimAction.Advance advance) {
      clock.advance(Duration.ofMillis(advance.millis()));
    } else if (action instanceof SimAction.Fault fault) {
      service.injectFault(fault.call(), fault.times(), Simulation.serviceFault(fault));
    } else if (action instanceof SimAction.LoseRecord lose) {
      Host host = hosts.get(lose.host());
      service.forget(host.user, host.clientId);
    } else if (action instanceof SimAction.ExpireRecords) {
      clock.advance(SimulatedCheckpointService.DEFAULT_RETENTION.plusMinutes(1));
      service.compact();
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
      if (!host.client.isIterationActive()) {
        host.connect();
      }
    }
    for (int round = 0; round < 4; round++) {
      for (Host host : hosts) {
        host.upload(false);
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

  private void recordPost(String user, ClientId client, CheckpointRequestId id) {
    String key = user + "/" + client.value();
    List<Long> ids = postedIds.computeIfAbsent(key, k -> new ArrayList<>());
    if (ids.contains(id.value())) {
      return; // a repost or retry of an id already posted
    }
    Long highest = highestFirstPost.get(key);
    if (plan.options().userSequences() && highest != null && id.value() < highest) {
      violations.add("ids went backwards for " + key + ": " + id + " posted after " + highest);
    }
    ids.add(id.value());
    highestFirstPost.merge(key, id.value(), Math::max);
  }

  /** One simulated client: its store, sync client and connection, and its visible table. */
  private final class Host {
    final int index;
    final ClientId clientId;
    final CheckpointStore store;
    final SyncClient client;
    final SyncConnection connection;
    final Map<String, Long> visible = new TreeMap<>();
    final List<long[]> queued = new ArrayList<>(); // sequence, value
    final List<String> queuedKeys = new ArrayList<>();
    final List<CompletableFuture<CheckpointHandle>> requests = new ArrayList<>();
    String user;
    int userIndex;
    CheckpointService.StreamSubscription stream;

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
      CheckpointRequestTransport transport = recording(service.transport(credentials, token -> token));
      this.connection = SyncConnection.builder(client, transport).build();
    }

    private CheckpointRequestTransport recording(CheckpointRequestTransport delegate) {
      return new CheckpointRequestTransport() {
        @Override
        public CompletableFuture<CheckpointRequestId> postCheckpointRequest(CheckpointRequest request) {
          recordPost(user, request.clientId(), request.id());
          return delegate.postCheckpointRequest(request);
        }

        @Override
        public CompletableFuture<WriteCheckpoint> fetchLegacyWriteCheckpoint(ClientId id) {
          return delegate.fetchLegacyWriteCheckpoint(id);
        }
      };
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
    }

    void write(String key) {
      long value = ++nextValue;
      long sequence = client.barrier().recordLocalWrite(LocalWrite.put("kv", key, "{\"v\":" + value + "}"));
      queued.add(new long[] {sequence, value});
      queuedKeys.add(key);
      visible.merge(key, value, Math::max);
    }

    void upload(boolean crash) {
      if (!client.isIterationActive()) {
        return; // uploads need the network too
      }
      if (queued.isEmpty()) {
        if (client.barrier().target().filter(CheckpointRequestId::isMax).isPresent()) {
          connection.uploadCompleted(); // uploads done, but no write checkpoint yet: request one
        }
        return;
      }
      for (int i = 0; i < queued.size(); i++) {
        source.merge(queuedKeys.get(i), queued.get(i)[1], Math::max);
      }
      long position = service.recordSourceWrite();
      for (int i = 0; i < queued.size(); i++) {
        sourcePositions.add(new long[] {position, queued.get(i)[1]});
        sourceKeys.add(queuedKeys.get(i));
      }
      if (crash) {
        disconnect(); // died before marking the batch uploaded: the next upload sends it again
        return;
      }
      client.barrier().markUploaded(queued.get(queued.size() - 1)[0]);
      queued.clear();
      queuedKeys.clear();
      connection.uploadCompleted();
    }

    void request() {
      if (client.isIterationActive()) {
        requests.add(connection.requestCheckpoint());
      }
    }

    void connect() {
      if (client.isIterationActive()) {
        return;
      }
      if (plan.options().userSequences()) {
        connection.connect(CheckpointMode.REQUESTS, UserKey.forUserId(user));
      } else {
        connection.connect(CheckpointMode.REQUESTS);
      }
      try {
        stream = service.openStream(user, clientId, this::receive);
      } catch (CheckpointException e) {
        connection.disconnect(); // the stream could not open: offline again
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
      connection.disconnect();
    }

    void clear() {
      client.clear(ClearFlags.HARD);
      visible.clear(); // a clear starts this host's history afresh
      queued.clear();
      queuedKeys.clear();
    }

    void switchUser() {
      service.disconnectStreams(user); // token expiry: the service ends the user's streams
      disconnect();
      clear();
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
}
