package io.checkpoints.testkit.model;

import io.checkpoints.domain.LineOutcome;
import io.checkpoints.domain.SyncClient;
import io.checkpoints.domain.UploadCheckpointAllocation;
import io.checkpoints.ports.CheckpointPublication;
import io.checkpoints.ports.CheckpointPublisher;
import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.ClearFlags;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.LocalWrite;
import io.checkpoints.ports.SyncLine;
import io.checkpoints.ports.SyncStatusSnapshot;
import io.checkpoints.ports.UserKey;
import io.checkpoints.ports.WriteCheckpoint;
import io.checkpoints.testkit.support.ManualScheduler;
import io.checkpoints.testkit.support.WaiterLedger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The real side of a run: a {@link SyncClient} on a store, driven by actions, with a publisher that
 * records every publication together with the gate's inputs as the publishing transaction saw
 * them. Not thread-safe: one instance per run.
 */
final class DomainHarness {

  /** A publication and the state that the transaction publishing it saw. */
  record Publication(
      CheckpointPublication publication,
      long queueSize,
      Optional<CheckpointRequestId> target,
      Optional<WriteCheckpoint> lastSeen,
      Optional<WriteCheckpoint> lastApplied) {}

  /** The store-level view that the invariants need besides the {@link Observation}. */
  record StoreView(
      Observation observation, long lastSequence, ClientId clientId, SyncStatusSnapshot status) {}

  /** The keys of {@link ModelRunner#USERS}, in the same order. */
  private static final List<UserKey> USER_KEYS =
      ModelRunner.USERS.stream().map(UserKey::forUserId).toList();

  final CheckpointStore store;
  final SyncClient client;
  final ClientId clientId;
  private final List<Publication> publications = new ArrayList<>();
  private final List<LineOutcome.Applied> appliedEvents = new ArrayList<>();
  private final List<SyncStatusSnapshot> statusEvents = new ArrayList<>();
  private final Deque<Long> queued = new ArrayDeque<>();
  private UploadCheckpointAllocation allocation;
  private List<LineOutcome> lastLineOutcomes = List.of();
  private Optional<Long> lastQueuedSequence = Optional.empty();
  private Optional<CheckpointRequest> lastRequest = Optional.empty();
  private int rows;
  private final List<CompletableFuture<WriteCheckpoint>> waiters = new ArrayList<>();
  private final List<Long> waiterIds = new ArrayList<>();
  private boolean publisherFails;
  /** Waiter soundness, from what this harness did and saw (not from the client's epochs). */
  private final WaiterLedger ledger = new WaiterLedger();
  /** The epoch as this harness counts it: the user of its last start, the clears it ran. */
  private WaiterLedger.Epoch epoch = WaiterLedger.Epoch.FIRST;
  private long connections;
  /** The number of the active iteration, 0 when none is active. */
  private long connection;
  /** Waiter futures that completed during the current action: settled into the ledger after it. */
  private final List<Runnable> waiterEvents = new ArrayList<>();
  private int ledgerViolationsSeen;

  DomainHarness(CheckpointStore store) {
    this.store = store;
    CheckpointPublisher recorder = this::record;
    this.client = SyncClient.builder(store).publisher(recorder).scheduler(ManualScheduler.create()).build();
    this.clientId = store.inTransaction(tx -> tx.state().clientId());
    client.status().addAppliedListener(appliedEvents::add);
    client.status().addStatusListener(statusEvents::add);
  }

  /** @return the applied events since the last call, and forgets them */
  List<LineOutcome.Applied> drainAppliedEvents() {
    List<LineOutcome.Applied> drained = List.copyOf(appliedEvents);
    appliedEvents.clear();
    return drained;
  }

  /** @return the status changes reported since the last call, and forgets them */
  List<SyncStatusSnapshot> drainStatusEvents() {
    List<SyncStatusSnapshot> drained = List.copyOf(statusEvents);
    statusEvents.clear();
    return drained;
  }

