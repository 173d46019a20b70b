package io.checkpoints.adapter.inmemory;

import io.checkpoints.ports.CheckpointRequest;
import io.checkpoints.ports.CheckpointRequestId;
import io.checkpoints.ports.CheckpointRequestTransport;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.ClientId;
import io.checkpoints.ports.Credentials;
import io.checkpoints.ports.WriteCheckpoint;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The client side of {@link SimulatedCheckpointService#transport}: a transport that talks to the
 * service in process, without sockets, with the semantics of the HTTP transport (see there).
 * Thread-safe and non-blocking: it keeps no state of its own.
 */
final class InProcessCheckpointTransport implements CheckpointRequestTransport {
  private final SimulatedCheckpointService service;
  private final Credentials credentials;
  private final Function<String, String> userIdOfToken;

  InProcessCheckpointTransport(SimulatedCheckpointService service, Credentials credentials,
      Function<String, String> userIdOfToken) {
    this.service = service;
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.userIdOfToken = Objects.requireNonNull(userIdOfToken, "userIdOfToken");
  }

  @Override
  public CompletableFuture<CheckpointRequestId> postCheckpointRequest(CheckpointRequest request) {
    Objects.requireNonNull(request, "request");
    return asUser(user -> service.acceptCheckpointRequestAsync(user, request));
  }

  @Override
  public CompletableFuture<WriteCheckpoint> fetchLegacyWriteCheckpoint(ClientId clientId) {
    Objects.requireNonNull(clientId, "clientId");
    return asUser(user -> service.legacyWriteCheckpointAsync(user, clientId));
  }

  private <T> CompletableFuture<T> asUser(Function<String, CompletableFuture<T>> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    // No token was refused, so the credentials are not invalidated (as over HTTP).
    credentials.requireToken("the simulated service").whenComplete((value, failure) -> {
      if (failure != null) {
        result.completeExceptionally(unwrap(failure));
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

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
