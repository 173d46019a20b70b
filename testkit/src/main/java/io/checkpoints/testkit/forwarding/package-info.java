/**
 * Forwarding stores for fault injection: {@link io.checkpoints.testkit.forwarding.ForwardingCheckpointStore}
 * hands every call to another store and wraps each transaction in a
 * {@link io.checkpoints.testkit.forwarding.ForwardingCheckpointTransaction}, whose views
 * ({@link io.checkpoints.testkit.forwarding.ForwardingCheckpointState},
 * {@link io.checkpoints.testkit.forwarding.ForwardingUploadQueue},
 * {@link io.checkpoints.testkit.forwarding.ForwardingUserSequences}) forward too. A test overrides
 * only the one method whose fault it injects, to prove that a contract or a property test catches
 * that fault.
 */
package io.checkpoints.testkit.forwarding;
