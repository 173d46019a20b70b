package io.checkpoints.testkit.replay;

import java.util.List;
import java.util.Objects;

/**
 * What running a replay script came to. Immutable and thread-safe.
 *
 * @param events how many events (non-blank script lines) ran, each printing one line
 * @param errorLines how many of the printed lines were error lines, script errors included
 * @param scriptErrors the script lines that were not events, in order; copied
 */
public record ReplayResult(int events, int errorLines, List<ScriptError> scriptErrors) {

  /**
   * @param events how many events (non-blank script lines) ran, each printing one line
   * @param errorLines how many of the printed lines were error lines, script errors included
   * @param scriptErrors the script lines that were not events, in order; copied
   * @throws NullPointerException if {@code scriptErrors} is null
   */
  public ReplayResult {
    scriptErrors = List.copyOf(Objects.requireNonNull(scriptErrors, "scriptErrors"));
  }

  /**
   * @return whether every script line was an event; error lines printed by the events themselves
   *     (argument, state, protocol, storage) do not make a script malformed
   */
  public boolean wellFormed() {
    return scriptErrors.isEmpty();
  }

  /**
   * A script line that is not an event. Immutable and thread-safe.
   *
   * @param lineNumber the line's number in the script, from 1
   * @param message what is wrong with it
   */
  public record ScriptError(int lineNumber, String message) {
    /**
     * @param lineNumber the line's number in the script, from 1
     * @param message what is wrong with it
     * @throws NullPointerException if {@code message} is null
     */
    public ScriptError {
      Objects.requireNonNull(message, "message");
    }
  }
}
