package io.checkpoints.testkit.contract;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointStore;
import java.util.function.Supplier;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * Runs single tests of the contract on a store outside JUnit's discovery, to prove that a test
 * catches a defect and passes where the defect does not matter. Stateless; each contract it
 * returns is for one test's use on one thread.
 */
final class ContractProbe {

  private ContractProbe() {}

  /**
   * @param stores supplies the store under test
   * @return the contract on that store, its store created, its tests callable one by one
   */
  static CheckpointStoreContract contractOn(Supplier<? extends CheckpointStore> stores) {
    CheckpointStoreContract contract = new CheckpointStoreContract() {
      @Override
      protected CheckpointStore newStore() {
        return stores.get();
      }
    };
    contract.createStore();
    return contract;
  }

  /** Asserts that {@code test} fails on the store with {@code defect}. */
  static void assertCatches(Object defect, Supplier<? extends CheckpointStore> stores,
      ThrowingConsumer<CheckpointStoreContract> test) {
    assertThatThrownBy(() -> test.accept(contractOn(stores)))
        .as("the contract catches %s", defect).isInstanceOf(AssertionError.class);
  }

  /** Asserts that {@code test} passes on the store: the defect is not what it checks. */
  static void assertPasses(Supplier<? extends CheckpointStore> stores,
      ThrowingConsumer<CheckpointStoreContract> test) {
    assertThatCode(() -> test.accept(contractOn(stores))).doesNotThrowAnyException();
  }
}
