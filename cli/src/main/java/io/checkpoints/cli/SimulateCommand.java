package io.checkpoints.cli;

import io.checkpoints.testkit.simulation.Simulation;
import io.checkpoints.testkit.simulation.SimulationFailure;
import io.checkpoints.testkit.simulation.SimulationOptions;
import io.checkpoints.testkit.simulation.SimulationRun;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code checkpoints simulate}: the testkit's deterministic simulation for a range of seeds.
 * Not thread-safe: one instance per execution.
 */
@Command(
    name = "simulate",
    description = {
        "Runs the deterministic simulation (clients with a max-write-wins workload against the"
            + " simulated service, in virtual time, with seeded faults) for seeds S..S+N-1 and"
            + " prints a summary.",
        "On an invariant violation it prints the seed and the shrunk action list and exits 1."},
    exitCodeList = {
        "0:every run kept every invariant",
        "1:a run broke an invariant (the report names the seed and the shrunk trace)",
        "2:usage error"})
final class SimulateCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--seed", paramLabel = "S", required = true, description = "The first seed.")
  private long seed;

  @Option(names = "--runs", paramLabel = "N", required = true, description = "How many seeds to run.")
  private int runs;

  @Option(names = "--clients", paramLabel = "C", defaultValue = "3",
      description = "Clients per run (default: ${DEFAULT-VALUE}).")
  private int clients;

  @Option(names = "--actions", paramLabel = "A", defaultValue = "120",
      description = "At most this many actions per run (default: ${DEFAULT-VALUE}).")
  private int actions;

  @Option(names = "--no-user-sequences", negatable = false,
      description = "Start iterations without a user key (no per-user sequence).")
  private boolean noUserSequences;

  @Mixin
  private VerboseMixin verbose;

  @Override
  public Integer call() {
    if (runs < 1) {
      throw new ParameterException(spec.commandLine(), "invalid --runs: " + runs + " (1 or more)");
    }
    if (clients < 1 || actions < 1) {
      throw new ParameterException(spec.commandLine(), "invalid --clients or --actions: both must be 1 or more");
    }
    PrintWriter out = spec.commandLine().getOut();
    SimulationOptions options = new SimulationOptions(clients, actions, !noUserSequences);
    long started = System.nanoTime();
    long applies = 0;
    for (int i = 0; i < runs; i++) {
      long current = seed + i;
      try {
        SimulationRun run = Simulation.check(current, options);
        applies += run.applies();
      } catch (SimulationFailure failure) {
        out.print(failure.getMessage());
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        err.println(spec.qualifiedName() + ": seed " + current + " broke an invariant after "
            + i + " passing run" + (i == 1 ? "" : "s") + " (report above; replay with --seed "
            + current + " --runs 1)");
        verbose.printStackTrace(failure, err);
        err.flush();
        return CheckpointsCommand.EXIT_FAILED;
      }
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    out.printf("%d runs (seeds %d..%d, %d clients, up to %d actions, user sequences %s): %d"
        + " applies, no invariant broken, %d.%03d s%n", runs, seed, seed + runs - 1, clients,
        actions, noUserSequences ? "off" : "on", applies, millis / 1000, millis % 1000);
    out.flush();
    return CheckpointsCommand.EXIT_OK;
  }
}
