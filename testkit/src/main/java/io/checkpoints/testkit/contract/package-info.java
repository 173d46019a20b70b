/**
 * The storage contract every checkpoint store adapter passes: {@link
 * io.checkpoints.testkit.contract.CheckpointStoreContract}, an abstract JUnit 5 test class that an
 * adapter's test extends with a factory for a fresh store.
 *
 * <p>An adapter with a real difference from one expectation declares it, with the reason, through
 * {@link io.checkpoints.testkit.contract.CheckpointStoreContract#differences()} instead of
 * skipping the test.
 *
 * <p>The other public classes of this package are the parts of that suite, one topic each, which
 * {@code CheckpointStoreContract} extends; an adapter's test never extends them directly.
 */
package io.checkpoints.testkit.contract;
