package io.checkpoints.testkit.model;

import io.checkpoints.ports.CheckpointMode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One step of a model-based run: an operation of the client's API, a sync line, or an event of the
 * host (a local write, an upload). Actions are symbolic: {@link Value}s resolve against the most
 * recent id of the run when the action executes, on both sides alike.
 *
 * <p>{@code toString()} is the readable form printed in failure reports, one action per line.
 * All implementations are immutable and thread-safe records.
 */
public sealed interface Action {

  /**
   * @param recent the most recent id of the run when the action executes
   * @return this action with its values resolved, for traces
   */
  default String describe(long recent) {
    return toString();
  }

  /** @return simpler variants of this action to try when shrinking; each has a lower complexity */
  default List<Action> simpler() {
    return ActionShrinking.simpler(this);
  }

  /** @return a measure of how complicated this action is; shrinking only lowers it */
  default int complexity() {
    return ActionShrinking.complexity(this);
  }

  /**
   * Starts a sync iteration.
   *
   * @param mode legacy or requests
   * @param user the user behind the iteration's credentials, or empty when none is known
   */
  record Start(CheckpointMode mode, Optional<String> user) implements Action {
    /**
     * @param mode legacy or requests
     * @param user the user behind the iteration's credentials, or empty when none is known
     * @throws NullPointerException if an argument is null
     */
    public Start {
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(user, "user");
    }

    @Override
    public String toString() {
      return "start(" + mode.wireName() + user.map(u -> ", user=" + u).orElse("") + ")";
    }
  }

  /**
   * {@code seed_checkpoint_request_id} through {@code powersync_control}.
   *
   * @param payload the payload
   */
  record Seed(Value payload) implements Action {
    /**
     * @param payload the payload
     * @throws NullPointerException if the payload is null
     */
    public Seed {
      Objects.requireNonNull(payload, "payload");
    }

    @Override
    public String toString() {
      return "seed(" + payload + ")";
    }

    @Override
    public String describe(long recent) {
      return "seed(" + payload.describe(recent) + ")";
    }
  }

  /** {@code next_checkpoint_request_id}. */
  record Next() implements Action {
    @Override
    public String toString() {
      return "next()";
    }
  }

  /** {@code current_checkpoint_request_id}. */
  record Current() implements Action {
    @Override
    public String toString() {
      return "current()";
    }
  }

  /** The first step after an upload batch: allocate an id for the write checkpoint. */
  record AllocateForUpload() implements Action {
    @Override
    public String toString() {
      return "allocateForUpload()";
    }
  }

  /**
   * The service accepted the last allocated id: adopt what it returned as the target (only if the
   * target is still {@code MAX} and no write came in since the allocation).
   *
   * @param delta how much more than the allocated id the service returned
   * @param max whether the service returned {@code MAX} instead
   */
  record TargetAcceptedRequest(long delta, boolean max) implements Action {
    @Override
    public String toString() {
      return "targetAcceptedRequest(" + (max ? "MAX" : delta == 0 ? "allocated" : "allocated+" + delta)
          + ")";
    }
  }

  /**
   * {@code target_checkpoint_request_id} through {@code powersync_control}: read (null), delete
   * (0) or set.
   *
   * @param payload the payload
   */
  record Target(Value payload) implements Action {
    /**
     * @param payload the payload
     * @throws NullPointerException if the payload is null
     */
    public Target {
      Objects.requireNonNull(payload, "payload");
    }

    @Override
    public String toString() {
      return "target(" + payload + ")";
    }

    @Override
    public String describe(long recent) {
      return "target(" + payload.describe(recent) + ")";
    }
  }

  /**
   * A local write enters the upload queue.
   *
   * @param insertOnly whether the table is insert-only (the write does not arm the gate)
   */
  record Write(boolean insertOnly) implements Action {
    @Override
    public String toString() {
      return insertOnly ? "localWrite(insert-only)" : "localWrite()";
    }
  }

  /**
   * The oldest queued writes were uploaded and leave the queue.
   *
   * @param count how many; negative for all
   */
  record UploadDone(int count) implements Action {
    @Override
    public String toString() {
      return count < 0 ? "uploadDone(all)" : "uploadDone(oldest " + count + ")";
    }
  }

  /**
   * A {@code checkpoint} line.
   *
   * @param lastOpId its {@code last_op_id}
   * @param writeCheckpoint its {@code write_checkpoint}; {@link Value.Absent} when omitted
   */
  record CheckpointLine(String lastOpId, Value writeCheckpoint) implements Action {
    /**
     * @param lastOpId its {@code last_op_id}
     * @param writeCheckpoint its {@code write_checkpoint}; {@link Value.Absent} when omitted
     * @throws NullPointerException if an argument is null
     */
    public CheckpointLine {
      Objects.requireNonNull(lastOpId, "lastOpId");
      Objects.requireNonNull(writeCheckpoint, "writeCheckpoint");
    }

    @Override
    public String toString() {
      return "line checkpoint(op=" + lastOpId + ", wc=" + writeCheckpoint + ")";
    }

    @Override
    public String describe(long recent) {
      return "line checkpoint(op=" + lastOpId + ", wc=" + writeCheckpoint.describe(recent) + ")";
    }
  }

