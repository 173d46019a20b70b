package io.checkpoints.testkit.model;

/**
 * An error {@link SpecModel} predicts: the message is the outcome text, and the model's state must
 * be unchanged. Thrown and caught within one run, so it needs no stack trace. Not shared between
 * threads: one instance per refused action.
 */
final class PredictedRefusal extends RuntimeException {
  private static final long serialVersionUID = 1L;

  PredictedRefusal(String outcome) {
    super(outcome, null, false, false);
  }
}
