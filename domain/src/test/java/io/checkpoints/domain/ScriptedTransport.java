package io.checkpoints.domain;

import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestTransport;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A transport whose calls the test answers one by one: every call is recorded with a pending
 * future that the test completes, so retries and timing can be checked step by step.
 */
final class ScriptedTransport implements CheckpointRequestTransport {

  record Call(CheckpointRequest request, CompletableFuture<CheckpointRequestId> answer) {}

  final List<CheckpointRequest> posted = new ArrayList<>();
  final Deque<Call> unanswered = new ArrayDeque<>();
  final Deque<CompletableFuture<WriteCheckpoint>> legacyCalls = new ArrayDeque<>();

  @Override
  public synchronized CompletableFuture<CheckpointRequestId> postCheckpointRequest(CheckpointRequest request) {
    posted.add(request);
    CompletableFuture<CheckpointRequestId> answer = new CompletableFuture<>();
    unanswered.add(new Call(request, answer));
    return answer;
  }

  @Override
  public synchronized CompletableFuture<WriteCheckpoint> fetchLegacyWriteCheckpoint(ClientId clientId) {
    CompletableFuture<WriteCheckpoint> answer = new CompletableFuture<>();
    legacyCalls.add(answer);
    return answer;
  }

  /** Answers the oldest unanswered post with {@code max(posted, atLeast)}, as the service would. */
  CheckpointRequestId accept(long atLeast) {
    Call call = next();
    CheckpointRequestId accepted = CheckpointRequestId.of(Math.max(call.request.id().value(), atLeast));
    call.answer.complete(accepted);
    return accepted;
  }

  CheckpointRequestId accept() {
    return accept(0);
  }

  void fail(RuntimeException failure) {
    next().answer.completeExceptionally(failure);
  }

  synchronized Call next() {
    Call call = unanswered.poll();
    if (call == null) {
      throw new AssertionError("no post is waiting for an answer; posted so far: " + posted);
    }
    return call;
  }

  synchronized List<Long> postedIds() {
    return posted.stream().map(request -> request.id().value()).toList();
  }
}
