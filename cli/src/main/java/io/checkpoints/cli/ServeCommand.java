package io.checkpoints.cli;

import io.checkpoints.adapter.http.CheckpointHttpServer;
import io.checkpoints.adapter.inmemory.SimulatedBackend;
import io.checkpoints.adapter.inmemory.SimulatedCheckpointService;
import io.checkpoints.ports.Scheduler;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code checkpoints serve}: the simulated PowerSync service behind the development HTTP server,
 * on 127.0.0.1 only, in real time, until interrupted. Tests start it on port 0 through
 * {@link #started()} and end it with {@link #stop()}, which are thread-safe; everything else is
 * one execution's (picocli fills the fields).
 */
@Command(
    name = "serve",
    description = {
        "Runs the simulated PowerSync service on 127.0.0.1 until interrupted (Ctrl-C): checkpoint"
            + " requests (POST), legacy write checkpoints and the sync stream, in real time.",
        "A simulated backend takes the app's uploads at POST /backend/upload"
            + " ({\"operations\": [{\"op\": \"PUT\", \"type\": \"todos\", \"id\": \"t1\","
            + " \"data\": {...}}]}) and streams them back, after the lag, in one bucket per user;"
            + " --verbose logs each request and streamed line to standard error.",
        "The user is the sub claim of the 'Authorization: Token <jwt>' header; the signature is"
            + " not checked (development only); a missing or malformed token gets 401."},
    exitCodeList = {
        "0:stopped",
        "1:the server could not start (for example, the port is taken)",
        "2:usage error"})
final class ServeCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--port", paramLabel = "P", required = true,
      description = "The loopback port; 0 picks a free one.")
  private int port;

  @Option(names = "--lag", paramLabel = "DURATION", defaultValue = "0s",
      converter = DurationConverter.class,
      description = "Replication lag before a request is acknowledged, e.g. 500ms, 2s (default: ${DEFAULT-VALUE}).")
  private DurationConverter.Given lag;

  @Option(names = "--retention", paramLabel = "DURATION", defaultValue = "60m",
      converter = DurationConverter.class,
      description = "How long the service keeps a checkpoint request record (default: ${DEFAULT-VALUE}).")
  private DurationConverter.Given retention;

  @Mixin
  private VerboseMixin verbose;

  private final CompletableFuture<CheckpointHttpServer> started = new CompletableFuture<>();
  private final CountDownLatch stopped = new CountDownLatch(1);

  /** @return completes with the running server once it listens */
  CompletableFuture<CheckpointHttpServer> started() {
    return started;
  }

  /** Ends {@link #call()} as an interrupt would. */
  void stop() {
    stopped.countDown();
  }

  private static void logLine(PrintWriter log, String message) {
    synchronized (log) {
      log.println(message);
      log.flush();
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (port < 0 || port > 65_535) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "invalid --port: " + port + " (0..65535)");
    }
    if (retention.duration().isZero()) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "invalid --retention: must be positive");
    }
    // Before the JDK's HTTP server first starts in this process: without it every small answer
    // waits about 40 ms for the client's delayed acknowledgement. A value given with -D is kept.
    System.getProperties().putIfAbsent(CheckpointHttpServer.NO_DELAY_PROPERTY, "true");
    SimulatedBackend backend = SimulatedBackend.create(SimulatedCheckpointService
        .builder(Scheduler.system()).replicationLag(lag.duration()).retention(retention.duration()));
    SimulatedCheckpointService service = backend.service();
    // Expired records are dropped only by compaction: run it at a tenth of the retention, so a
    // record outlives its retention by at most 10%.
    Duration tenth = retention.duration().dividedBy(10);
    Scheduler.Cancellable compaction = service.compactEvery(tenth.isZero() ? retention.duration() : tenth);
    CheckpointHttpServer server;
    try {
      PrintWriter log = spec.commandLine().getErr();
      server = CheckpointHttpServer.builder(service).port(port).dataService(backend)
          .log(verbose.verbose() ? message -> logLine(log, message) : message -> {}).start();
    } catch (UncheckedIOException e) {
      compaction.cancel();
      PrintWriter err = spec.commandLine().getErr();
      err.println(spec.qualifiedName() + ": cannot listen on 127.0.0.1:" + port + ": "
          + e.getCause().getMessage());
      verbose.printStackTrace(e, err);
      err.flush();
      started.completeExceptionally(e);
      return CheckpointsCommand.EXIT_FAILED;
    }
    // Ctrl-C: close the server before the JVM exits, so open streams end cleanly.
    Thread hook = new Thread(server::close, "checkpoints-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      out.println("simulated PowerSync service at " + server.endpoint()
          + " (replication lag " + lag + ", retention " + retention + ")");
      out.println("the app's connector uploads to POST " + server.endpoint()
          + CheckpointHttpServer.UPLOAD_PATH);
      out.println("authenticate with 'Authorization: Token <jwt>'; the user is its sub claim and"
          + " the signature is not checked. A token for user 'alice': "
          + CheckpointHttpServer.developmentToken("alice"));
      out.println("press Ctrl-C to stop");
      out.flush();
      started.complete(server);
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      compaction.cancel();
      server.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // the hook runs anyway; closing twice is harmless
      }
    }
    out.println("stopped");
    out.flush();
    return CheckpointsCommand.EXIT_OK;
  }
}
