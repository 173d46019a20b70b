package io.checkpoints.adapter.sqlite;

import static io.checkpoints.adapter.sqlite.Sql.execute;
import static io.checkpoints.adapter.sqlite.Sql.outcomeInTransaction;
import static io.checkpoints.adapter.sqlite.Sql.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.checkpoints.adapter.sqlite.Surfaces.Ours;
import io.checkpoints.adapter.sqlite.Surfaces.Surface;
import io.checkpoints.ports.CheckpointMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The checkpoint SQL functions against the reference core, computed live in the same test: every
 * payload form of the four commands in every iteration state gives the same result, result type,
 * stored value and message text. Where the reference and behaviour.md section 12 differ, both
 * sides are asserted.
 */
class SqliteControlFunctionsTest {

  /** The payload forms of the reference notes, as SQL literals. */
  static final List<String> PAYLOADS = List.of("NULL", "0", "-1", "1", "9223372036854775807",
      "5.0", "5.5", "'5'", "'+5'", "'-5'", "'-0'", "'007'", "''", "' 5'", "'5 '", "'0x5'", "'1e3'",
      "'5.0'", "'9223372036854775808'", "'-9223372036854775809'", "'abc'", "x'35'");

  private static final String COUNTER = "last_requested_checkpoint_request_id";
  private static final String TARGET = "target_checkpoint_request_id";

  enum Op {
    SEED("seed_checkpoint_request_id", COUNTER),
    NEXT("next_checkpoint_request_id", COUNTER),
    CURRENT("current_checkpoint_request_id", COUNTER),
    TARGET_OP("target_checkpoint_request_id", TARGET);

    final String sqlName;
    final String key;

    Op(String sqlName, String key) {
      this.sqlName = sqlName;
      this.key = key;
    }
  }

  enum Iteration {
    NONE(null),
    LEGACY(CheckpointMode.LEGACY),
    REQUESTS(CheckpointMode.REQUESTS);

    final CheckpointMode mode;

    Iteration(CheckpointMode mode) {
      this.mode = mode;
    }
  }

  static Stream<Arguments> everyOpInEveryIteration() {
    return Stream.of(Op.values())
        .flatMap(op -> Stream.of(Iteration.values()).map(iteration -> Arguments.of(op, iteration)));
  }

  /** The reference notes' setup of each table: an empty counter, a counter of 5, a target of 3. */
  private static void setUp(Surface surface, Op op, Iteration iteration) throws SQLException {
    Connection connection = surface.connection();
    // Each case starts from the same state: no iteration, no checkpoint key.
    surface.iteration(null);
    execute(connection, "DELETE FROM ps_kv WHERE key != 'client_id'");
    if (iteration.mode != null) {
      surface.iteration(iteration.mode);
    }
    switch (op) {
      case SEED:
        break;
      case NEXT:
        if (iteration.mode != null) {
          assertThat(outcomeInTransaction(connection,
              "SELECT powersync_control('seed_checkpoint_request_id', 5)")).isEqualTo("integer 5");
        } else {
          execute(connection, "INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('" + COUNTER + "', 5)");
        }
        break;
      case CURRENT:
        execute(connection, "INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('" + COUNTER + "', 5)");
        break;
      case TARGET_OP:
        execute(connection, "INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('" + TARGET + "', 3)");
        break;
    }
  }

  private static String run(Surface surface, Op op, Iteration iteration, String call, String payload)
      throws SQLException {
    setUp(surface, op, iteration);
    String result = outcomeInTransaction(surface.connection(), call.replace("$", payload));
    return result + " -> " + stored(surface.connection(), op.key);
  }

  /**
   * Runs {@code call} with every payload on both sides and compares the outcomes of each payload,
   * {@code rename} applied to the reference's.
   */
  private static void compareEveryPayload(Op op, Iteration iteration, String referenceCall,
      String ourCall, UnaryOperator<String> rename) throws SQLException {
    SoftAssertions softly = new SoftAssertions();
    try (Surface reference = Surfaces.reference(); Ours ours = Surfaces.ours()) {
      for (String payload : PAYLOADS) {
        String expected = rename.apply(run(reference, op, iteration, referenceCall, payload));
        softly.assertThat(run(ours, op, iteration, ourCall, payload))
            .as("%s with payload %s", ourCall, payload)
            .isEqualTo(expected);
      }
    }
    softly.assertAll();
  }