  /**
   * A {@code checkpoint_diff} line.
   *
   * @param lastOpId its {@code last_op_id}
   * @param writeCheckpoint its {@code write_checkpoint}; {@link Value.Absent} when omitted
   */
  record CheckpointDiffLine(String lastOpId, Value writeCheckpoint) implements Action {
    /**
     * @param lastOpId its {@code last_op_id}
     * @param writeCheckpoint its {@code write_checkpoint}; {@link Value.Absent} when omitted
     * @throws NullPointerException if an argument is null
     */
    public CheckpointDiffLine {
      Objects.requireNonNull(lastOpId, "lastOpId");
      Objects.requireNonNull(writeCheckpoint, "writeCheckpoint");
    }

    @Override
    public String toString() {
      return "line checkpoint_diff(op=" + lastOpId + ", wc=" + writeCheckpoint + ")";
    }

    @Override
    public String describe(long recent) {
      return "line checkpoint_diff(op=" + lastOpId + ", wc=" + writeCheckpoint.describe(recent) + ")";
    }
  }

  /**
   * A {@code checkpoint_complete} line: the current checkpoint validated.
   *
   * @param lastOpId the {@code last_op_id} as sent (a different one still completes the current
   *     checkpoint)
   */
  record CheckpointCompleteLine(String lastOpId) implements Action {
    /**
     * @param lastOpId the {@code last_op_id} as sent (a different one still completes the current
     *     checkpoint)
     * @throws NullPointerException if the id is null
     */
    public CheckpointCompleteLine {
      Objects.requireNonNull(lastOpId, "lastOpId");
    }

    @Override
    public String toString() {
      return "line checkpoint_complete(op=" + lastOpId + ")";
    }
  }

  /**
   * A {@code partial_checkpoint_complete} line.
   *
   * @param lastOpId its {@code last_op_id}
   * @param priority the bucket priority, 0 or more
   */
  record PartialCompleteLine(String lastOpId, int priority) implements Action {
    /**
     * @param lastOpId its {@code last_op_id}
     * @param priority the bucket priority, 0 or more
     * @throws NullPointerException if the id is null
     */
    public PartialCompleteLine {
      Objects.requireNonNull(lastOpId, "lastOpId");
    }

    @Override
    public String toString() {
      return "line partial_checkpoint_complete(op=" + lastOpId + ", priority=" + priority + ")";
    }
  }

  /**
   * A {@code token_expires_in} line.
   *
   * @param seconds seconds until the token expires; {@code <= 0} closes the stream
   */
  record TokenExpiresLine(long seconds) implements Action {
    @Override
    public String toString() {
      return "line token_expires_in(" + seconds + ")";
    }
  }

  /**
   * A line of another type (for example {@code data}): it reports nothing.
   *
   * @param type the line's type
   */
  record OtherLine(String type) implements Action {
    /**
     * @param type the line's type
     * @throws NullPointerException if the type is null
     */
    public OtherLine {
      Objects.requireNonNull(type, "type");
    }

    @Override
    public String toString() {
      return "line " + type;
    }
  }

  /** {@code completed_upload}: every queued write was uploaded. */
  record CompletedUpload() implements Action {
    @Override
    public String toString() {
      return "completedUpload()";
    }
  }

  /** {@code stop}: ends the active iteration, if any. */
  record Stop() implements Action {
    @Override
    public String toString() {
      return "stop()";
    }
  }

  /**
   * {@code powersync_clear(flags)}.
   *
   * @param flags the flag bits; {@code 0x02} is a soft clear
   */
  record Clear(int flags) implements Action {
    @Override
    public String toString() {
      return "clear(0x" + Integer.toHexString(flags) + ((flags & 0x02) != 0 ? ", soft" : ", hard")
          + ")";
    }
  }

  /**
   * Waits for a full checkpoint with {@code write_checkpoint >= id} ({@code awaitApplied}).
   *
   * @param id the id to wait for
   */
  record AwaitApplied(Value id) implements Action {
    /**
     * @param id the id to wait for
     * @throws NullPointerException if the id is null
     */
    public AwaitApplied {
      Objects.requireNonNull(id, "id");
    }

    @Override
    public String toString() {
      return "awaitApplied(" + id + ")";
    }

    @Override
    public String describe(long recent) {
      return "awaitApplied(" + id.describe(recent) + ")";
    }
  }

  /**
   * Cancels the future of one earlier {@link AwaitApplied}.
   *
   * @param index which waiter, counted from the first of the run, modulo their number
   */
  record CancelWaiter(int index) implements Action {
    @Override
    public String toString() {
      return "cancelWaiter(#" + (index + 1) + ")";
    }
  }

  /** Ends the active iteration because of an error outside the sync lines ({@code abort}). */
  record Abort() implements Action {
    @Override
    public String toString() {
      return "abort()";
    }
  }

  /**
   * Fault injection: the host's publisher throws on the next publication, so that the transaction
   * recording the checkpoint rolls back and the line (or completed upload) fails.
   */
  record FailNextPublication() implements Action {
    @Override
    public String toString() {
      return "failNextPublication()";
    }
  }

  /**
   * The administrative reset of one user's sequence.
   *
   * @param user the user
   */
  record ResetUserSequence(String user) implements Action {
    /**
     * @param user the user
     * @throws NullPointerException if the user is null
     */
    public ResetUserSequence {
      Objects.requireNonNull(user, "user");
    }

    @Override
    public String toString() {
      return "resetUserSequence(" + user + ")";
    }
  }
}
