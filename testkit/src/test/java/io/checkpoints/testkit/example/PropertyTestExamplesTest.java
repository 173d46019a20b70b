package io.checkpoints.testkit.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.checkpoints.adapter.inmemory.InMemoryCheckpointStore;
import io.checkpoints.ports.CheckpointMode;
import io.checkpoints.testkit.model.Action;
import io.checkpoints.testkit.model.ModelFailure;
import io.checkpoints.testkit.model.ModelRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The examples of docs/writing-a-property-test.md and of the {@link ModelRunner} javadoc, compiled
 * and run through the public API only (this package is outside the model engine's), with a check
 * that the document and the javadoc show exactly this code.
 */
class PropertyTestExamplesTest {

  private static final long BASE_SEED = 20_261_206L;

  @Test
  @DisplayName("the ModelRunner javadoc example runs")
  void modelRunnerJavadocExample() {
    long baseSeed = BASE_SEED;
    // docs:model-runner-javadoc
    ModelRunner runner = new ModelRunner(InMemoryCheckpointStore::create)
        .withInvariant("the queue never holds more than 100 writes",
            step -> step.after().queueSize() <= 100
                ? Optional.empty()
                : Optional.of("queue size " + step.after().queueSize()));
    ModelRunner.Summary summary = runner.checkMany(baseSeed, 500);
    summary.failure().ifPresent(failure -> fail(failure.report()));
    // docs:end
    assertThat(summary.runs()).isEqualTo(500);
    assertThat(summary.actions()).isPositive();
  }

  // docs:generator
  /** Writes, uploads and new ids of one user's iteration: the operations this test cares about. */
  static final ModelRunner.Generator WRITES_AND_UPLOADS = (random, maxActions) -> {
    List<Action> actions = new ArrayList<>();
    actions.add(new Action.Start(CheckpointMode.REQUESTS, Optional.of("alice")));
    int length = 1 + random.nextInt(maxActions);
    while (actions.size() < length) {
      switch (random.weighted(6, 2, 1)) {
        case 0 -> actions.add(new Action.Write(random.chance(0.2)));
        case 1 -> actions.add(new Action.UploadDone(random.chance(0.5) ? -1 : 1 + random.nextInt(3)));
        default -> actions.add(new Action.Next());
      }
    }
    return actions;
  };
  // docs:end

  // docs:invariant
  /** The counter of request ids never goes down: no clear runs in these lists. */
  static final ModelRunner.Invariant COUNTER_NEVER_GOES_DOWN = step ->
      step.after().counter().orElse(0L) >= step.before().counter().orElse(0L)
          ? Optional.empty()
          : Optional.of("the counter went from " + step.before().counter() + " to " + step.after().counter());
  // docs:end

  @Test
  @DisplayName("the guide's runner: its own generator and rule, on the in-memory store, finds nothing")
  void ownGeneratorAndInvariant() {
    // docs:run
    ModelRunner runner = new ModelRunner(InMemoryCheckpointStore::create)
        .withGenerator(WRITES_AND_UPLOADS)
        .withMaxActions(60)
        .withInvariant("the counter never goes down", COUNTER_NEVER_GOES_DOWN);
    ModelRunner.Summary summary = runner.checkMany(BASE_SEED, 300);
    assertThat(summary.failure()).as(() -> summary.failure().map(ModelFailure::report).orElse("")).isEmpty();
    // docs:end
    assertThat(summary.runs()).isEqualTo(300);
    assertThat(runner.generate(BASE_SEED)).as("a seed stands for one list").isEqualTo(runner.generate(BASE_SEED))
        .first().isEqualTo(new Action.Start(CheckpointMode.REQUESTS, Optional.of("alice")));
  }

  @Test
  @DisplayName("a rule the domain breaks fails, shrunk to the few actions that break it, and replays by seed")
  void brokenRuleIsShrunkAndReplays() {
    ModelRunner runner = new ModelRunner(InMemoryCheckpointStore::create)
        .withGenerator(WRITES_AND_UPLOADS)
        .withMaxActions(60);
    // docs:failure
    ModelRunner strict = runner.withInvariant("at most 3 queued writes",
        step -> step.after().queueSize() <= 3 ? Optional.empty() : Optional.of("queue size " + step.after().queueSize()));
    ModelFailure failure = strict.checkMany(BASE_SEED, 300).failure().orElseThrow();
    String report = failure.report(); // the seed, how to replay it, the shrunk list, the divergence
    assertThat(failure.divergence().check()).isEqualTo("invariant: at most 3 queued writes");
    assertThat(failure.shrunk()).containsExactly(
        new Action.Write(false), new Action.Write(false), new Action.Write(false), new Action.Write(false));
    assertThat(strict.check(failure.seed())).contains(failure); // the seed replays the same failure
    // docs:end
    assertThat(report).contains("Seed: " + failure.seed()).contains("queue size 4");
  }

  @Test
  @DisplayName("bad hooks are refused with a clear error")
  void badHooksAreRefused() {
    ModelRunner runner = new ModelRunner(InMemoryCheckpointStore::create);
    assertThatThrownBy(() -> runner.withInvariant(" ", step -> Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a name");
    ModelRunner once = runner.withInvariant("a rule", step -> Optional.empty());
    assertThatThrownBy(() -> once.withInvariant("a rule", step -> Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already added");
    ModelRunner tooLong = runner.withMaxActions(2).withGenerator((random, max) -> List.of(
        new Action.Next(), new Action.Next(), new Action.Next()));
    assertThatThrownBy(() -> tooLong.generate(1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("3 actions for seed 1");
    assertThat(runner.withInvariant("throws", step -> {
      throw new IllegalStateException("the rule's own bug");
    }).run(List.of(new Action.Next())).orElseThrow().actual()).contains("the rule's own bug");
  }

  @Test
  @DisplayName("docs/writing-a-property-test.md and the ModelRunner javadoc show exactly this code")
  void theDocumentsShowThisCode() {
    Path self = DocumentedCode.EXAMPLES.resolve("PropertyTestExamplesTest.java");
    List<String> blocks = DocumentedCode.javaBlocks(DocumentedCode.DOCS.resolve("writing-a-property-test.md"));
    assertThat(blocks).as("java blocks of docs/writing-a-property-test.md").hasSize(4);
    for (String block : blocks) {
      DocumentedCode.assertCompiledIn("docs/writing-a-property-test.md", block, self);
    }
    List<String> javadoc = DocumentedCode.javadocExamples(
        DocumentedCode.MAIN.resolve(Path.of("model", "ModelRunner.java")));
    assertThat(javadoc).as("examples of the ModelRunner javadoc").hasSize(1);
    DocumentedCode.assertCompiledIn("the ModelRunner javadoc", javadoc.get(0), self);
  }
}
