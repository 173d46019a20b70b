package io.checkpoints.benchmarks;

import io.checkpoints.interop.Backend;
import io.checkpoints.interop.OurRoundTrip;
import io.checkpoints.interop.RoundTrip;
import io.checkpoints.interop.SdkRoundTrip;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the time of {@link EndToEndBenchmark}'s round trip goes, seen from the service: for each
 * side, 50 round trips to warm up and then {@code rounds} (default 200), each against a service
 * that logs when the upload and the write-checkpoint request arrive and when the last {@code
 * checkpoint_complete} line before the end was sent; prints the median of each phase. Both sides
 * run in this one JVM, ours first; start it with {@code -Dsun.net.httpserver.nodelay=true}, as the
 * benchmark's fork is. Logging costs the server a little time, so the totals run above the
 * benchmark's. Not thread-safe: a command-line program.
 */
public final class EndToEndPhases {

  private EndToEndPhases() {}

  /**
   * Runs both sides and prints the phases.
   *
   * @param args optionally the number of measured round trips per side
   * @throws Exception if a round trip fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    for (String client : List.of("ours", "sdk")) {
      Path directory = Databases.newDirectory();
      try (Backend backend = new Backend(Duration.ZERO);
          RoundTrip roundTrip = client.equals("ours")
              ? new OurRoundTrip(backend, directory.resolve("ours.db"))
              : new SdkRoundTrip(backend, directory, "sdk.db", 1)) {
        print(client, measure(backend, roundTrip, rounds));
      } finally {
        Databases.delete(directory);
      }
    }
    // The SDK leaves a non-daemon OkHttp thread idling for a minute.
    System.exit(0);
  }

  /** Per round trip: write to upload, upload to write-checkpoint request, to last line, to end. */
  private static List<long[]> measure(Backend backend, RoundTrip roundTrip, int rounds)
      throws Exception {
    List<long[]> phases = new ArrayList<>();
    for (int round = -50; round < rounds; round++) {
      backend.clearLog();
      long start = System.nanoTime();
      roundTrip.run("r" + (round + 50));
      long end = System.nanoTime();
      if (round < 0) {
        continue;
      }
      long upload = first(backend, "POST /backend/upload", start);
      long request = Math.min(first(backend, "POST /sync/checkpoint-request", start),
          first(backend, "GET /write-checkpoint2.json", start));
      Optional<Long> lastLine = backend.logged("<- {\"checkpoint_complete\"", start).stream()
          .map(Backend.Logged::nanoTime).filter(time -> time <= end).reduce(Math::max);
      long line = lastLine.orElseThrow();
      phases.add(new long[] {upload - start, request - upload, line - request, end - line,
          end - start});
    }
    return phases;
  }

  private static long first(Backend backend, String text, long since) {
    return backend.logged(text, since).stream().map(Backend.Logged::nanoTime)
        .reduce(Math::min).orElse(Long.MAX_VALUE);
  }

  private static void print(String client, List<long[]> phases) {
    String[] names = {"write -> upload arrives", "upload -> write-checkpoint request arrives",
        "request -> last checkpoint_complete sent", "last line sent -> synced reported", "total"};
    System.out.println(client + " (" + phases.size() + " round trips, medians):");
    for (int phase = 0; phase < names.length; phase++) {
      int column = phase;
      long[] values = phases.stream().mapToLong(row -> row[column]).sorted().toArray();
      System.out.printf("  %-45s %8.3f ms%n", names[phase], values[values.length / 2] / 1e6);
    }
  }
}
