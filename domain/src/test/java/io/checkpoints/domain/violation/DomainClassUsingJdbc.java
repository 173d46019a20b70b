package io.checkpoints.domain.violation;

/** A deliberate violation for ArchitectureTest: a "domain" class that reaches for a logger outside the JDK. */
public final class DomainClassUsingJdbc {
  /** @return a type from outside the allowed packages */
  public static Class<?> reachOut() {
    return org.assertj.core.api.Assertions.class;
  }
}
