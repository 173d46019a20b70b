package io.checkpoints.domain.violation;

/** Fixture for the architecture test: depends on {@link CycleOne}, which depends on it. */
public final class CycleTwo {
  CycleOne next;
}
