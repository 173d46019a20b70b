package io.checkpoints.adapter.inmemory;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointTransportException;
import java.time.Duration;
import java.util.Objects;

/**
 * A fault that a {@link SimulatedCheckpointService} injects into one call (see
 * {@link SimulatedCheckpointService#injectFault}). All implementations are immutable, thread-safe
 * records.
 */
public sealed interface ServiceFault {

  /** @return a fault that fails the call with HTTP 404, as a service older than 1.24.0 does */
  static ServiceFault notSupported() {
    return new Failure(404);
  }

  /** @return a fault that fails the call with HTTP 401: the token is refused */
  static ServiceFault unauthorized() {
    return new Failure(401);
  }

  /** @return a fault that fails the call with HTTP 429: the service is overloaded */
  static ServiceFault overloaded() {
    return new Failure(429);
  }

  /**
   * @param status an HTTP status from 500 to 599
   * @return a fault that fails the call with that server error
   * @throws CheckpointArgumentException if the status is not a 5xx status
   */
  static ServiceFault serverError(int status) {
    if (status < 500 || status > 599) {
      throw new CheckpointArgumentException("a server error status must be 500..599, got " + status);
    }
    return new Failure(status);
  }

  /**
   * @param delay how long, in the service's scheduler time, the request travels before the service
   *     handles it; zero or more
   * @return a fault that delays the call
   * @throws CheckpointArgumentException if the delay is negative
   */
  static ServiceFault delay(Duration delay) {
    return new Delay(delay);
  }

  /**
   * @return a fault that lets the service accept the request (its state changes) and then loses the
   *     response, so the caller never hears the answer
   */
  static ServiceFault dropResponse() {
    return new DropResponse();
  }

  /**
   * The call fails with an HTTP status before the service looks at the request; nothing changes.
   *
   * @param status 401, 404, 429 or 500..599
   */
  record Failure(int status) implements ServiceFault {

    /**
     * @param status 401, 404, 429 or 500..599
     * @throws CheckpointArgumentException if the status is not 401, 404, 429 or 500..599
     */
    public Failure {
      if (status != 401 && status != 404 && status != 429 && (status < 500 || status > 599)) {
        throw new CheckpointArgumentException(
            "a failure status must be 401, 404, 429 or 500..599, got " + status);
      }
    }

    /** @return the exception the service throws for this status, as the HTTP server maps it back */
    CheckpointTransportException toException(ServiceCall call) {
      String what = "simulated fault on " + call + ": HTTP " + status;
      switch (status) {
        case 401:
          return new CheckpointTransportException.Unauthorized(what);
        case 404:
          return new CheckpointTransportException.NotSupported(what);
        case 429:
          return new CheckpointTransportException.Overloaded(what);
        default:
          return new CheckpointTransportException.ServerError(status, what);
      }
    }
  }

  /**
   * The request reaches the service only after {@code delay} of scheduler time; it is then handled
   * and answered as usual.
   *
   * @param delay zero or more
   */
  record Delay(Duration delay) implements ServiceFault {

    /**
     * @param delay zero or more
     * @throws CheckpointArgumentException if the delay is null or negative
     */
    public Delay {
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw new CheckpointArgumentException("a delay must not be negative, got " + delay);
      }
    }
  }

  /**
   * The service handles the request (a greater id is stored and will be acknowledged) but the
   * response is lost: the call fails with {@link CheckpointTransportException.Unreachable}, which
   * the HTTP server turns into a connection closed without an answer.
   */
  record DropResponse() implements ServiceFault {}
}
