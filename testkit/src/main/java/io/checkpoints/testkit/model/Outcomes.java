package io.checkpoints.testkit.model;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.SyncProtocolException;
import java.util.List;
import java.util.Optional;

/**
 * The common text form of what an action led to, so that the domain's result and the model's
 * prediction compare as strings. Only formatting lives here; each side computes its values itself.
 * Stateless and thread-safe.
 */
final class Outcomes {

  static final String OK = "ok";
  static final String QUEUED = "queued";
  static final String NO_ALLOCATION = "no allocation";
  static final String NO_REQUEST = "no request";
  static final String PUBLISHER_ERROR = "error: publisher failed";
  static final String NO_WAITER = "no waiter";
  static final String WAITER_PENDING = "pending";
  static final String WAITER_CANCELLED = "cancelled";

  private Outcomes() {}

  static String id(long id) {
    return "id " + id;
  }

  static String current(Optional<Long> counter) {
    return counter.map(Outcomes::id).orElse("absent");
  }

  static String previous(Optional<Long> target) {
    return "previous " + target.map(String::valueOf).orElse("absent");
  }

  static String request(long id) {
    return "request " + id;
  }

  static String adopted(boolean adopted) {
    return adopted ? "adopted" : "not adopted";
  }

  static String existed(boolean existed) {
    return existed ? "had a sequence" : "had no sequence";
  }

  static String applied(Optional<Long> writeCheckpoint) {
    return "applied(" + writeCheckpoint.map(String::valueOf).orElse("none") + ")";
  }

  static String held() {
    return "held";
  }

  static String partialApplied(int priority) {
    return "partial_applied(" + priority + ")";
  }

  static String closed() {
    return "closed";
  }

  static String lines(List<String> outcomes) {
    return outcomes.toString();
  }

  static String waiter(int number) {
    return "waiter #" + number;
  }

  static String waiterApplied(long writeCheckpoint) {
    return "done(" + writeCheckpoint + ")";
  }

  static String waiterFailed(String kind) {
    return "failed(" + kind + ")";
  }

  static String argumentError() {
    return "error: argument";
  }

  static String stateError(CheckpointStateException.Reason reason) {
    return "error: state " + reason;
  }

  static String protocolError() {
    return "error: protocol";
  }

  /** @return the outcome text of an exception the domain threw */
  static String error(RuntimeException e) {
    if (e instanceof CheckpointArgumentException) {
      return argumentError();
    }
    if (e instanceof CheckpointStateException state) {
      return stateError(state.reason());
    }
    if (e instanceof SyncProtocolException) {
      return protocolError();
    }
    return "error: unexpected " + e.getClass().getName() + ": " + e.getMessage();
  }

  static boolean isError(String outcome) {
    return outcome.startsWith("error:");
  }
}
