package io.checkpoints.adapter.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkpoints.ports.CheckpointArgumentException;
import io.checkpoints.ports.CheckpointStorageException;
import io.checkpoints.ports.ClientId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The bases the SQL stores share: {@link JdbcStoreOptions} checks and copies the shared options;
 * {@link JdbcBackedStore#openOwned} closes the connection when opening fails.
 */
class JdbcStoreBasesTest {

  /** The smallest adapter options: the shared ones and one of its own, kept by every copy. */
  private static final class TestOptions extends JdbcStoreOptions<TestOptions> {
    private final String own;

    TestOptions(Duration wait, ClientId clientId, Set<String> tables, String own) {
      super(wait, clientId, tables);
      this.own = own;
    }

    @Override
    protected TestOptions copy(Duration wait, ClientId clientId, Set<String> tables) {
      return new TestOptions(wait, clientId, tables, own);
    }

    TestOptions withTimeout(Duration timeout) {
      return withWaitTimeout("test timeout", timeout);
    }
  }

  private static final TestOptions DEFAULTS =
      new TestOptions(JdbcStoreOptions.DEFAULT_WAIT_TIMEOUT, null, Set.of(), "own");

  @Test
  @DisplayName("each with-method changes its option only, on a copy; the adapter's own option survives")
  void copiesKeepTheOtherOptions() {
    ClientId client = ClientId.of("c1");
    TestOptions options = DEFAULTS.withTimeout(Duration.ofMillis(5))
        .withClientIdIfAbsent(client)
        .withInsertOnlyTables("logs")
        .withInsertOnlyTables(List.of("audit", "logs"));
    assertThat(options.waitTimeout()).isEqualTo(Duration.ofMillis(5));
    assertThat(options.clientIdIfAbsent()).contains(client);
    assertThat(options.insertOnlyTables()).containsExactly("logs", "audit");
    assertThat(options.own).isEqualTo("own");
    assertThat(DEFAULTS.waitTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(DEFAULTS.clientIdIfAbsent()).isEmpty();
    assertThat(DEFAULTS.insertOnlyTables()).isEmpty();
  }

  @Test
  @DisplayName("a timeout outside 1 ms..Integer.MAX_VALUE ms or a blank table name: typed error naming it, options unchanged")
  void badInputIsRefused() {
    assertThat(DEFAULTS.withTimeout(Duration.ofMillis(1)).waitTimeout()).isEqualTo(Duration.ofMillis(1));
    assertThat(DEFAULTS.withTimeout(Duration.ofMillis(Integer.MAX_VALUE)).waitTimeout())
        .isEqualTo(Duration.ofMillis(Integer.MAX_VALUE));
    for (Duration bad : List.of(Duration.ZERO, Duration.ofNanos(999_999), Duration.ofMillis(-1),
        Duration.ofMillis(Integer.MAX_VALUE + 1L))) {
      assertThatThrownBy(() -> DEFAULTS.withTimeout(bad))
          .isInstanceOf(CheckpointArgumentException.class)
          .hasMessageContaining("the test timeout must be between 1 ms and");
    }
    TestOptions declared = DEFAULTS.withInsertOnlyTables("logs");
    assertThatThrownBy(() -> declared.withInsertOnlyTables("audit", " "))
        .isInstanceOf(CheckpointArgumentException.class)
        .hasMessageContaining("non-blank");
    assertThat(declared.insertOnlyTables()).containsExactly("logs");
  }

  @Test
  @DisplayName("a store that fails to open closes the connection it was given, and the failure passes through")
  void failedOpenClosesTheConnection() throws Exception {
    Connection connection = DriverManager.getConnection("jdbc:sqlite::memory:");
    CheckpointStorageException refusal = new CheckpointStorageException("refused by the adapter");
    assertThatThrownBy(() -> JdbcBackedStore.openOwned(connection, handle -> {
      throw refusal;
    })).isSameAs(refusal);
    assertThat(connection.isClosed()).isTrue();
  }
}
