package io.checkpoints.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.ports.CheckpointTransaction;
import io.checkpoints.ports.QueuedWrite;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract of the storage ports ({@link CheckpointStore} and the views of
 * {@link CheckpointTransaction}) that every storage adapter passes.
 *
 * <p>An adapter's test extends this class and supplies a fresh, empty store:
 *
 * <pre>{@code
 * class InMemoryCheckpointStoreContractTest extends CheckpointStoreContract {
 *   @Override
 *   protected CheckpointStore newStore() {
 *     return InMemoryCheckpointStore.create();
 *   }
 * }
 * }</pre>
 *
 * <p>It covers absent and present values of every key; setting, overwriting and deleting the
 * target, the counter, last seen (any signed 64-bit value) and last applied; a stable client id;
 * the upload queue, its sequence numbers and its reads ({@code firstWrites}, {@code
 * firstTransaction}, rows written by SQL where the store has a JDBC connection); the refusal of data
 * that is not a JSON object, with the same message on every store; the per-user sequences;
 * {@code clear}; rollback of every kind of change on any exception; nested transactions;
 * completion callbacks, also in a caller's transaction ({@link #newCallerConnection()}); a closed
 * store; and serialised concurrent read-modify-write transactions. The optional fast paths are
 * checked as the store declares them ({@link #offersIncrementFastPath()},
 * {@link #armsGateInTheInsert()}). A durable store supplies {@link #reopen()}: the durability
 * tests then check that every kind of committed change survives a reopen and no rolled-back one
 * does. The tests that nest transactions or start one from a callback run their work on a thread of
 * their own and fail after {@link #blockingDeadline()} with the rule the store breaks (a nested
 * call that waits for the outer transaction blocks in a way no interrupt ends); every other test
 * fails after 120 s instead of hanging on a store that blocks. The rules themselves are stated on
 * {@link CheckpointStore} and {@link CheckpointTransaction}; docs/writing-a-store.md is the guide.
 *
 * <p>An adapter with a real difference from one of the few expectations listed in
 * {@link Expectation} declares it, with the reason, by overriding {@link #differences()}; the test
 * then checks the adapter's documented behaviour instead of skipping the case.
 *
 * <p>The hooks and the tests live, one topic each, in the classes this one extends
 * ({@link ContractBase}, {@link StateContract}, {@link UploadQueueContract},
 * {@link TransactionContract}, {@link CompletionCallbackContract}), so that no file holds the whole
 * suite; a store's test extends this class only, and JUnit runs the tests it inherits.
 *
 * <p>Not thread-safe: JUnit creates one instance per test method and runs it on one thread; the
 * concurrency tests start their own threads on the store only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS) // a store that blocks fails instead of hanging
public abstract class CheckpointStoreContract extends CompletionCallbackContract {

  // ---------------------------------------------------------------------------------------------
  // Durability: what committed survives a reopen, what rolled back does not

  @ParameterizedTest(name = "{0}")
  @EnumSource(Change.class)
  @DisplayName("durable stores: a committed change survives a reopen, the queue's writes and sequence numbers too")
  void committedChangeSurvivesAReopen(Change change) {
    fillEveryKey();
    update(change::apply);
    Snapshot committed = snapshot();
    List<QueuedWrite> writes = firstWrites(QUEUE_READ_LIMIT);
    if (!reopened()) {
      return;
    }
    assertThat(snapshot()).as("%s: %s committed, then the store was reopened", DURABILITY_RULE, change)
        .isEqualTo(committed);
    assertThat(firstWrites(QUEUE_READ_LIMIT)).as("%s: the queued writes", DURABILITY_RULE).isEqualTo(writes);
    long next = write(tx -> tx.uploadQueue().enqueue(put("after-reopen")));
    assertThat(next).as("%s: the first write after a reopen takes a new sequence number", DURABILITY_RULE)
        .isGreaterThan(committed.lastSequence());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Change.class)
  @DisplayName("durable stores: a rolled-back change is not there after a reopen")
  void rolledBackChangeIsGoneAfterAReopen(Change change) {
    fillEveryKey();
    Snapshot before = snapshot();
    IllegalStateException thrown = new IllegalStateException("rolls back before the reopen");
    Throwable caught = catchThrowable(() -> store.inTransaction(tx -> {
      change.apply(tx);
      throw thrown;
    }));
    assertThat(caught).as("the exception the work threw").isSameAs(thrown);
    if (!reopened()) {
      return;
    }
    assertRolledBackTo(before, change);
  }

  /**
   * Closes the store under test and reopens it through {@link #reopen()}.
   *
   * @return whether the store is durable and was reopened
   */
  private boolean reopened() {
    // Closed first, so that the reopened store can only find what reached the store's data.
    store.close();
    Optional<CheckpointStore> reopened = reopen();
    if (reopened.isEmpty()) {
      return false;
    }
    assertThat(reopened.get()).as("reopen() opens a new store").isNotSameAs(store);
    store = reopened.get();
    return true;
  }

  /**
   * A caller's connection, its own transactions, and a store joined to it. Used by one test on
   * one thread.
   */
  public interface CallerConnection extends AutoCloseable {
    /** @return the store joined to this connection */
    CheckpointStore store();

    /** Begins the caller's own transaction on the connection. */
    void begin();

    /** Commits the caller's transaction. */
    void commit();

    /** Rolls back the caller's transaction. */
    void rollback();

    /** Closes the joined store and the connection. */
    @Override
    void close();
  }

  // ---------------------------------------------------------------------------------------------
  // Expectations an adapter may declare different

  /**
   * One expectation of this contract that an adapter may really not meet, with the value this
   * contract expects. Immutable and thread-safe.
   *
   * @param <T> the type of the expected value
   */
  public static final class Expectation<T> {

    /**
     * A fresh store's client id is a UUID string, as a PowerSync database creates it. An adapter
     * whose fresh store takes the client id from the host declares {@code false}.
     */
    public static final Expectation<Boolean> FRESH_CLIENT_ID_IS_A_UUID = new Expectation<>(
        "FRESH_CLIENT_ID_IS_A_UUID", "a fresh store's client id is a UUID string", Boolean.TRUE);

    /**
     * A rolled-back write gives its sequence number back: after the rollback
     * {@link io.checkpoints.ports.UploadQueue#lastSequence()} is what it was before. An adapter
     * whose sequence generator is not transactional declares {@code false}; the contract then
     * still requires that the next write gets a number greater than every committed one.
     */
    public static final Expectation<Boolean> ROLLBACK_RESTORES_LAST_SEQUENCE = new Expectation<>(
        "ROLLBACK_RESTORES_LAST_SEQUENCE",
        "a rolled-back write gives its sequence number back", Boolean.TRUE);

    /**
     * What happens to the changes of a nested transaction whose exception the outer work catches
     * (the outer then commits). A nested transaction joins the outer one, so by default the
     * changes it made before failing stay; an adapter that runs nested work in a savepoint
     * declares {@link InnerFailure#DISCARDS_INNER_CHANGES}.
     */
    public static final Expectation<InnerFailure> INNER_FAILURE_CAUGHT_BY_OUTER = new Expectation<>(
        "INNER_FAILURE_CAUGHT_BY_OUTER",
        "a nested transaction's changes before a failure that the outer catches",
        InnerFailure.KEEPS_INNER_CHANGES);

    /**
     * In a caller's transaction that a store joined, the callbacks run when the caller commits or
     * rolls back. An adapter whose database offers no way to observe the caller's commit declares
     * {@code false}: it then runs them at the end of its own outermost call, as committed.
     */
    public static final Expectation<Boolean> CALLER_COMMIT_OBSERVED = new Expectation<>(
        "CALLER_COMMIT_OBSERVED",
        "completion callbacks in a caller's transaction run at the caller's commit or rollback",
        Boolean.TRUE);

    private final String name;
    private final String description;
    private final T contractValue;

    private Expectation(String name, String description, T contractValue) {
      this.name = name;
      this.description = description;
      this.contractValue = contractValue;
    }

    /** @return what this contract expects when no difference is declared */
    public T contractValue() {
      return contractValue;
    }

    /** @return what the expectation is about */
    public String description() {
      return description;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * What a nested transaction's changes become when the outer work catches its exception.
   * Immutable and thread-safe.
   */
  public enum InnerFailure {
    /** The nested work joined the outer transaction: its changes stay and commit with it. */
    KEEPS_INNER_CHANGES,
    /** The nested work ran in a savepoint that was rolled back: its changes are gone. */
    DISCARDS_INNER_CHANGES
  }

  /**
   * The expectations an adapter does not meet, each with the adapter's value and the reason.
   * Immutable and thread-safe; {@link #differ} returns a new instance.
   */
  public static final class Differences {

    private static final Differences NONE = new Differences(Map.of());

    private final Map<Expectation<?>, Difference> declared;

    private record Difference(Object value, String reason) {}

    private Differences(Map<Expectation<?>, Difference> declared) {
      this.declared = declared;
    }

    /** @return no difference: the adapter meets every expectation */
    public static Differences none() {
      return NONE;
    }

    /**
     * Declares that the adapter differs from one expectation.
     *
     * @param expectation the expectation
     * @param value what the adapter does instead
     * @param reason why: the real difference of the adapter, as its documentation says it
     * @param <T> the value type
     * @return these differences plus the new one
     * @throws IllegalArgumentException if the reason is blank, the value is the contract's own,
     *     or the expectation was already declared
     */
    public <T> Differences differ(Expectation<T> expectation, T value, String reason) {
      Objects.requireNonNull(expectation, "expectation");
      Objects.requireNonNull(value, "value");
      if (reason == null || reason.isBlank()) {
        throw new IllegalArgumentException("say why the adapter differs from " + expectation);
      }
      if (value.equals(expectation.contractValue())) {
        throw new IllegalArgumentException(expectation + " = " + value + " is the contract's own value");
      }
      if (declared.containsKey(expectation)) {
        throw new IllegalArgumentException(expectation + " is declared twice");
      }
      Map<Expectation<?>, Difference> next = new LinkedHashMap<>(declared);
      next.put(expectation, new Difference(value, reason));
      return new Differences(Map.copyOf(next));
    }

    /**
     * @param expectation an expectation
     * @param <T> its value type
     * @return the adapter's value: the declared one, or the contract's
     */
    @SuppressWarnings("unchecked")
    public <T> T value(Expectation<T> expectation) {
      Difference difference = declared.get(expectation);
      return difference == null ? expectation.contractValue() : (T) difference.value();
    }

    /**
     * @param expectation an expectation
     * @return why the adapter differs, or empty when it does not
     */
    public Optional<String> reason(Expectation<?> expectation) {
      return Optional.ofNullable(declared.get(expectation)).map(Difference::reason);
    }
  }
}
