package io.checkpoints.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** Runs the command line in-process and captures what it prints. Not thread-safe. */
final class CliHarness {

  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int execute(String... args) {
    CommandLine commandLine = CheckpointsCommand.commandLine(new ByteArrayInputStream(new byte[0]));
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  List<String> outLines() {
    return out.toString().lines().toList();
  }

  String errText() {
    return err.toString();
  }
}
