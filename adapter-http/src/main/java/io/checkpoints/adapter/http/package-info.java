/**
 * The wire formats of the PowerSync service, starting with the decoder that turns one JSON sync
 * line into a {@link io.checkpoints.ports.SyncLine}.
 *
 * <p>Depends on {@code io.checkpoints.ports} and Jackson; never on the domain or another adapter.
 */
package io.checkpoints.adapter.http;
