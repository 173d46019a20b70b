package io.checkpoints.adapter.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.checkpoints.ports.CheckpointException;
import io.checkpoints.ports.CheckpointRequestRejectedException;
import io.checkpoints.ports.CheckpointTransportException;
import io.checkpoints.ports.Credentials;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * How the client side reads a failed exchange (section 10 of the behaviour): HTTP statuses and I/O
 * failures become the typed exceptions of the ports. Stateless and thread-safe.
 */
final class StatusMapping {

  private StatusMapping() {}

  /**
   * @param status a status other than 200
   * @param body the (size-limited) error body, possibly empty
   * @param what the call, for messages, for example {@code "POST /sync/checkpoint-request"}
   * @param credentials invalidated on 401
   * @return the exception for that status
   */
  static CheckpointException forStatus(int status, byte[] body, String what, Credentials credentials) {
    String prefix = what + " failed with HTTP " + status;
    if (status == 400) {
      ServiceError error = ServiceError.parse(body);
      return new CheckpointRequestRejectedException(error.code,
          prefix + (error.description.isEmpty() ? "" : ": " + error.description));
    }
    if (status == 401) {
      // The token was refused: the next token() must fetch a fresh one. Retrying is the client
      // flow's decision, not the transport's.
      credentials.invalidate();
      return new CheckpointTransportException.Unauthorized(prefix + describe(body));
    }
    if (status == 404) {
      return new CheckpointTransportException.NotSupported(prefix
          + ": the service does not support this endpoint (checkpoint requests need 1.24.0 or later)");
    }
    if (status == 429) {
      return new CheckpointTransportException.Overloaded(prefix + ": the service is overloaded");
    }
    if (status >= 500 && status <= 599) {
      return new CheckpointTransportException.ServerError(status, prefix + describe(body));
    }
    return new CheckpointTransportException.MalformedResponse(
        what + ": unexpected HTTP status " + status + describe(body), null);
  }

  private static String describe(byte[] body) {
    ServiceError error = ServiceError.parse(body);
    if (!error.description.isEmpty() || !error.code.isEmpty()) {
      return ": " + (error.code.isEmpty() ? "" : error.code + " ") + error.description;
    }
    return body.length == 0 ? "" : ": " + Json.excerpt(body);
  }

  /**
   * @param failure what the HTTP client reported, possibly wrapped
   * @param what the call, for messages
   * @return the typed exception: a {@link CheckpointException} from our own code as it is,
   *     timeouts and I/O failures as {@code Unreachable}
   */
  static CheckpointException forFailure(Throwable failure, String what) {
    Throwable cause = unwrap(failure);
    if (cause instanceof CheckpointException) {
      return (CheckpointException) cause;
    }
    if (cause instanceof HttpTimeoutException) {
      return new CheckpointTransportException.Unreachable(what + " timed out: " + cause.getMessage(),
          cause);
    }
    if (cause instanceof IOException) {
      return new CheckpointTransportException.Unreachable(what + " failed: " + cause, cause);
    }
    if (cause instanceof CancellationException) {
      return new CheckpointTransportException.Unreachable(what + " was cancelled", cause);
    }
    return new CheckpointTransportException.Unreachable(what + " failed unexpectedly: " + cause,
        cause);
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** The service's {@code {"error": {"code", "description" | "message"}}}, or empties. */
  private static final class ServiceError {
    final String code;
    final String description;

    private ServiceError(String code, String description) {
      this.code = code;
      this.description = description;
    }

    static ServiceError parse(byte[] body) {
      if (body.length == 0) {
        return new ServiceError("", "");
      }
      try {
        JsonNode error = Json.parse(body).path("error");
        String code = error.path("code").isTextual() ? error.path("code").textValue() : "";
        JsonNode text = error.path("description").isTextual()
            ? error.path("description") : error.path("message");
        return new ServiceError(code, text.isTextual() ? text.textValue() : "");
      } catch (JsonProcessingException e) {
        return new ServiceError("", Json.excerpt(body));
      }
    }
  }
}
