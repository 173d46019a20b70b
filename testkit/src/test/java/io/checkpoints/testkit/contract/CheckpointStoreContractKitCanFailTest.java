package io.checkpoints.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.example.PropertiesFileCheckpointStore;
import io.checkpoints.testkit.forwarding.ForwardingCheckpointStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that the rules of the store author's kit fail a store that breaks them: a store whose
 * commits never reach its file, and one whose rollbacks do, fail the durability tests, and a store whose nested call waits
 * for the outer transaction fails the nesting tests after the deadline, naming the rule, instead
 * of hanging the build.
 */
class CheckpointStoreContractKitCanFailTest {

  @TempDir Path directory;

  /**
   * A store whose commits never reach its file: the file keeps what it held when the store opened,
   * as if every commit went to a cache that is never flushed. Thread-safe as the store it wraps.
   */
  private static final class LosesCommits extends ForwardingCheckpointStore {
    private final Path file;
    private final byte[] contentAtOpen;

    LosesCommits(Path file) {
      super(PropertiesFileCheckpointStore.open(file));
      this.file = file;
      this.contentAtOpen = readAll(file);
    }

    @Override
    public void close() {
      super.close();
      try {
        Files.write(file, contentAtOpen);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static byte[] readAll(Path file) {
      try {
        return Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * A store whose rolled-back changes reach its file, though not its memory: the work of a
   * transaction that fails is run again, to its end, on a second store on the same file, as if the
   * store wrote the file before it knew the outcome. Thread-safe as the store it wraps.
   */
  private static final class RollbackReachesTheFile extends ForwardingCheckpointStore {
    private final Path file;

    RollbackReachesTheFile(Path file) {
      super(PropertiesFileCheckpointStore.open(file));
      this.file = file;
    }

    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
      try {
        return super.inTransaction(work);
      } catch (RuntimeException | Error e) {
        try (PropertiesFileCheckpointStore beside = PropertiesFileCheckpointStore.open(file)) {
          beside.inTransaction(tx -> {
            catchThrowable(() -> work.run(tx)); // the failure again, but the changes are kept
            return null;
          });
        }
        throw e;
      }
    }
  }

  /**
   * A store whose nested call does not join the outer transaction: every call waits for one
   * permit, which the outer call holds, and no interrupt ends the wait. Thread-safe.
   */
  private static final class NestingBlocks extends ForwardingCheckpointStore {
    final Semaphore permit = new Semaphore(1);

    NestingBlocks() {
      super(InMemoryCheckpointStore.create());
    }

    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
      permit.acquireUninterruptibly();
      try {
        return super.inTransaction(work);
      } finally {
        permit.release();
      }
    }
  }

  private CheckpointStoreContract losingCommits() {
    Path file = directory.resolve("loses-commits.properties");
    return durableContract(() -> new LosesCommits(file));
  }

  @Test
  @DisplayName("a store whose commits never reach its file fails the durability tests")
  void lostCommitsFailDurability() {
    for (CheckpointStoreContract.Change change : CheckpointStoreContract.Change.values()) {
      Throwable failure = catchThrowable(() -> losingCommits().committedChangeSurvivesAReopen(change));
      assertThat(failure).as("%s committed, then lost", change).isInstanceOf(AssertionError.class)
          .hasMessageContaining(CheckpointStoreContract.DURABILITY_RULE);
    }
    assertThat(catchThrowable(() -> losingCommits().rolledBackChangeIsGoneAfterAReopen(
        CheckpointStoreContract.Change.SET_TARGET))).isInstanceOf(AssertionError.class);
    assertThatCode(() -> losingCommits().targetOverwrites()).as("a test without a reopen")
        .doesNotThrowAnyException();
  }

  @Test
  @DisplayName("a store whose rolled-back changes reach its file fails only the durability test")
  void rollbackReachingTheFileFailsDurability() {
    Path file = directory.resolve("rollback-reaches-the-file.properties");
    CheckpointStoreContract.Change change = CheckpointStoreContract.Change.SET_TARGET;
    Throwable failure = catchThrowable(() -> durableContract(() -> new RollbackReachesTheFile(file))
        .rolledBackChangeIsGoneAfterAReopen(change));
    assertThat(failure).isInstanceOf(AssertionError.class).hasMessageContaining("state after rolling back");
    assertThatCode(() -> durableContract(() -> new RollbackReachesTheFile(file))
        .exceptionRollsBackAndIsRethrownUnchanged(change, CheckpointStoreContract.Failure.RUNTIME_EXCEPTION))
        .as("without a reopen the rollback looks right").doesNotThrowAnyException();
  }

  private static CheckpointStoreContract durableContract(Supplier<CheckpointStore> stores) {
    CheckpointStoreContract contract = new CheckpointStoreContract() {
      @Override
      protected CheckpointStore newStore() {
        return stores.get();
      }

      @Override
      protected Optional<CheckpointStore> reopen() {
        return Optional.of(stores.get());
      }
    };
    contract.createStore();
    return contract;
  }

  @Test
  @DisplayName("a store without a reopen hook is checked by no durability test")
  void withoutReopenTheDurabilityTestsCheckNothing() {
    ContractProbe.assertPasses(InMemoryCheckpointStore::create,
        contract -> contract.committedChangeSurvivesAReopen(CheckpointStoreContract.Change.CLEAR));
  }

  @Test
  @DisplayName("a nested call that waits for the outer transaction fails after the deadline, naming the rule")
  void nestingThatBlocksFailsFast() {
    NestingBlocks blocking = new NestingBlocks();
    CheckpointStoreContract contract = new CheckpointStoreContract() {
      @Override
      protected CheckpointStore newStore() {
        return blocking;
      }

      @Override
      protected Duration blockingDeadline() {
        return Duration.ofMillis(300);
      }
    };
    contract.createStore();
    Throwable failure = catchThrowable(contract::nestedTransactionJoinsTheOuter);
    blocking.permit.release(); // lets the blocked test thread finish
    assertThat(failure).isInstanceOf(AssertionError.class)
        .hasMessageContaining(CheckpointStoreContract.NESTING_RULE)
        .hasMessageContaining("did not end within PT0.3S");
    assertThat(failure.getCause()).as("where the store blocks").isNotNull();
    assertThat(failure.getCause().getStackTrace()).as("the blocked thread's stack").isNotEmpty();
  }

  @Test
  @DisplayName("the nesting tests pass on a store whose nested calls join, within the deadline")
  void joiningStorePassesTheNestingTests() {
    ContractProbe.assertPasses(InMemoryCheckpointStore::create, CheckpointStoreContract::nestedTransactionJoinsTheOuter);
    ContractProbe.assertPasses(InMemoryCheckpointStore::create, CheckpointStoreContract::nestedCallbacksRunAtTheOuterEnd);
  }
}
