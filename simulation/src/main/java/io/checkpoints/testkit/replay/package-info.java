/**
 * Replay scripts: the runner that drives a sync client from a JSON Lines script and prints one
 * JSON line per event, the comparison of outputs, and the shipped corpus of cases.
 *
 * <p>The format is {@code replay-format.md}; the same scripts run against the reference core in
 * the conformance tests, so this package must print exactly what the format says.
 */
package io.checkpoints.testkit.replay;
