package io.checkpoints.testkit.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.ports.CheckpointStateException;
import io.checkpoints.ports.CheckpointStore;
import io.checkpoints.testkit.contract.CheckpointStoreContract;
import io.checkpoints.testkit.forwarding.ForwardingCheckpointStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The javadoc examples of the contract suite, the model contract and the forwarding store, compiled
 * here, with a check that the javadoc shows exactly this code (the in-memory contract test, the
 * reopen hook of the properties-file store's contract test and its model test are compiled where
 * they run).
 */
class KitJavadocExamplesTest {

  /** A contract subclass that declares a difference, as the javadoc of {@code differences()} shows. */
  static final class DeclaringContract extends CheckpointStoreContract {
    @Override
    protected CheckpointStore newStore() {
      return InMemoryCheckpointStore.create();
    }

    // docs:differences
    @Override
    protected Differences differences() {
      return Differences.none().differ(Expectation.ROLLBACK_RESTORES_LAST_SEQUENCE, false,
          "H2 sequences are not transactional: a rolled-back write still uses up its number");
    }
    // docs:end

    Differences declared() {
      return differences();
    }
  }

  @Test
  @DisplayName("the differences example declares one difference, with its reason")
  void differencesExample() {
    CheckpointStoreContract.Differences declared = new DeclaringContract().declared();
    assertThat(declared.value(CheckpointStoreContract.Expectation.ROLLBACK_RESTORES_LAST_SEQUENCE)).isFalse();
    assertThat(declared.reason(CheckpointStoreContract.Expectation.ROLLBACK_RESTORES_LAST_SEQUENCE))
        .hasValueSatisfying(reason -> assertThat(reason).contains("not transactional"));
  }

  @Test
  @DisplayName("the forwarding store example breaks close, and only close")
  void forwardingExample() {
    // docs:forwarding
    CheckpointStore closeDoesNothing = new ForwardingCheckpointStore(InMemoryCheckpointStore.create()) {
      @Override
      public void close() {
        // the fault: the store stays open
      }
    };
    // docs:end
    closeDoesNothing.close();
    assertThat(closeDoesNothing.<Long>inTransaction(tx -> tx.uploadQueue().size())).isZero();
    CheckpointStore healthy = new ForwardingCheckpointStore(InMemoryCheckpointStore.create());
    healthy.close();
    assertThat(catchThrowable(() -> healthy.inTransaction(tx -> tx.uploadQueue().size())))
        .isInstanceOf(CheckpointStateException.class);
  }

  @Test
  @DisplayName("the javadoc of the contract suite, the model contract and the forwarding store shows compiled code")
  void theJavadocShowsThisCode() {
    Path self = DocumentedCode.EXAMPLES.resolve("KitJavadocExamplesTest.java");
    Path inMemoryContract = Path.of("src", "test", "java", "io", "checkpoints", "testkit", "contract",
        "InMemoryCheckpointStoreContractTest.java");
    Path fileContract = DocumentedCode.EXAMPLES.resolve("PropertiesFileCheckpointStoreContractTest.java");
    // The suite's class shows a subclass; its base, where the hooks are, shows two overrides.
    List<String> contract = new ArrayList<>(DocumentedCode.javadocExamples(
        DocumentedCode.MAIN.resolve(Path.of("contract", "CheckpointStoreContract.java"))));
    contract.addAll(DocumentedCode.javadocExamples(
        DocumentedCode.MAIN.resolve(Path.of("contract", "ContractBase.java"))));
    assertThat(contract).as("examples of the CheckpointStoreContract and ContractBase javadoc").hasSize(3);
    for (String example : contract) {
      DocumentedCode.assertCompiledIn("the CheckpointStoreContract javadoc", example, self, inMemoryContract,
          fileContract);
    }
    List<String> model = DocumentedCode.javadocExamples(
        DocumentedCode.MAIN.resolve(Path.of("model", "SyncClientModelContract.java")));
    assertThat(model).as("examples of the SyncClientModelContract javadoc").hasSize(1);
    DocumentedCode.assertCompiledIn("the SyncClientModelContract javadoc", model.get(0),
        DocumentedCode.EXAMPLES.resolve("PropertiesFileSyncClientModelTest.java"));
    List<String> forwarding = DocumentedCode.javadocExamples(
        DocumentedCode.MAIN.resolve(Path.of("forwarding", "ForwardingCheckpointStore.java")));
    assertThat(forwarding).as("examples of the ForwardingCheckpointStore javadoc").hasSize(1);
    DocumentedCode.assertCompiledIn("the ForwardingCheckpointStore javadoc", forwarding.get(0), self);
  }
}
