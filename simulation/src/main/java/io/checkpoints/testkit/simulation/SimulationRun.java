package io.checkpoints.testkit.simulation;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.adapter.inmemory.SimulatedCheckpointService;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.ClientId;
import io.checkpoints.testkit.support.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One executed simulation: the world of a {@link Simulation.Plan}, its actions, the quiescence at
 * the end, and the invariant violations it observed. Not thread-safe: a run lives on one thread.
 */
public final class SimulationRun {

  // Package-private where its hosts read the world and report what they see.
  static final String[] USERS = {"alice", "bob"};
  static final Duration QUIESCE_STEP = Duration.ofSeconds(75);

  final Simulation.Plan plan;
  final Function<ClientId, CheckpointStore> stores;
  final ManualScheduler clock = ManualScheduler.create();
  private final Map<Long, Long> replicatedPositionOfCheckpoint = new HashMap<>();
  final SimulatedCheckpointService service = SimulatedCheckpointService.builder(clock)
      .checkpointObserver(replicatedPositionOfCheckpoint::put)
      .build();
  /** Source writes in replication order: position, key, value. */
  final List<long[]> sourcePositions = new ArrayList<>();
  final List<String> sourceKeys = new ArrayList<>();
  final Map<String, Long> source = new TreeMap<>();
  private final Map<String, Long> highestFirstPost = new HashMap<>();
  private final Map<String, List<Long>> postedIds = new HashMap<>();
  private final List<SimulationHost> hosts = new ArrayList<>();
  final List<String> violations = new ArrayList<>();
  long nextValue;
  private int actionsRun;
  int applies;

  SimulationRun(Simulation.Plan plan) {
    this(plan, InMemoryCheckpointStore::create);
  }

  /** A run whose hosts keep their state in the stores {@code stores} makes (tests of the checks). */
  SimulationRun(Simulation.Plan plan, Function<ClientId, CheckpointStore> stores) {
    this.plan = plan;
    this.stores = stores;
    service.setCheckpointRequestsSupported(plan.supported());
    for (int i = 0; i < plan.options().hosts(); i++) {
      hosts.add(new SimulationHost(this, i));
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
      hosts.forEach(SimulationHost::noticeEndedStream);
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
    for (SimulationHost host : hosts) {
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
      SimulationHost host = hosts.get(lose.host());
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
    for (SimulationHost host : hosts) {
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
      for (SimulationHost host : hosts) {
        host.uploadAll();
      }
      clock.advance(QUIESCE_STEP.plus(service.replicationLag()));
      service.publishCheckpoint();
      clock.advance(QUIESCE_STEP);
    }
    for (SimulationHost host : hosts) {
      host.checkWaiters();
    }
    if (plan.supported() && violations.isEmpty()) {
      for (SimulationHost host : hosts) {
        if (!host.visible.equals(source)) {
          violations.add("after quiescing, host " + host.index + " shows " + host.visible
              + " but the backend holds " + source + " (no convergence)");
        }
      }
    }
  }

  /** The backend's values as replicated up to the checkpoint with {@code lastOpId}. */
  Map<String, Long> replicatedData(long lastOpId) {
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
  void recordPost(String user, boolean withoutUser, ClientId client, CheckpointRequestId id,
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
}
