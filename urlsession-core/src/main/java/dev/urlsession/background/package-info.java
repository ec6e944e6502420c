/**
 * The durable store behind background sessions: where their transfers are recorded, scheduled,
 * locked and heart-beaten. {@link dev.urlsession.background.BackgroundStore} chooses the store
 * (embedded file database, or the application's database, optionally clustered) and tunes it.
 */
@NullMarked
package dev.urlsession.background;

import org.jspecify.annotations.NullMarked;
