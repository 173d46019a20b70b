package io.checkpoints.cli;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.ClientId;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code --client-id} option of the commands that may create a database (a picocli mixin):
 * sql and replay. Not thread-safe: picocli fills it, one instance per execution.
 */
final class ClientIdMixin {

  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  @Option(names = "--client-id", paramLabel = "ID",
      description = "The client id to store in a database that has none; a database that has one"
          + " keeps it. Default: for replay, test-client (the id the reference recordings were"
          + " made with); for sql, a random UUID, as a PowerSync database gets.")
  private String clientId;

  /** @return the client id given, if any; a blank one is a usage error */
  Optional<ClientId> clientId() {
    if (clientId == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ClientId.of(clientId));
    } catch (CheckpointArgumentException e) {
      throw new ParameterException(mixee.commandLine(), "invalid --client-id: " + e.getMessage());
    }
  }
}
