/**
 * The engine behind background sessions, outside the public API: the durable store
 * ({@link dev.urlsession.internal.background.TransferStore}: db-scheduler over HSQLDB or the
 * application's database, identifiers, the identifier lock), the records it keeps
 * ({@link dev.urlsession.internal.background.Transfer},
 * {@link dev.urlsession.internal.background.TransferResult}), the files of a session's store
 * directory ({@link dev.urlsession.internal.background.TransferFiles}) and the retry policy. The
 * only package of core that talks to db-scheduler, HSQLDB or {@code java.sql}.
 */
@NullMarked
package dev.urlsession.internal.background;

import org.jspecify.annotations.NullMarked;