  /** What the publisher throws when a failure was injected. */
  static final class InjectedPublisherFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedPublisherFailure() {
      super("injected publisher failure", null, false, false);
    }
  }

  private void record(CheckpointPublication publication, CheckpointTransaction tx) {
    if (publisherFails) {
      publisherFails = false;
      throw new InjectedPublisherFailure();
    }
    if (publication.isFull()) {
      // Recorded inside the publishing transaction, so before anything its commit completes; the
      // in-memory stores commit a transaction whose publisher returned.
      ledger.applied(publication.writeCheckpoint().map(WriteCheckpoint::value), epoch, connection);
    }
    publications.add(new Publication(publication, tx.uploadQueue().size(), tx.state().target(),
        tx.state().lastSeen(), tx.state().lastApplied()));
  }

  /** @return the publications since the last call, and forgets them */
  List<Publication> drainPublications() {
    List<Publication> drained = List.copyOf(publications);
    publications.clear();
    return drained;
  }

  /** @return what the last line or completed upload returned; empty after any other action */
  List<LineOutcome> lastLineOutcomes() {
    return lastLineOutcomes;
  }

  /** @return the sequence number the last local write got, if the last action was one */
  Optional<Long> lastQueuedSequence() {
    return lastQueuedSequence;
  }

  /** @return the initial request the last start returned, if the last action was one */
  Optional<CheckpointRequest> lastRequest() {
    return lastRequest;
  }

  String apply(Action action, long recent) {
    lastLineOutcomes = List.of();
    lastQueuedSequence = Optional.empty();
    lastRequest = Optional.empty();
    String outcome;
    try {
      outcome = dispatch(action, recent);
    } catch (InjectedPublisherFailure e) {
      outcome = Outcomes.PUBLISHER_ERROR;
    } catch (RuntimeException e) {
      outcome = Outcomes.error(e);
    }
    followEpoch(action, outcome);
    List<Runnable> events = new ArrayList<>(waiterEvents);
    waiterEvents.clear();
    events.forEach(Runnable::run);
    ledger.checkPending();
    return outcome;
  }

  /** The harness's own epoch and connection count, after an action. */
  private void followEpoch(Action action, String outcome) {
    if (!Outcomes.isError(outcome)) {
      if (action instanceof Action.Start start) {
        epoch = epoch.forUser(start.user());
        connection = ++connections;
      } else if (action instanceof Action.Clear) {
        epoch = epoch.afterClear();
      }
      ledger.enter(epoch);
    }
    if (!client.isIterationActive()) {
      connection = 0;
    }
  }

  /** @return the waiter-soundness violations found since the last call */
  List<String> newWaiterViolations() {
    List<String> all = ledger.violations();
    List<String> fresh = all.subList(ledgerViolationsSeen, all.size());
    ledgerViolationsSeen = all.size();
    return List.copyOf(fresh);
  }

  private String dispatch(Action action, long recent) {
    if (action instanceof Action.Start start) {
      Optional<CheckpointRequest> request = start.user().isPresent()
          ? client.start(start.mode(), USER_KEYS.get(ModelRunner.USERS.indexOf(start.user().get())))
          : client.start(start.mode());
      lastRequest = request;
      return request.map(r -> Outcomes.request(r.id().value())).orElse(Outcomes.NO_REQUEST);
    }
    if (action instanceof Action.Seed seed) {
      return Outcomes.id(client.control().seed(seed.payload().payload(recent)).value());
    }
    if (action instanceof Action.Next) {
      return Outcomes.id(client.control().next().value());
    }
    if (action instanceof Action.Current) {
      return Outcomes.current(client.control().current().map(CheckpointRequestId::value));
    }
    if (action instanceof Action.AllocateForUpload) {
      UploadCheckpointAllocation allocated = client.sequence().allocateForUpload();
      allocation = allocated;
      return Outcomes.id(allocated.id().value());
    }
    if (action instanceof Action.TargetAcceptedRequest accepted) {
      if (allocation == null) {
        return Outcomes.NO_ALLOCATION;
      }
      long id = allocation.id().value();
      long value = accepted.max() ? Long.MAX_VALUE
          : id > Long.MAX_VALUE - accepted.delta() ? Long.MAX_VALUE : id + accepted.delta();
      return Outcomes.adopted(
          client.barrier().targetAcceptedRequest(allocation, CheckpointRequestId.of(value)));
    }
    if (action instanceof Action.Target target) {
      return Outcomes.previous(
          client.control().target(target.payload().payload(recent)).map(CheckpointRequestId::value));
    }
    if (action instanceof Action.Write write) {
      LocalWrite local = LocalWrite.put("items", "row-" + ++rows, "{\"n\":" + rows + "}");
      long sequence = client.barrier().recordLocalWrite(write.insertOnly() ? local.asInsertOnly() : local);
      queued.addLast(sequence);
      lastQueuedSequence = Optional.of(sequence);
      return Outcomes.QUEUED;
    }
    if (action instanceof Action.UploadDone upload) {
      long through;
      if (upload.count() < 0 || upload.count() >= queued.size()) {
        through = Long.MAX_VALUE;
        queued.clear();
      } else if (upload.count() == 0) {
        through = 0;
      } else {
        through = 0;
        for (int i = 0; i < upload.count(); i++) {
          through = queued.removeFirst();
        }
      }
      // The replay runner's "uploads done": the store port, as the SQL surface does it.
      long uploaded = through;
      store.inTransaction(tx -> {
        tx.uploadQueue().removeThrough(uploaded);
        return null;
      });
      return Outcomes.OK;
    }
    if (action instanceof Action.CompletedUpload) {
      return lines(client.completedUpload());
    }
    if (action instanceof Action.Stop) {
      client.stop();
      return Outcomes.OK;
    }
    if (action instanceof Action.Clear clear) {
      client.clear(ClearFlags.of(clear.flags()));
      queued.clear();
      return Outcomes.OK;
    }
    if (action instanceof Action.Abort) {
      client.abort(new IllegalStateException("upload failed (injected by the model test)"));
      return Outcomes.OK;
    }
    if (action instanceof Action.AwaitApplied await) {
      long id = await.id().number(recent).orElseThrow();
      CompletableFuture<WriteCheckpoint> waiter = client.status().awaitApplied(CheckpointRequestId.of(id));
      waiters.add(waiter);
      waiterIds.add(id);
      int entry = ledger.opened(WaiterLedger.Kind.STATUS_WAITER, "waiter #" + waiters.size(), id, epoch,
          connection);
      waiter.whenComplete((value, error) -> waiterEvents.add(() -> {
        if (error == null) {
          ledger.completed(entry, value.value());
        } else {
          ledger.failed(entry, failureName(error));
        }
      }));
      return Outcomes.waiter(waiters.size());
    }
    if (action instanceof Action.CancelWaiter cancel) {
      if (waiters.isEmpty()) {
        return Outcomes.NO_WAITER;
      }
      waiters.get(cancel.index() % waiters.size()).cancel(false);
      return Outcomes.OK;
    }
    if (action instanceof Action.FailNextPublication) {
      publisherFails = true;
      return Outcomes.OK;
    }
    if (action instanceof Action.ResetUserSequence reset) {
      return Outcomes.existed(client.sequence().resetUserSequence(UserKey.forUserId(reset.user())));
    }
    return lines(client.handleLine(syncLine(action, recent)));
  }

  private String lines(List<LineOutcome> outcomes) {
    lastLineOutcomes = List.copyOf(outcomes);
    List<String> texts = new ArrayList<>();
    for (LineOutcome outcome : outcomes) {
      if (outcome instanceof LineOutcome.Applied applied) {
        texts.add(Outcomes.applied(applied.writeCheckpoint().map(WriteCheckpoint::value)));
      } else if (outcome instanceof LineOutcome.Held) {
        texts.add(Outcomes.held());
      } else if (outcome instanceof LineOutcome.PartialApplied partial) {
        texts.add(Outcomes.partialApplied(partial.priority()));
      } else if (outcome instanceof LineOutcome.Closed) {
        texts.add(Outcomes.closed());
      } else {
        texts.add("unknown outcome " + outcome);
      }
    }
    return Outcomes.lines(texts);
  }

  private static SyncLine syncLine(Action action, long recent) {
    if (action instanceof Action.CheckpointLine line) {
      return new SyncLine.Checkpoint(line.lastOpId(), line.writeCheckpoint().writeCheckpoint(recent));
    }
    if (action instanceof Action.CheckpointDiffLine line) {
      return new SyncLine.CheckpointDiff(line.lastOpId(), line.writeCheckpoint().writeCheckpoint(recent));
    }
    if (action instanceof Action.CheckpointCompleteLine line) {
      return new SyncLine.CheckpointComplete(line.lastOpId());
    }
    if (action instanceof Action.PartialCompleteLine line) {
      return new SyncLine.PartialCheckpointComplete(line.lastOpId(), line.priority());
    }
    if (action instanceof Action.TokenExpiresLine line) {
      return new SyncLine.TokenExpiresIn(line.seconds());
    }
    if (action instanceof Action.OtherLine line) {
      return new SyncLine.Other(line.type());
    }
    throw new IllegalArgumentException("not a sync line: " + action);
  }

  private static String state(CompletableFuture<WriteCheckpoint> waiter) {
    if (!waiter.isDone()) {
      return Outcomes.WAITER_PENDING;
    }
    if (waiter.isCancelled()) {
      return Outcomes.WAITER_CANCELLED;
    }
    Throwable failure = waiter.handle((value, error) -> error).join();
    if (failure == null) {
      return Outcomes.waiterApplied(waiter.join().value());
    }
    return Outcomes.waiterFailed(failureName(failure));
  }

  /** @return the simple class name of the failure, or {@code "cancelled"} */
  static String failureName(Throwable failure) {
    if (failure instanceof CompletionException && failure.getCause() != null) {
      failure = failure.getCause();
    }
    return failure instanceof java.util.concurrent.CancellationException
        ? "cancelled" : failure.getClass().getSimpleName();
  }

  /**
   * Reads everything the runner compares and checks: the client's state first, then the store's in
   * one transaction (the client's lock is never taken inside the store's).
   */
  StoreView observe() {
    boolean iterationActive = client.isIterationActive();
    List<String> waiterStates = new ArrayList<>();
    for (int i = 0; i < waiters.size(); i++) {
      waiterStates.add("#" + (i + 1) + " id=" + waiterIds.get(i) + " " + state(waiters.get(i)));
    }
    long pendingWaiters = client.status().waiterCount();
    Optional<String> pending = client.barrier().pendingCheckpointLastOpId();
    SyncStatusSnapshot status = client.status().snapshot();
    return store.inTransaction(tx -> {
      TreeMap<String, Long> users = new TreeMap<>();
      for (int i = 0; i < ModelRunner.USERS.size(); i++) {
        String user = ModelRunner.USERS.get(i);
        tx.userSequences().highest(USER_KEYS.get(i)).ifPresent(id -> users.put(user, id.value()));
      }
      Observation observation = new Observation(
          tx.state().target().map(CheckpointRequestId::value),
          tx.state().lastRequested().map(CheckpointRequestId::value),
          tx.state().lastSeen().map(WriteCheckpoint::value),
          tx.state().lastApplied().map(WriteCheckpoint::value),
          tx.uploadQueue().size(),
          users,
          tx.userSequences().count(),
          iterationActive,
          pending,
          status.connected(),
          status.connecting(),
          status.lastAppliedCheckpointRequestId().map(WriteCheckpoint::value),
          waiterStates,
          pendingWaiters);
      if (tx.uploadQueue().isEmpty() != (tx.uploadQueue().size() == 0)) {
        throw new IllegalStateException("the store says the queue is "
            + (tx.uploadQueue().isEmpty() ? "empty" : "not empty") + " but holds "
            + tx.uploadQueue().size() + " writes");
      }
      return new StoreView(observation, tx.uploadQueue().lastSequence(), tx.state().clientId(),
          status);
    });
  }
}