  @ParameterizedTest(name = "{0} with iteration {1}")
  @MethodSource("everyOpInEveryIteration")
  @DisplayName("powersync_control, every payload: same result, type, stored value and message as the reference")
  void controlMatchesTheReference(Op op, Iteration iteration) throws SQLException {
    String call = "SELECT powersync_control('" + op.sqlName + "', $)";
    compareEveryPayload(op, iteration, call, call, UnaryOperator.identity());
  }

  @ParameterizedTest
  @EnumSource(Iteration.class)
  @DisplayName("powersync_probe_local_target_op is target, with its own name in messages")
  void probeAliasIsTarget(Iteration iteration) throws SQLException {
    compareEveryPayload(Op.TARGET_OP, iteration,
        "SELECT powersync_control('target_checkpoint_request_id', $)",
        "SELECT powersync_probe_local_target_op($)",
        text -> text.replace(SqliteControlFunctions.CONTROL + ":", SqliteControlFunctions.TARGET_ALIAS + ":"));
  }

  @ParameterizedTest
  @EnumSource(Iteration.class)
  @DisplayName("powersync_next_checkpoint_request_id is next, with its own name in messages")
  void nextAliasIsNext(Iteration iteration) throws SQLException {
    String expected;
    try (Surface reference = Surfaces.reference()) {
      expected = run(reference, Op.NEXT, iteration,
          "SELECT powersync_control('next_checkpoint_request_id', NULL)$", "")
          .replace(SqliteControlFunctions.CONTROL + ":", SqliteControlFunctions.NEXT_ALIAS + ":");
    }
    try (Ours ours = Surfaces.ours()) {
      assertThat(run(ours, Op.NEXT, iteration, "SELECT powersync_next_checkpoint_request_id()$", ""))
          .isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("the oracle really ran: pinned cells of the reference notes")
  void pinnedCells() throws SQLException {
    try (Ours ours = Surfaces.ours()) {
      assertThat(run(ours, Op.SEED, Iteration.NONE, "SELECT powersync_control('seed_checkpoint_request_id', $)", "NULL"))
          .isEqualTo("error powersync_control: invalid state: No iteration is active -> absent");
    }
    try (Ours ours = Surfaces.ours()) {
      assertThat(run(ours, Op.SEED, Iteration.LEGACY, "SELECT powersync_control('seed_checkpoint_request_id', $)", "'-5'"))
          .isEqualTo("error powersync_control: invalid argument: checkpoint request id must be a"
              + " non-negative integer. cause: unknown -> absent");
    }
    try (Ours ours = Surfaces.ours()) {
      assertThat(run(ours, Op.TARGET_OP, Iteration.NONE, "SELECT powersync_control('target_checkpoint_request_id', $)", "5.0"))
          .isEqualTo("error powersync_control: invalid argument: target checkpoint request id must be"
              + " an integer, integer string, or null. cause: unknown -> 3 (integer)");
    }
    try (Ours ours = Surfaces.ours()) {
      assertThat(run(ours, Op.SEED, Iteration.REQUESTS, "SELECT powersync_control('seed_checkpoint_request_id', $)", "'007'"))
          .isEqualTo("integer 7 -> 7 (integer)");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "powersync_control('seed_checkpoint_request_id', 5)",
      "powersync_control('next_checkpoint_request_id', NULL)",
      "powersync_control('current_checkpoint_request_id', NULL)",
      "powersync_control('target_checkpoint_request_id', NULL)",
      "powersync_control('target_checkpoint_request_id', 7)",
      "powersync_control('no_such_op', NULL)",
      "powersync_control(NULL, NULL)"})
  @DisplayName("outside a transaction every call fails as in the reference, and changes nothing")
  void callsNeedATransaction(String call) throws SQLException {
    String expected;
    try (Surface reference = Surfaces.reference()) {
      expected = Sql.outcome(reference.connection(), "SELECT " + call);
    }
    try (Ours ours = Surfaces.ours()) {
      ours.iteration(CheckpointMode.REQUESTS);
      assertThat(Sql.outcome(ours.connection(), "SELECT " + call)).isEqualTo(expected)
          .isEqualTo("error powersync_control: This function may only be called in transactions.");
      assertThat(stored(ours.connection(), TARGET)).isEqualTo("absent");
      assertThat(stored(ours.connection(), COUNTER)).isEqualTo("absent");
    }
  }

  @Test
  @DisplayName("the aliases need a transaction too, and say so with their own names")
  void aliasesNeedATransaction() throws SQLException {
    try (Ours ours = Surfaces.ours()) {
      assertThat(Sql.outcome(ours.connection(), "SELECT powersync_next_checkpoint_request_id()"))
          .isEqualTo("error powersync_next_checkpoint_request_id: This function may only be called in transactions.");
      assertThat(Sql.outcome(ours.connection(), "SELECT powersync_probe_local_target_op(5)"))
          .isEqualTo("error powersync_probe_local_target_op: This function may only be called in transactions.");
      assertThat(stored(ours.connection(), TARGET)).isEqualTo("absent");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "powersync_control(NULL, NULL)",
      "powersync_control(5, NULL)",
      "powersync_control(x'6e657874', NULL)",
      "powersync_control('no_such_op', NULL)",
      "powersync_control('CURRENT_CHECKPOINT_REQUEST_ID', NULL)",
      "powersync_control('current_checkpoint_request_id')",
      "powersync_control('current_checkpoint_request_id', 1, 2)",
      "powersync_probe_local_target_op()",
      "powersync_next_checkpoint_request_id(1)"})
  @DisplayName("bad operations and argument counts fail with the reference's texts")
  void badOperations(String call) throws SQLException {
    String expected;
    try (Surface reference = Surfaces.reference()) {
      expected = outcomeInTransaction(reference.connection(), "SELECT " + call);
    }
    try (Ours ours = Surfaces.ours()) {
      String actual = outcomeInTransaction(ours.connection(), "SELECT " + call);
      if (call.startsWith("powersync_control")) {
        assertThat(actual).isEqualTo(expected);
      } else {
        // The reference 0.5.3 has no such functions at all; ours exist with fixed argument counts.
        assertThat(expected).startsWith("error no such function");
        assertThat(actual).startsWith("error wrong number of arguments to function");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"start", "stop", "line_text", "completed_upload"})
  @DisplayName("the sync operations are not SQL functions here: an argument error that says so")
  void syncOperationsAreNotOffered(String op) throws SQLException {
    try (Ours ours = Surfaces.ours()) {
      assertThat(outcomeInTransaction(ours.connection(), "SELECT powersync_control('" + op + "', NULL)"))
          .isEqualTo("error powersync_control: invalid argument: Operation " + op + " is not available"
              + " as an SQL function of this library; the Java API (SyncClient) drives the sync"
              + " iteration. cause: unknown");
    }
  }

  @Test
  @DisplayName("an error leaves the caller's transaction open: earlier and later statements commit")
  void errorsDoNotAbortTheCallersTransaction() throws SQLException {
    for (Surface surface : List.of(Surfaces.reference(), Surfaces.ours())) {
      try (surface) {
        Connection connection = surface.connection();
        surface.iteration(CheckpointMode.REQUESTS);
        execute(connection, "BEGIN");
        assertThat(Sql.outcome(connection, "SELECT powersync_control('target_checkpoint_request_id', 9)"))
            .isEqualTo("null");
        assertThat(Sql.outcome(connection, "SELECT powersync_control('seed_checkpoint_request_id', 0)"))
            .startsWith("error powersync_control: invalid argument:");
        assertThat(Sql.outcome(connection, "SELECT powersync_control('seed_checkpoint_request_id', 4)"))
            .isEqualTo("integer 4");
        execute(connection, "COMMIT");
        assertThat(stored(connection, TARGET)).isEqualTo("9 (integer)");
        assertThat(stored(connection, COUNTER)).isEqualTo("4 (integer)");
      }
    }
  }

  @Test
  @DisplayName("a caller's rollback undoes what the functions did")
  void callersRollbackUndoesTheCommands() throws SQLException {
    try (Ours ours = Surfaces.ours()) {
      ours.iteration(CheckpointMode.REQUESTS);
      execute(ours.connection(), "BEGIN");
      assertThat(Sql.outcome(ours.connection(), "SELECT powersync_control('seed_checkpoint_request_id', 40)"))
          .isEqualTo("integer 40");
      assertThat(Sql.outcome(ours.connection(), "SELECT powersync_next_checkpoint_request_id()"))
          .isEqualTo("integer 41");
      execute(ours.connection(), "ROLLBACK");
      assertThat(stored(ours.connection(), COUNTER)).isEqualTo("absent");
    }
  }

  @Test
  @DisplayName("deviation 12.6: next after a seed of an earlier iteration (reference 11, ours not seeded)")
  void nextNeedsASeedInThisIteration() throws SQLException {
    String call = "SELECT powersync_control('next_checkpoint_request_id', NULL)";
    for (Surface surface : List.of(Surfaces.reference(), Surfaces.ours())) {
      try (surface) {
        surface.iteration(CheckpointMode.REQUESTS);
        outcomeInTransaction(surface.connection(), "SELECT powersync_control('seed_checkpoint_request_id', 10)");
        surface.iteration(null);
        surface.iteration(CheckpointMode.REQUESTS);
        String outcome = outcomeInTransaction(surface.connection(), call);
        if (surface instanceof Ours) {
          assertThat(outcome).isEqualTo(
              "error powersync_control: invalid state: Checkpoint request state has not been seeded");
          assertThat(stored(surface.connection(), COUNTER)).isEqualTo("10 (integer)");
        } else {
          assertThat(outcome).isEqualTo("integer 11");
        }
      }
    }
  }

  @Test
  @DisplayName("deviation 12.3: next at MAX (reference stores a REAL, ours is a state error)")
  void nextAtMaxOverflows() throws SQLException {
    String call = "SELECT powersync_control('next_checkpoint_request_id', NULL)";
    for (Surface surface : List.of(Surfaces.reference(), Surfaces.ours())) {
      try (surface) {
        surface.iteration(CheckpointMode.REQUESTS);
        outcomeInTransaction(surface.connection(),
            "SELECT powersync_control('seed_checkpoint_request_id', 9223372036854775807)");
        String outcome = outcomeInTransaction(surface.connection(), call);
        if (surface instanceof Ours) {
          assertThat(outcome).startsWith("error powersync_control: invalid state: Checkpoint request id overflow");
          assertThat(stored(surface.connection(), COUNTER)).isEqualTo("9223372036854775807 (integer)");
        } else {
          assertThat(outcome).isEqualTo("integer 9223372036854775807");
          assertThat(stored(surface.connection(), COUNTER)).isEqualTo("9.2233720368547758e+18 (real)");
        }
      }
    }
  }

  @Test
  @DisplayName("the SQLite error code differs: 1 here, 3091 and 21 in the reference; the text is the same")
  void errorCodesDiffer() throws SQLException {
    String argument = "SELECT powersync_control('seed_checkpoint_request_id', 0)";
    String state = "SELECT powersync_control('seed_checkpoint_request_id', 5)";
    try (Surface reference = Surfaces.reference()) {
      assertThat(codeOf(reference.connection(), state)).isEqualTo(SQLiteErrorCode.SQLITE_MISUSE);
      reference.iteration(CheckpointMode.REQUESTS);
      assertThat(codeOf(reference.connection(), argument)).isEqualTo(SQLiteErrorCode.SQLITE_CONSTRAINT_DATATYPE);
    }
    try (Ours ours = Surfaces.ours()) {
      assertThat(codeOf(ours.connection(), state)).isEqualTo(SQLiteErrorCode.SQLITE_ERROR);
      ours.iteration(CheckpointMode.REQUESTS);
      assertThat(codeOf(ours.connection(), argument)).isEqualTo(SQLiteErrorCode.SQLITE_ERROR);
    }
  }

  private static SQLiteErrorCode codeOf(Connection connection, String sql) throws SQLException {
    execute(connection, "BEGIN");
    try (Statement statement = connection.createStatement()) {
      SQLiteException e = catchThrowableOfType(SQLiteException.class, () -> statement.executeQuery(sql));
      assertThat((Throwable) e).as("the call fails").isNotNull();
      return e.getResultCode();
    } finally {
      execute(connection, "ROLLBACK");
    }
  }
}
