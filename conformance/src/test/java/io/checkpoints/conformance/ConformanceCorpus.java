package io.checkpoints.conformance;

import io.checkpoints.testkit.replay.ReplayCase;
import io.checkpoints.testkit.replay.ReplayCorpus;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/** The replay scripts kept in this module: long sessions and combinations beyond the testkit corpus. */
final class ConformanceCorpus {

  private ConformanceCorpus() {}

  static List<ReplayCase> cases() {
    try {
      return ReplayCorpus.load(Path.of(ConformanceCorpus.class.getResource("/replay").toURI()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
