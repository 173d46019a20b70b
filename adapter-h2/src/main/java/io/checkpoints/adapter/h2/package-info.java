/**
 * The storage ports on an H2 database, embedded in a file or in memory, through Jdbi:
 * {@link io.checkpoints.adapter.h2.H2CheckpointStore} (on its own connection or joined to the
 * caller's), with {@link io.checkpoints.adapter.h2.H2StoreOptions} and
 * {@link io.checkpoints.adapter.h2.H2Connections}.
 *
 * <p>Depends on the ports and the shared {@code adapter-jdbc} only, never on the domain. Design
 * notes (the arming trigger, values kept as JSON, locking) are in {@code docs/h2.md}.
 */
package io.checkpoints.adapter.h2;
