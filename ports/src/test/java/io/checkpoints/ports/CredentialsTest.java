package io.checkpoints.ports;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** {@link Credentials#requireToken}: every way of giving no token is one typed failure. */
class CredentialsTest {

  /** Credentials whose token() does what the test says, counting invalidations. */
  private static final class Scripted implements Credentials {
    final Supplier<CompletableFuture<String>> token;
    final AtomicInteger invalidations = new AtomicInteger();

    Scripted(Supplier<CompletableFuture<String>> token) {
      this.token = token;
    }

    @Override
    public CompletableFuture<String> token() {
      return token.get();
    }

    @Override
    public void invalidate() {
      invalidations.incrementAndGet();
    }
  }

  /** The failure as a dependent stage sees it: the exception itself, not a wrapper. */
  private static Throwable failureOf(Credentials credentials) {
    AtomicReference<Throwable> seen = new AtomicReference<>();
    credentials.requireToken("POST /x").whenComplete((value, failure) -> seen.set(failure));
    return seen.get();
  }

  @Test
  void aTokenIsGivenAsItIs() {
    assertThat(Credentials.fixed("abc").requireToken("POST /x")).isCompletedWithValue("abc");
  }

  @Test
  void aTokenThatArrivesLaterIsGivenThen() {
    CompletableFuture<String> later = new CompletableFuture<>();
    CompletableFuture<String> token = new Scripted(() -> later).requireToken("POST /x");
    assertThat(token).isNotDone();
    later.complete("abc");
    assertThat(token).isCompletedWithValue("abc");
  }

  @Test
  void aThrowingTokenCallFailsTypedWithTheCauseNamed() {
    Scripted credentials = new Scripted(() -> {
      throw new IllegalStateException("vault locked");
    });
    assertThat(failureOf(credentials))
        .isInstanceOf(CheckpointTransportException.Unauthorized.class)
        .hasMessage("POST /x: the credentials gave no token (java.lang.IllegalStateException: vault locked)");
    assertThat(credentials.invalidations).as("nothing was refused").hasValue(0);
  }

  @Test
  void aFailedFutureFailsTypedWithTheInnerCauseNamed() {
    Scripted credentials = new Scripted(() -> CompletableFuture.failedFuture(
        new CompletionException(new IllegalStateException("expired"))));
    assertThat(failureOf(credentials))
        .isInstanceOf(CheckpointTransportException.Unauthorized.class)
        .hasMessage("POST /x: the credentials gave no token (java.lang.IllegalStateException: expired)");
    assertThat(credentials.invalidations).hasValue(0);
  }

  @Test
  void noFutureANullTokenAndABlankTokenAreNoToken() {
    for (Scripted credentials : new Scripted[] {
        new Scripted(() -> null),
        new Scripted(() -> CompletableFuture.completedFuture(null)),
        new Scripted(() -> CompletableFuture.completedFuture(" \t"))}) {
      assertThat(failureOf(credentials))
          .isInstanceOf(CheckpointTransportException.Unauthorized.class)
          .hasMessage("POST /x: the credentials gave no token");
      assertThat(credentials.invalidations).hasValue(0);
    }
  }
}
