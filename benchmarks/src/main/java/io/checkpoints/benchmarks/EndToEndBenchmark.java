package io.checkpoints.benchmarks;

import io.checkpoints.interop.Backend;
import io.checkpoints.interop.OurRoundTrip;
import io.checkpoints.interop.RoundTrip;
import io.checkpoints.interop.SdkRoundTrip;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End to end against the Kotlin SDK (issue 16, item 4; docs/performance.md): one round trip from
 * a local write to "synced" over loopback HTTP against the simulated service and backend with no
 * replication lag, through our client and through the PowerSync Kotlin SDK 1.14.1 ({@link
 * RoundTrip} defines it for both; the interop module's {@code RoundTripTest} checks where each
 * ends). Each invocation is one round trip with
 * a new row id, timed as a single shot, so that the iterations are the 200 round trips and JMH
 * prints their percentiles. {@code client} selects the side; with one fork per side both run in
 * one JMH run, one after the other, each against its own service of the same kind.
 *
 * <p>{@code crudThrottleMs} is the SDK's upload throttle (its default is 1,000 ms): the SDK starts
 * the upload of a write at once and then waits this long before it starts another, so at 1 ms it
 * costs nothing here; ours has no throttle, the host uploads when it chooses. {@code
 * -Dsun.net.httpserver.nodelay=true} (below) turns Nagle's algorithm off in the service's server;
 * without it both sides wait about 40 ms per exchange on delayed ACKs. Not thread-safe:
 * JMH runs it on one thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 50, batchSize = 1)
@Measurement(iterations = 200, batchSize = 1)
// The service's HTTP server is the JDK's, which leaves Nagle's algorithm on unless told: its
// small writes then wait for delayed ACKs, about 40 ms per exchange, for both sides alike. The SDK
// leaves an idle OkHttp thread that would hold the fork for JMH's default 30 s after the run.
@Fork(value = 1, jvmArgsAppend = {"-Dsun.net.httpserver.nodelay=true", "-Djmh.shutdownTimeout=1"})
public class EndToEndBenchmark {

  /** Which client makes the round trips: {@code ours} or {@code sdk}. */
  @Param({"ours", "sdk"})
  public String client;

  /** The SDK's upload throttle in ms (unused by ours). */
  @Param("1")
  public long crudThrottleMs;

  private Path directory;
  private Backend backend;
  private RoundTrip roundTrip;
  private long rows;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    directory = Databases.newDirectory();
    backend = Backend.withoutLog(Duration.ZERO);
    roundTrip = switch (client) {
      case "ours" -> new OurRoundTrip(backend, directory.resolve("ours.db"));
      case "sdk" -> new SdkRoundTrip(backend, directory, "sdk.db", crudThrottleMs);
      default -> throw new IllegalArgumentException("client is ours or sdk, not " + client);
    };
  }

  @Benchmark
  public void roundTrip() throws Exception {
    roundTrip.run("r" + ++rows);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (!roundTrip.queueEmpty()) {
      throw new IllegalStateException("the upload queue is not empty after the last round trip");
    }
    roundTrip.close();
    backend.close();
    Databases.delete(directory);
  }
}
