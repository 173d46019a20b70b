package io.checkpoints.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code checkpoints}: the command line of the checkpoint-requests library ({@code replay},
 * {@code demo}, {@code inspect}, {@code repair}, {@code migrate}, {@code sql}, {@code serve},
 * {@code simulate}).
 *
 * <p>Exit status: {@value #EXIT_OK} when the command ran (a replay whose events printed error lines
 * still ran), {@value #EXIT_FAILED} when it could not do its job (for {@code replay}: the script is
 * malformed or could not be read to the end; for a database file: it was refused, unchanged),
 * {@value #EXIT_USAGE} on a usage error (unknown option or command, with a suggestion when one is
 * close; a missing or unreadable file argument; a directory where a file is expected). Errors go
 * to standard error as one line; {@code --verbose} adds stack traces.
 *
 * <p>Not thread-safe: picocli populates a command's fields, so use one instance per execution.
 */
@Command(
    name = "checkpoints",
    // Every command inherits --help, --version and the exit status heading.
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = CheckpointsCommand.Version.class,
    description = "Checkpoint requests for PowerSync clients: tools for the library.",
    // The subcommands are added in commandLine(stdin, first) (see SUBCOMMANDS), not listed here.
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
        "0:the command ran (replay: even if events printed error lines)",
        "1:the command failed (replay: the script is malformed or unreadable)",
        "2:usage error"})
public final class CheckpointsCommand implements Callable<Integer> {

  /** The command ran. */
  public static final int EXIT_OK = 0;
  /** The command failed: for {@code replay}, the script is malformed or could not be read. */
  public static final int EXIT_FAILED = 1;
  /** A usage error: an unknown option or command, or a missing or unreadable file argument. */
  public static final int EXIT_USAGE = 2;

  /**
   * The subcommands by name, in the order the help lists them. Added by hand rather than in the
   * annotation, so that a run of one command builds only that command's model: picocli reads
   * every listed command's annotations and loads its classes before parsing (measured: about
   * 35 ms of a 650 ms {@code checkpoints sql} run, docs/performance.md).
   */
  static final Map<String, Class<?>> SUBCOMMANDS = subcommands(ReplayCommand.class,
      DemoCommand.class, InspectCommand.class, RepairCommand.class, MigrateCommand.class,
      SqlCommand.class, ServeCommand.class, SimulateCommand.class);

  @Spec
  private CommandSpec spec;

  /**
   * Runs the command line and exits with its status.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    System.exit(commandLine(System.in, args.length == 0 ? null : args[0]).execute(args));
  }

  /**
   * @param stdin where {@code replay -} reads its script
   * @return the command line, with the error handling described above; set its output and error
   *     writers to capture them
   */
  public static CommandLine commandLine(InputStream stdin) {
    return commandLine(stdin, null);
  }

  /**
   * The command line with only the subcommand {@code first} names, when it names one exactly: its
   * parsing, help, errors and exit status are those of the full command line for arguments that
   * start with that name. Any other first argument (an option, a mistyped command that earns a
   * suggestion, none) gets every subcommand.
   */
  static CommandLine commandLine(InputStream stdin, String first) {
    Factory factory = new Factory(stdin);
    CommandLine commandLine = new CommandLine(new CheckpointsCommand(), factory);
    Class<?> only = first == null ? null : SUBCOMMANDS.get(first);
    for (Map.Entry<String, Class<?>> subcommand : SUBCOMMANDS.entrySet()) {
      if (only == null || only == subcommand.getValue()) {
        commandLine.addSubcommand(subcommand.getKey(), subcommand.getValue());
      }
    }
    commandLine.setParameterExceptionHandler(CheckpointsCommand::usageError);
    commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
      boolean verbose = cl.getCommandSpec().mixins().values().stream()
          .anyMatch(mixin -> mixin.userObject() instanceof VerboseMixin option && option.verbose());
      cl.getErr().println(cl.getCommandSpec().qualifiedName() + ": internal error: " + e
          + (verbose ? "" : " (run with --verbose for the stack trace)"));
      if (verbose) {
        e.printStackTrace(cl.getErr());
      }
      cl.getErr().flush();
      return EXIT_FAILED;
    });
    return commandLine;
  }

  private static Map<String, Class<?>> subcommands(Class<?>... types) {
    Map<String, Class<?>> byName = new LinkedHashMap<>();
    for (Class<?> type : types) {
      byName.put(type.getAnnotation(Command.class).name(), type);
    }
    return Collections.unmodifiableMap(byName);
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    String name = commandLine.getCommandSpec().qualifiedName();
    err.println(name + ": " + e.getMessage() + suggestion(e) + " (see '" + name + " --help')");
    err.flush();
    return EXIT_USAGE;
  }

  /** "; did you mean ...?" for a mistyped command or option that is close to a known one. */
  private static String suggestion(ParameterException e) {
    if (!(e instanceof UnmatchedArgumentException unmatched)) {
      return "";
    }
    List<String> suggestions = unmatched.getSuggestions();
    if (suggestions.isEmpty()) {
      return "";
    }
    return "; did you mean " + String.join(" or ", suggestions.stream()
        .map(candidate -> "'" + candidate + "'").toList()) + "?";
  }

  /** Creates the commands, handing {@code replay} the standard input. */
  private static final class Factory implements CommandLine.IFactory {
    private final InputStream stdin;

    Factory(InputStream stdin) {
      this.stdin = stdin;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
      if (type == ReplayCommand.class) {
        return type.cast(new ReplayCommand(stdin));
      }
      if (type == SqlCommand.class) {
        return type.cast(new SqlCommand(stdin));
      }
      return CommandLine.defaultFactory().create(type);
    }
  }

  /** The version from the build, as {@code --version} prints it. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties properties = new Properties();
      try (InputStream in = CheckpointsCommand.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new String[] {"checkpoints " + properties.getProperty("version", "(unknown version)")};
    }
  }
}
