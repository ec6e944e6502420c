package dev.urlsession.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.EndpointInfo;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.nio.AsyncClientConnectionManager;
import org.apache.hc.client5.http.nio.AsyncConnectionEndpoint;
import org.apache.hc.core5.concurrent.BasicFuture;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.nio.AsyncClientExchangeHandler;
import org.apache.hc.core5.http.nio.AsyncPushConsumer;
import org.apache.hc.core5.http.nio.HandlerFactory;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.ConnPoolControl;
import org.apache.hc.core5.pool.PoolStats;
import org.apache.hc.core5.reactor.ConnectionInitiator;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * A session's connection pool with HTTP/2 multiplexing: exchanges to a route share one HTTP/2
 * connection, as every HTTP/2 client does, instead of each holding a connection of its own (the
 * pool's per-host limit then caps connections, not requests in flight).
 *
 * <p>In front of HttpClient's {@link PoolingAsyncClientConnectionManager}: a lease is served by a
 * shared HTTP/2 connection of its route when there is one; otherwise it goes to the pool and waits
 * there as usual. A connection becomes shared once it is known to speak HTTP/2 and to be trusted:
 * when the pool hands out one that was used before, or when the first exchange on a new one starts
 * (after the session accepted its server certificates and settled its client certificate). Then
 * every lease of its route still waiting in the pool is served by it at once, instead of waiting
 * until the connection comes back to the pool (HttpClient's own experimental sharing pool serves
 * them one at a time, when nothing shares the connection any more). A shared connection goes back
 * to the pool when its last exchange ends. An exchange that is discarded (cancelled or failed)
 * leaves a shared connection open: its stream was reset, the others go on. HTTP/1.1 connections
 * and leases with a state (a client certificate's subject) are passed through unchanged.
 *
 * <p>Thread-safe: each route's connections and waiting leases are guarded by the route's lock,
 * and callbacks are called without it.
 */
public final class SharingConnectionManager implements AsyncClientConnectionManager, ConnPoolControl<HttpRoute> {
  private final PoolingAsyncClientConnectionManager pool;
  private final ConcurrentHashMap<HttpRoute, Route> routes = new ConcurrentHashMap<>();
  /** Told of each route whose connection becomes shared (it speaks HTTP/2), on the thread that shares it. */
  private volatile java.util.function.Consumer<HttpRoute> onHttp2 = route -> { };

  /** Has {@code listener} told of each route whose connection becomes shared (HTTP/2). */
  public void onHttp2(java.util.function.Consumer<HttpRoute> listener) {
    this.onHttp2 = listener;
  }

  /** The context attribute under which an exchange's view of its connection is kept ({@link #abort}). */
  private static final String VIEW = SharingConnectionManager.class.getName() + ".view";

  /**
   * Closes the HTTP/1.1 connection of a stopped exchange that is still running on it, and gives
   * it back to the pool. Cancelling HttpClient's future is not always enough: when a lease
   * completes at once, HttpClient may set the lease as the future's dependency after the exchange
   * already started, so the cancel reaches the lease, not the exchange, and an exchange whose
   * server sends nothing more runs on with nobody reading it (BecomeStreamTests,
   * hostile.CancelRaceTests). Does nothing once the exchange released its connection (whoever
   * releases first wins), nor for a shared HTTP/2 connection (its stream is reset instead).
   */
  public void abort(HttpContext context) {
    Object v = context.getAttribute(VIEW);
    if (v instanceof View) {
      View view = (View) v;
      synchronized (routeOf(view.connection.route)) {
        if (view.connection.shareable) {
          return;
        }
      }
      if (view.released.compareAndSet(false, true)) {
        view.connection.endpoint.close(CloseMode.IMMEDIATE);
        released(view, null, TimeValue.ZERO_MILLISECONDS);
      }
    }
  }

  public SharingConnectionManager(PoolingAsyncClientConnectionManager pool) {
    this.pool = pool;
  }

  /** Bumped by {@link #retireConnections}: connections leased before are not reused. */
  private final java.util.concurrent.atomic.AtomicInteger generation = new java.util.concurrent.atomic.AtomicInteger();
  /** Held while a connection goes back to the pool, and while connections are retired. */
  private final Object returning = new Object();

  /**
   * Closes the pool's idle connections, and those leased now (an exchange running, or one that
   * finished and has not given its connection back yet) when they are released; no new exchange
   * shares them. Later requests so go on new connections (Apple's flush and reset).
   */
  public void retireConnections() {
    synchronized (returning) {
      generation.incrementAndGet();
      pool.closeIdle(TimeValue.ZERO_MILLISECONDS);
    }
  }

  /** A route's shared connections and the leases waiting in the pool; guarded by itself. */
  private static final class Route {
    final List<Connection> shared = new ArrayList<>(1);
    final Set<Waiter> waiting = new LinkedHashSet<>();
  }

  /** A connection leased from the pool, and the exchanges using it. */
  private final class Connection {
    final HttpRoute route;
    final AsyncConnectionEndpoint endpoint;
    /** Exchanges holding a view of it; guarded by the route. */
    int users = 1;
    /** Whether further exchanges may share it (HTTP/2, trusted); guarded by the route. */
    boolean shareable;
    /** The keep-alive of the last release that kept it reusable. */
    volatile TimeValue keepAlive = TimeValue.NEG_ONE_MILLISECOND;
    /** The generation it was leased in; an older one is retired (see retireConnectionsInUse). */
    final int generation = SharingConnectionManager.this.generation.get();

    Connection(HttpRoute route, AsyncConnectionEndpoint endpoint) {
      this.route = route;
      this.endpoint = endpoint;
    }

    boolean http2() {
      EndpointInfo info = endpoint.getInfo();
      ProtocolVersion v = info == null ? null : info.getProtocol();
      return v != null && v.greaterEquals(HttpVersion.HTTP_2);
    }
  }

  /** What one exchange holds: a view of a connection, released once. */
  private final class View extends AsyncConnectionEndpoint {
    final Connection connection;
    final AtomicBoolean released = new AtomicBoolean();
    private boolean started;

    View(Connection connection) {
      this.connection = connection;
    }

    @Override
    public void execute(String id, AsyncClientExchangeHandler handler,
        @Nullable HandlerFactory<AsyncPushConsumer> pushHandlerFactory, HttpContext context) {
      context.setAttribute(VIEW, this);
      connection.endpoint.execute(id, handler, pushHandlerFactory, context);
      if (!started) {
        started = true;
        share(connection); // the first exchange starts: its connection was accepted
      }
    }

    @Override
    public boolean isConnected() {
      return connection.endpoint.isConnected();
    }

    @Override
    public void setSocketTimeout(Timeout timeout) {
      connection.endpoint.setSocketTimeout(timeout);
    }

    @Override
    public @Nullable EndpointInfo getInfo() {
      return connection.endpoint.getInfo();
    }

    @Override
    public void close(CloseMode closeMode) {
      boolean shared;
      synchronized (routeOf(connection.route)) {
        shared = connection.shareable;
      }
      if (!shared) {
        connection.endpoint.close(closeMode); // the exchange's own connection: as HttpClient does
      }
    }

    @Override
    public String toString() {
      return "shared view of " + connection.endpoint;
    }
  }

  /** A lease waiting in the pool; completed by the pool or by a shared connection, once. */
  private final class Waiter extends BasicFuture<AsyncConnectionEndpoint> {
    final HttpRoute route;
    final @Nullable Object state;
    final AtomicBoolean done = new AtomicBoolean();
    volatile @Nullable Future<AsyncConnectionEndpoint> poolLease;

    Waiter(HttpRoute route, @Nullable Object state, @Nullable FutureCallback<AsyncConnectionEndpoint> callback) {
      super(callback);
      this.route = route;
      this.state = state;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      Future<AsyncConnectionEndpoint> f = poolLease;
      if (f != null) {
        f.cancel(mayInterruptIfRunning);
      }
      if (done.compareAndSet(false, true)) {
        forget(this);
        return super.cancel(mayInterruptIfRunning);
      }
      return false;
    }

    /** The pool cancelled the lease. */
    void poolCancelled() {
      super.cancel(true);
    }
  }

  private Route routeOf(HttpRoute route) {
    return routes.computeIfAbsent(route, r -> new Route());
  }

  @Override
  public Future<AsyncConnectionEndpoint> lease(String id, HttpRoute route, @Nullable Object state,
      Timeout requestTimeout, @Nullable FutureCallback<AsyncConnectionEndpoint> callback) {
    Route r = routeOf(route);
    Waiter w = new Waiter(route, state, callback);
    if (state == null) {
      View shared;
      synchronized (r) {
        shared = shareLocked(r);
        if (shared == null) {
          r.waiting.add(w);
        }
      }
      if (shared != null) {
        w.done.set(true);
        w.completed(shared);
        return w;
      }
    }
    w.poolLease = pool.lease(id, route, state, requestTimeout, new FutureCallback<>() {
      @Override
      public void completed(AsyncConnectionEndpoint endpoint) {
        if (!w.done.compareAndSet(false, true)) {
          pool.release(endpoint, null, TimeValue.NEG_ONE_MILLISECOND); // served by a shared connection
          return;
        }
        forget(w);
        Connection c = new Connection(route, endpoint);
        View v = new View(c);
        if (w.state == null && endpoint.isConnected()) {
          v.started = true; // a pooled connection: settled when it was new
          w.completed(v);
          share(c);
        } else {
          w.completed(v);
        }
      }

      @Override
      public void failed(Exception ex) {
        if (w.done.compareAndSet(false, true)) {
          forget(w);
          w.failed(ex);
        }
      }

      @Override
      public void cancelled() {
        if (w.done.compareAndSet(false, true)) {
          forget(w);
          w.poolCancelled();
        }
      }
    });
    return w;
  }

  private void forget(Waiter w) {
    if (w.state == null) {
      Route r = routeOf(w.route);
      synchronized (r) {
        r.waiting.remove(w);
      }
    }
  }

  /** A view of the least used shared connection of {@code r}, or null; holds {@code r}'s lock. */
  private @Nullable View shareLocked(Route r) {
    Connection best = null;
    for (Iterator<Connection> it = r.shared.iterator(); it.hasNext(); ) {
      Connection c = it.next();
      if (!c.endpoint.isConnected() || c.generation != generation.get()) {
        c.shareable = false;
        it.remove();
      } else if (best == null || c.users < best.users) {
        best = c;
      }
    }
    if (best == null) {
      return null;
    }
    best.users++;
    View v = new View(best);
    v.started = true;
    return v;
  }

  /**
   * {@code c} is trusted and in use: when it speaks HTTP/2, it takes the route's further leases,
   * and the leases waiting in the pool are served by it now.
   */
  private void share(Connection c) {
    if (!c.http2()) {
      return;
    }
    Route r = routeOf(c.route);
    List<Waiter> served = new ArrayList<>();
    List<View> views = new ArrayList<>();
    synchronized (r) {
      if (c.shareable || c.users == 0) {
        return;
      }
      c.shareable = true;
      r.shared.add(c);
      for (Iterator<Waiter> it = r.waiting.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.done.compareAndSet(false, true)) {
          it.remove();
          c.users++;
          View v = new View(c);
          v.started = true;
          served.add(w);
          views.add(v);
        }
      }
    }
    onHttp2.accept(c.route);
    for (int i = 0; i < served.size(); i++) {
      Waiter w = served.get(i);
      Future<AsyncConnectionEndpoint> lease = w.poolLease;
      if (lease != null) {
        lease.cancel(false); // its pool lease is not needed (if it completes anyway, it goes back)
      }
      w.completed(views.get(i));
    }
  }

  @Override
  public void release(AsyncConnectionEndpoint endpoint, @Nullable Object newState, TimeValue validDuration) {
    if (!(endpoint instanceof View)) {
      pool.release(endpoint, newState, validDuration);
      return;
    }
    View v = (View) endpoint;
    if (v.released.compareAndSet(false, true)) {
      released(v, newState, validDuration);
    }
  }

  /** {@code v} was released, once: the connection goes back to the pool after its last exchange. */
  private void released(View v, @Nullable Object newState, TimeValue validDuration) {
    Connection c = v.connection;
    boolean last;
    boolean shared;
    Route r = routeOf(c.route);
    synchronized (r) {
      shared = c.shareable;
      if (shared && TimeValue.isPositive(validDuration)) {
        c.keepAlive = validDuration;
      }
      last = --c.users == 0;
      if (last && shared) {
        c.shareable = false;
        r.shared.remove(c);
      }
    }
    if (last) {
      // A shared connection whose last exchange was discarded is still good while it is open.
      TimeValue keepAlive = shared && c.endpoint.isConnected() && !TimeValue.isPositive(validDuration)
          ? c.keepAlive : validDuration;
      synchronized (returning) { // never back in the pool just after retireConnections closed it
        if (c.generation != generation.get()) {
          c.endpoint.close(CloseMode.GRACEFUL); // leased before a flush: never reused
          pool.release(c.endpoint, null, TimeValue.ZERO_MILLISECONDS);
          return;
        }
        pool.release(c.endpoint, newState, keepAlive);
      }
    }
  }

  @Override
  public Future<AsyncConnectionEndpoint> connect(AsyncConnectionEndpoint endpoint, ConnectionInitiator initiator,
      Timeout connectTimeout, @Nullable Object attachment, @Nullable HttpContext context,
      @Nullable FutureCallback<AsyncConnectionEndpoint> callback) {
    if (!(endpoint instanceof View)) {
      return pool.connect(endpoint, initiator, connectTimeout, attachment, context, callback);
    }
    View v = (View) endpoint;
    BasicFuture<AsyncConnectionEndpoint> result = new BasicFuture<>(callback);
    pool.connect(v.connection.endpoint, initiator, connectTimeout, attachment, context, relay(v, result));
    return result;
  }

  @Override
  public void upgrade(AsyncConnectionEndpoint endpoint, @Nullable Object attachment, @Nullable HttpContext context) {
    pool.upgrade(endpoint instanceof View ? ((View) endpoint).connection.endpoint : endpoint, attachment, context);
  }

  @Override
  public void upgrade(AsyncConnectionEndpoint endpoint, @Nullable Object attachment, @Nullable HttpContext context,
      @Nullable FutureCallback<AsyncConnectionEndpoint> callback) {
    if (!(endpoint instanceof View)) {
      pool.upgrade(endpoint, attachment, context, callback);
      return;
    }
    View v = (View) endpoint;
    pool.upgrade(v.connection.endpoint, attachment, context, relay(v, new BasicFuture<>(callback)));
  }

  /** Completes {@code result} with the view {@code v} when the pool's operation on its endpoint does. */
  private static FutureCallback<AsyncConnectionEndpoint> relay(AsyncConnectionEndpoint v,
      BasicFuture<AsyncConnectionEndpoint> result) {
    return new FutureCallback<>() {
      @Override
      public void completed(AsyncConnectionEndpoint ignored) {
        result.completed(v);
      }

      @Override
      public void failed(Exception ex) {
        result.failed(ex);
      }

      @Override
      public void cancelled() {
        result.cancel();
      }
    };
  }

  // --- the pool's controls and statistics ---

  @Override
  public void setMaxTotal(int max) {
    pool.setMaxTotal(max);
  }

  @Override
  public int getMaxTotal() {
    return pool.getMaxTotal();
  }

  @Override
  public void setDefaultMaxPerRoute(int max) {
    pool.setDefaultMaxPerRoute(max);
  }

  @Override
  public int getDefaultMaxPerRoute() {
    return pool.getDefaultMaxPerRoute();
  }

  @Override
  public void setMaxPerRoute(HttpRoute route, int max) {
    pool.setMaxPerRoute(route, max);
  }

  @Override
  public int getMaxPerRoute(HttpRoute route) {
    return pool.getMaxPerRoute(route);
  }

  @Override
  public void closeIdle(TimeValue idleTime) {
    pool.closeIdle(idleTime);
  }

  @Override
  public void closeExpired() {
    pool.closeExpired();
  }

  @Override
  public Set<HttpRoute> getRoutes() {
    return pool.getRoutes();
  }

  @Override
  public PoolStats getTotalStats() {
    return pool.getTotalStats();
  }

  @Override
  public PoolStats getStats(HttpRoute route) {
    return pool.getStats(route);
  }

  @Override
  public void close(CloseMode closeMode) {
    pool.close(closeMode);
  }

  @Override
  public void close() {
    pool.close();
  }
}
