package dev.urlsession;

import com.github.kagkarlsson.scheduler.ScheduledExecution;
import com.github.kagkarlsson.scheduler.ScheduledExecutionsFilter;
import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.jdbc.DefaultJdbcCustomization;
import com.github.kagkarlsson.scheduler.serializer.Serializer;
import com.github.kagkarlsson.scheduler.task.DeadExecutionHandler;
import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.urlsession.SessionException.BackgroundTaskCancelledReason;
import dev.urlsession.SessionException.Code;
import dev.urlsession.background.BackgroundStatistics;
import dev.urlsession.background.BackgroundStore;
import dev.urlsession.spi.SessionStatistics;
import dev.urlsession.internal.Checks;
import dev.urlsession.internal.SerialQueue;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.hsqldb.jdbc.JDBCDataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background session: hands downloads and uploads from files to a durable store
 * (db-scheduler over HSQLDB or the application's database) and reports their events to the
 * session delegate, including those of transfers that ended while no session was attached.
 *
 * <p>Each transfer is a db-scheduler execution whose {@code task_data} is a {@link Transfer}. A
 * scheduler thread runs it as an ordinary task of an internal default-kind session (all the HTTP,
 * redirect, authentication and Range/If-Range resume code), checkpointing downloads into
 * {@code transfers/<id>.checkpoint}. How it ended is written to {@code transfers/<id>.result}
 * before the execution is removed; the result is delivered to the delegate and then deleted.
 *
 * <p>Files under {@code <storageDirectory>/background/<identifier>/}: {@code session.lock},
 * {@code db/} (embedded store), {@code transfers/} (records), {@code downloads/} (partial files),
 * {@code finished/} (completed files until delivered), {@code resume-data.key}.
 */
final class BackgroundSession implements Session {
  private static final Logger log = LoggerFactory.getLogger(BackgroundSession.class);
  private static final Instant FAR_FUTURE = Instant.parse("2999-01-01T00:00:00Z");
  private static final Duration DELAY_ANSWER_TIMEOUT = Duration.ofMinutes(5);
  /** Added to the priority of a transfer with data on disk (task priorities are 1 to 1001). */
  private static final int RESUMING_PRIORITY = 2000;

  /** What db-scheduler does with an execution once a transfer run ended. */
  private interface DbCompletion extends com.github.kagkarlsson.scheduler.task.CompletionHandler<byte[]> {}

  /** db-scheduler's task data is our own bytes: no Java deserialization of shared data. */
  private static final Serializer BYTES = new Serializer() {
    @Override
    public byte[] serialize(Object data) {
      return data == null ? null : (byte[]) data;
    }

    @Override
    public <T> T deserialize(Class<T> clazz, byte[] serializedData) {
      return clazz.cast(serializedData);
    }
  };

  private final SessionConfiguration configuration;
  private final BackgroundStore store;
  private volatile @Nullable SessionDelegate delegate;
  private final Executor delegateQueue;
  final SerialQueue queue;
  private volatile @Nullable String sessionDescription;
  private final String identifier;
  private final String taskName;
  private final Path root;
  private final Path transfers;
  private final Path finished;
  private final @Nullable FileChannel lockChannel;
  private final DataSource dataSource;
  private final boolean embedded;
  private final String table;
  private final String idTable;
  private final CustomTask<byte[]> dbTask;
  private final Scheduler scheduler;
  private final RealSession worker;

  /** Tasks the application can see: created here, or found in the store. */
  private final Map<Long, BackgroundTask> tasks = new ConcurrentHashMap<>();
  /** Transfers running on this node. */
  private final Map<Long, Attempt> attempts = new ConcurrentHashMap<>();
  private final Map<SessionTask, Attempt> byWorkerTask = new ConcurrentHashMap<>();
  /**
   * Transfers whose result was claimed for delivery while their row may still be in the store (a
   * reset delivers a result the runner recorded before the runner's completion removes the row):
   * {@link #knownTasks()} must not bring them back. Pruned once the row is gone.
   */
  private final Set<Long> delivered = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean invalidated = new AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicLong retries = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong takeovers = new java.util.concurrent.atomic.AtomicLong();
  /** The last count of the store, reused for a second: gauges read statistics many times per scrape. */
  private volatile @Nullable StoreCount storeCount;

  private record StoreCount(long queued, @Nullable String error, long atNanos) {}
  private volatile java.util.concurrent.@Nullable ScheduledFuture<?> janitor;
  private final CompletableFuture<Void> invalid = new CompletableFuture<>();
  /** Results claimed for delivery whose events have not run yet (the delegate queue may be held). */
  private final java.util.concurrent.atomic.AtomicInteger delivering = new java.util.concurrent.atomic.AtomicInteger();
  /** Keeps the JVM running while transfers wait, retry or run ({@link BackgroundStore#keepsProcessAlive()}). */
  private final @Nullable ProcessKeepAlive keepAlive;

  private BackgroundSession(SessionConfiguration configuration, SessionDelegate delegate,
      @Nullable Executor delegateQueue) {
    this.configuration = configuration;
    this.store = configuration.backgroundStore() != null ? configuration.backgroundStore() : BackgroundStore.embedded();
    this.delegate = delegate;
    this.queue = delegateQueue == null ? SerialQueue.onDefaultPool() : new SerialQueue(delegateQueue);
    this.delegateQueue = delegateQueue == null ? queue : delegateQueue;
    this.identifier = configuration.identifier();
    this.taskName = "urlsession:" + identifier;
    Path storage = configuration.storageDirectory() != null
        ? configuration.storageDirectory() : SessionConfiguration.defaultStorageDirectory();
    this.root = storage.resolve("background").resolve(identifier);
    this.transfers = root.resolve("transfers");
    this.finished = root.resolve("finished");
    this.embedded = store.dataSource() == null;
    this.table = embedded ? "scheduled_tasks" : store.tableName();
    this.idTable = table + "_ids";
    FileChannel lock = null;
    boolean ok = false;
    try {
      Files.createDirectories(transfers);
      Files.createDirectories(finished);
      if (!store.clustered()) {
        lock = lockIdentifier(root, identifier);
      }
      this.lockChannel = lock;
      this.dataSource = embedded ? embeddedDataSource(root.resolve("db")) : store.dataSource();
      createTables();
      this.dbTask = Tasks.custom(taskName, byte[].class)
          .onDeadExecution((execution, ops) -> {
            // A node stopped heart-beating while running this transfer: this node takes it over.
            takeovers.incrementAndGet();
            new DeadExecutionHandler.ReviveDeadExecution<byte[]>().deadExecution(execution, ops);
          })
          .onFailure((complete, ops) -> ops.reschedule(complete, Instant.now().plus(store.retryInitialDelay())))
          .execute(this::execute);
      Duration heartbeat = store.takeoverWindow().dividedBy(8);
      int threads = configuration.discretionary() ? 1 : store.maxConcurrentTransfers();
      var builder = Scheduler.create(dataSource, dbTask)
          .tableName(table)
          .threads(threads)
          // Daemon threads, as everywhere in the library: a forgotten session must not keep the
          // JVM alive (its transfers are durable and continue with the next session anyway).
          .executorService(java.util.concurrent.Executors.newFixedThreadPool(threads,
              SerialQueue.daemonThreads("urlsession-background-" + identifier + "-")))
          .dueExecutor(java.util.concurrent.Executors.newSingleThreadExecutor(
              SerialQueue.daemonThreads("urlsession-background-due-" + identifier + "-")))
          .housekeeperExecutor(java.util.concurrent.Executors.newScheduledThreadPool(2,
              SerialQueue.daemonThreads("urlsession-background-heartbeat-" + identifier + "-")))
          .pollingInterval(store.pollingInterval())
          .heartbeatInterval(heartbeat)
          .missedHeartbeatsLimit(4)
          .serializer(BYTES)
          .enableImmediateExecution()
          .enablePriority()
          .deleteUnresolvedAfter(Duration.ofDays(36500))
          .schedulerName(new SchedulerName.Fixed(nodeName()))
          .shutdownMaxWait(Duration.ofSeconds(20));
      if (embedded) {
        builder.jdbcCustomization(new DefaultJdbcCustomization(false));
      }
      if (!embedded && isPostgres()) {
        builder.pollUsingLockAndFetch(0.5, 1.0);
      }
      this.scheduler = builder.build();
      SessionConfiguration.Builder workerConfig = configuration.toBuilder()
          .kind(SessionConfiguration.Kind.DEFAULT)
          .storageDirectory(root)
          .httpCache(null)
          .httpCookieStorage(configuration.httpCookieStorage())
          .backgroundStore(null);
      this.worker = RealSession.internal(workerConfig.build(), new WorkerDelegate());
      this.keepAlive = store.keepsProcessAlive()
          ? new ProcessKeepAlive("urlsession-background-keepalive-" + identifier, this::pendingTransfers,
              invalidated::get, 1000)
          : null;
      ok = true;
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("cannot open the background store of \"" + identifier + "\" in " + root
          + ": " + e.getMessage(), e);
    } finally {
      if (!ok && lock != null) {
        closeQuietly(lock);
      }
    }
  }

  static Session open(SessionConfiguration configuration, @Nullable SessionDelegate delegate,
      @Nullable Executor delegateQueue) {
    if (delegate == null) {
      throw new IllegalArgumentException("a background session needs a delegate: its events (also those of "
          + "transfers that ended while the application was down) can only go to a session delegate");
    }
    BackgroundSession s = new BackgroundSession(configuration, delegate, delegateQueue);
    try {
      s.attach();
    } catch (RuntimeException e) {
      s.shutdownStore();
      throw e;
    }
    return s;
  }

  // --- opening ---

  private static FileChannel lockIdentifier(Path root, String identifier) throws IOException {
    FileChannel c = FileChannel.open(root.resolve("session.lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock;
    String where;
    try {
      lock = c.tryLock();
      where = "another process";
    } catch (OverlappingFileLockException e) {
      lock = null;
      where = "another session of this process (invalidate it first)";
    }
    if (lock == null) {
      closeQuietly(c);
      SessionException busy = new SessionException(Code.BACKGROUND_SESSION_IN_USE_BY_ANOTHER_PROCESS, null,
          "The background session \"" + identifier + "\" is in use by " + where
              + "; only one process may open an identifier unless its store is clustered", null);
      throw new IllegalStateException(busy.getMessage(), busy);
    }
    return c;
  }

  private static DataSource embeddedDataSource(Path dir) throws IOException {
    Files.createDirectories(dir);
    JDBCDataSource ds = new JDBCDataSource();
    // write_delay=false: each commit is written and synced to the log before it returns.
    // lock_file=false: session.lock already keeps other processes out, and HSQLDB's own lock file
    // makes a restart after kill -9 wait ~10 s for the dead process's heartbeat to go stale.
    ds.setUrl("jdbc:hsqldb:file:" + dir.resolve("store") + ";hsqldb.write_delay=false;hsqldb.lock_file=false");
    ds.setUser("SA");
    ds.setPassword("");
    return ds;
  }

  private String nodeName() {
    String name = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
    return (name + "-" + Long.toHexString(System.nanoTime() & 0xffffff));
  }

  private boolean isPostgres() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return c.getMetaData().getDatabaseProductName().equals("PostgreSQL");
    }
  }

  private void createTables() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      boolean postgres = c.getMetaData().getDatabaseProductName().equals("PostgreSQL");
      if (!tableExists(c, table)) {
        String ddl = postgres
            ? "create table " + table + " (task_name text not null, task_instance text not null,"
                + " task_data bytea, execution_time timestamp with time zone not null,"
                + " picked boolean not null, picked_by text, last_success timestamp with time zone,"
                + " last_failure timestamp with time zone, consecutive_failures int,"
                + " last_heartbeat timestamp with time zone, version bigint not null, priority smallint,"
                + " primary key (task_name, task_instance))"
            : "create table " + table + " (task_name varchar(100), task_instance varchar(100),"
                + " task_data blob, execution_time timestamp with time zone, picked bit,"
                + " picked_by varchar(100), last_success timestamp with time zone,"
                + " last_failure timestamp with time zone, consecutive_failures int,"
                + " last_heartbeat timestamp with time zone, version bigint, priority smallint,"
                + " primary key (task_name, task_instance))";
        executeIgnoringExisting(c, ddl);
        executeIgnoringExisting(c, "create index " + table + "_exec_idx on " + table
            + " (priority desc, execution_time asc)");
        executeIgnoringExisting(c, "create index " + table + "_hb_idx on " + table + " (last_heartbeat)");
      }
      if (!tableExists(c, idTable)) {
        executeIgnoringExisting(c, "create table " + idTable
            + " (name varchar(200) not null primary key, last_id bigint not null)");
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
    }
  }

  private static boolean tableExists(Connection c, String name) throws SQLException {
    for (String n : new String[] {name, name.toUpperCase(java.util.Locale.ROOT), name.toLowerCase(java.util.Locale.ROOT)}) {
      try (ResultSet rs = c.getMetaData().getTables(null, null, n, new String[] {"TABLE"})) {
        if (rs.next()) {
          return true;
        }
      }
    }
    return false;
  }

  private static void executeIgnoringExisting(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (!m.contains("exist")) {
        throw e;
      }
      if (!c.getAutoCommit()) {
        c.rollback();
      }
    }
  }

  private static final int ID_BLOCK = 32;
  private long nextId;
  private long idLimit;

  /**
   * The next task identifier of this identifier, from 1, unique across nodes and restarts:
   * reserved from the store in blocks of {@value #ID_BLOCK} (one committed write per block).
   */
  private synchronized long nextTaskIdentifier() {
    if (nextId >= idLimit) {
      long last = reserveIdentifiers(ID_BLOCK);
      nextId = last - ID_BLOCK + 1;
      idLimit = last + 1;
    }
    return nextId++;
  }

  /** Reserves {@code n} identifiers; returns the last one. */
  private long reserveIdentifiers(int n) {
    for (int attempt = 0; ; attempt++) {
      try (Connection c = dataSource.getConnection()) {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
          int updated;
          try (PreparedStatement p = c.prepareStatement(
              "update " + idTable + " set last_id = last_id + ? where name = ?")) {
            p.setLong(1, n);
            p.setString(2, identifier);
            updated = p.executeUpdate();
          }
          if (updated == 0) {
            try (PreparedStatement p = c.prepareStatement("insert into " + idTable + " (name, last_id) values (?, ?)")) {
              p.setString(1, identifier);
              p.setLong(2, n);
              p.executeUpdate();
            }
          }
          long id;
          try (PreparedStatement p = c.prepareStatement("select last_id from " + idTable + " where name = ?")) {
            p.setString(1, identifier);
            try (ResultSet rs = p.executeQuery()) {
              rs.next();
              id = rs.getLong(1);
            }
          }
          c.commit();
          return id;
        } catch (SQLException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(auto);
        }
      } catch (SQLException e) {
        if (attempt >= 3) {
          throw new IllegalStateException("cannot allocate a background task identifier: " + e.getMessage(), e);
        }
      }
    }
  }

  /**
   * Re-attaches: frees the executions a crashed process of this node left picked (embedded and
   * single-node stores only: the lock proves nobody else runs them), shows the stored transfers,
   * delivers the events of transfers that ended while no session was attached, then starts
   * running transfers.
   */
  private void attach() {
    if (!store.clustered()) {
      releaseOwnPickedExecutions();
    }
    Set<Long> stored = new HashSet<>();
    scheduler.fetchScheduledExecutionsForTask(taskName, byte[].class, ScheduledExecutionsFilter.all(),
        (ScheduledExecution<byte[]> e) -> {
          try {
            Transfer t = Transfer.decode(e.getData());
            stored.add(t.id);
            BackgroundTask task = facadeFor(t);
            if (t.suspended) {
              task.markSuspended();
            }
            Path checkpoint = checkpointFile(t.id);
            if (Files.exists(checkpoint)) {
              ResumeData rd = ResumeData.from(Files.readAllBytes(checkpoint));
              task.received(rd.bytesReceived(), rd.expectedLength());
            }
          } catch (IOException | RuntimeException ex) {
            log.warn("Ignoring an unreadable background transfer {} of {}", e.getTaskInstance(), identifier, ex);
          }
        });
    int pending = 0;
    if (!store.clustered()) {
      recoverInterruptedDeliveries();
      cancelOrphans(stored); // their results are delivered below
      removeOrphanedFiles(stored);
      preferTransfersWithData(stored);
    }
    for (long id : storedResults()) {
      if (deliver(id)) {
        pending++;
      }
    }
    if (pending > 0) {
      queue.execute(() -> {
        SessionDelegate d = delegate;
        if (d != null) {
          try {
            d.didFinishEventsForBackgroundSession(this);
          } catch (RuntimeException e) {
            log.error("SessionDelegate.didFinishEventsForBackgroundSession threw", e);
          }
        }
      });
    }
    scheduler.start();
    if (keepAlive != null) {
      keepAlive.arm();
    }
    if (store.clustered()) {
      long every = Math.max(500, store.takeoverWindow().toMillis() / 4);
      janitor = dev.urlsession.internal.Scheduler.schedule(this::deliverOrphanedResults, Duration.ofMillis(every));
    }
  }

  /**
   * Clustered stores: a node that died between recording a result and delivering it leaves
   * {@code <id>.result} (or a claimed {@code <id>.delivering}) behind with no execution to
   * revive. Any live node delivers those once they are older than the takeover window.
   */
  private void deliverOrphanedResults() {
    if (invalidated.get()) {
      return;
    }
    long window = store.takeoverWindow().toMillis();
    long now = System.currentTimeMillis();
    try {
      for (Path p : list(transfers, "*.delivering")) {
        if (now - Files.getLastModifiedTime(p).toMillis() > 10 * window) {
          try {
            Files.move(p, resultFile(idOf(p)), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
          } catch (IOException e) {
            // another node took it
          }
        }
      }
      for (Path p : list(transfers, "*.result")) {
        long id = idOf(p);
        if (id >= 0 && now - Files.getLastModifiedTime(p).toMillis() > window && !attempts.containsKey(id)) {
          deliver(id);
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug("Looking for orphaned results of {} failed", identifier, e);
    } finally {
      if (!invalidated.get()) {
        long every = Math.max(500, window / 4);
        janitor = dev.urlsession.internal.Scheduler.schedule(this::deliverOrphanedResults, Duration.ofMillis(every));
      }
    }
  }

  private void releaseOwnPickedExecutions() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement("update " + table
            + " set picked = ?, picked_by = null, last_heartbeat = null, version = version + 1"
            + " where task_name = ? and picked = ?")) {
      p.setBoolean(1, false);
      p.setString(2, taskName);
      p.setBoolean(3, true);
      int n = p.executeUpdate();
      if (!c.getAutoCommit()) {
        c.commit();
      }
      if (n > 0) {
        log.info("Background session {}: {} transfer(s) interrupted by a crash resume now", identifier, n);
      }
    } catch (SQLException e) {
      log.warn("Could not release interrupted transfers of {}; they resume after the takeover window",
          identifier, e);
    }
  }

  /** A crash during delivery: deliver again (at least once). */
  private void recoverInterruptedDeliveries() {
    for (Path p : list(transfers, "*.delivering")) {
      try {
        Files.move(p, transfers.resolve(p.getFileName().toString().replace(".delivering", ".result")));
      } catch (IOException e) {
        log.warn("Could not recover {}", p, e);
      }
    }
  }

  /**
   * Transfers recorded on disk ({@code <id>.task}) whose execution is gone and that have no
   * result: the store was wiped or reset. They complete with {@code CANCELLED} and
   * {@code USER_FORCE_QUIT_APPLICATION}.
   */
  private void cancelOrphans(Set<Long> stored) {
    for (Path p : list(transfers, "*.task")) {
      long id = idOf(p);
      if (id < 0 || stored.contains(id) || Files.exists(resultFile(id))) {
        continue;
      }
      try {
        Transfer t = Transfer.decode(Files.readAllBytes(p));
        writeResult(TransferResult.failure(t, Code.CANCELLED, BackgroundTaskCancelledReason.USER_FORCE_QUIT_APPLICATION,
            "The transfer's record was removed from the background store (store wiped or session reset)"));
      } catch (IOException | RuntimeException e) {
        log.warn("Ignoring unreadable background transfer record {}", p, e);
      }
    }
  }

  /**
   * Deletes files no transfer owns (single node, before any transfer runs, so nothing is being
   * written): partial downloads of transfers that crashed before their first checkpoint, and
   * finished files whose transfer has neither an execution nor a result. Partial files of
   * checkpoints, and of resume data handed to the application ({@code .resume}), stay.
   */
  private void removeOrphanedFiles(Set<Long> stored) {
    Set<Path> owned = new HashSet<>();
    for (Path cp : list(transfers, "*.checkpoint")) {
      try {
        owned.add(ResumeData.from(Files.readAllBytes(cp)).partialFile().toAbsolutePath().normalize());
      } catch (IOException | RuntimeException e) {
        log.debug("Unreadable checkpoint {}", cp, e);
      }
    }
    int removed = 0;
    for (Path partial : list(root.resolve("downloads"), "urlsession-download-*.tmp")) {
      if (!owned.contains(partial.toAbsolutePath().normalize()) && deleteQuietly(partial)) {
        removed++;
      }
    }
    for (Path done : list(finished, "*.download")) {
      long id = idOf(done);
      if (id >= 0 && !stored.contains(id) && !Files.exists(resultFile(id)) && !Files.exists(deliveringFile(id))
          && deleteQuietly(done)) {
        removed++;
      }
    }
    if (removed > 0) {
      log.info("Background session {}: removed {} file(s) that no transfer owns (left by a crash)", identifier,
          removed);
    }
  }

  /**
   * Raises the priority of stored transfers that already have data on disk, so that after a
   * restart they continue before transfers that have not started. Single node, before the
   * scheduler starts.
   */
  private void preferTransfersWithData(Set<Long> stored) {
    List<Long> withData = new ArrayList<>();
    for (long id : stored) {
      if (Files.exists(checkpointFile(id))) {
        withData.add(id);
      }
    }
    if (withData.isEmpty()) {
      return;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement("update " + table + " set priority = priority + ?"
            + " where task_name = ? and task_instance = ? and priority < ?")) {
      for (long id : withData) {
        p.setInt(1, RESUMING_PRIORITY);
        p.setString(2, taskName);
        p.setString(3, String.valueOf(id));
        p.setInt(4, RESUMING_PRIORITY);
        p.addBatch();
      }
      p.executeBatch();
      if (!c.getAutoCommit()) {
        c.commit();
      }
    } catch (SQLException e) {
      log.warn("Could not put the transfers of {} that have data first", identifier, e);
    }
  }

  /**
   * Work that keeps the process alive: transfers in the store that are not suspended (waiting,
   * retrying or running, on any node) and results whose events were not delivered yet.
   */
  private long pendingTransfers() {
    return storedPending() + delivering.get();
  }

  private long storedPending() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement("select count(*) from " + table
            + " where task_name = ? and execution_time < ?")) {
      p.setString(1, taskName);
      p.setTimestamp(2, java.sql.Timestamp.from(FAR_FUTURE));
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private List<Long> storedResults() {
    List<Long> ids = new ArrayList<>();
    for (Path p : list(transfers, "*.result")) {
      long id = idOf(p);
      if (id >= 0) {
        ids.add(id);
      }
    }
    ids.sort(null);
    return ids;
  }

  private static List<Path> list(Path dir, String glob) {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob)) {
      for (Path p : s) {
        out.add(p);
      }
    } catch (NoSuchFileException e) {
      // nothing there yet
    } catch (IOException e) {
      log.warn("Could not list {}", dir, e);
    }
    return out;
  }

  private static long idOf(Path p) {
    String name = p.getFileName().toString();
    int dot = name.indexOf('.');
    try {
      return Long.parseLong(dot < 0 ? name : name.substring(0, dot));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private Path taskFile(long id) {
    return transfers.resolve(id + ".task");
  }

  private Path checkpointFile(long id) {
    return transfers.resolve(id + ".checkpoint");
  }

  private Path resultFile(long id) {
    return transfers.resolve(id + ".result");
  }

  private Path deliveringFile(long id) {
    return transfers.resolve(id + ".delivering");
  }

  private Path cancelMarker(long id) {
    return transfers.resolve(id + ".cancel");
  }

  private BackgroundTask facadeFor(Transfer t) {
    return tasks.computeIfAbsent(t.id, id -> {
      BackgroundTask task = BackgroundTask.create(this, id, t.request, t.uploadFile, null, true);
      task.taskDescription(t.description);
      if (t.earliestBeginMillis >= 0) {
        task.earliestBeginDate(Instant.ofEpochMilli(t.earliestBeginMillis));
      }
      return task;
    });
  }

  // --- configuration and identity ---

  @Override
  public SessionConfiguration configuration() {
    return configuration;
  }

  @Override
  public @Nullable SessionDelegate delegate() {
    return delegate;
  }

  @Override
  public Executor delegateQueue() {
    return delegateQueue;
  }

  @Override
  public @Nullable String sessionDescription() {
    return sessionDescription;
  }

  @Override
  public void sessionDescription(@Nullable String description) {
    this.sessionDescription = description;
  }

  // --- creating tasks ---

  private void checkValid() {
    if (invalidated.get()) {
      throw new IllegalStateException("Task created in a session that has been invalidated");
    }
  }

  private static void checkUrl(URI url) {
    String scheme = url.getScheme();
    if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
      throw new IllegalArgumentException("background sessions transfer only http and https URLs, not " + scheme
          + ": " + SessionException.redact(url));
    }
  }

  private static IllegalArgumentException unsupported(String what) {
    return new IllegalArgumentException(what + " are not supported in background sessions: only download tasks"
        + " and upload tasks from a file, reporting to the session delegate, can outlive the process");
  }

  private BackgroundTask newTask(Request request, @Nullable Path file, @Nullable ResumeData resumeFrom) {
    Checks.notNull(request, "request");
    checkValid();
    checkUrl(request.url());
    if (file == null && request.bodyLength() > 0) {
      throw unsupported("Download requests with a body");
    }
    BackgroundTask task = BackgroundTask.create(this, nextTaskIdentifier(), request,
        file == null ? null : file.toAbsolutePath(), resumeFrom, false);
    tasks.put(task.taskIdentifier(), task);
    SessionDelegate d = delegate;
    if (d instanceof TaskDelegate && Delegates.implementsMethod(d, "didCreateTask")) {
      queue.execute(guarded("didCreateTask", () -> ((TaskDelegate) d).didCreateTask(this, task)));
    }
    return task;
  }

  @Override
  public DownloadTask downloadTask(URI url) {
    return downloadTask(Request.get(Checks.notNull(url, "url")));
  }

  @Override
  public DownloadTask downloadTask(Request request) {
    return (DownloadTask) newTask(request, null, null);
  }

  @Override
  public DownloadTask downloadTask(ResumeData resumeData) {
    Checks.notNull(resumeData, "resumeData");
    return (DownloadTask) newTask(resumeData.request(), null, resumeData);
  }

  @Override
  public UploadTask uploadTask(Request request, Path file) {
    Checks.notNull(file, "file");
    return (UploadTask) newTask(request, file, null);
  }

  @Override
  public DataTask dataTask(URI url) {
    throw unsupported("Data tasks");
  }

  @Override
  public DataTask dataTask(Request request) {
    throw unsupported("Data tasks");
  }

  @Override
  public DataTask dataTask(URI url, CompletionHandler<byte[]> completionHandler) {
    throw unsupported("Completion handlers");
  }

  @Override
  public DataTask dataTask(Request request, CompletionHandler<byte[]> completionHandler) {
    throw unsupported("Completion handlers");
  }

  @Override
  public UploadTask uploadTask(Request request, byte[] body) {
    throw unsupported("Uploads from bytes in memory");
  }

  @Override
  public UploadTask uploadTask(Request request, byte[] body, CompletionHandler<byte[]> completionHandler) {
    throw unsupported("Uploads from bytes in memory");
  }

  @Override
  public UploadTask uploadTask(Request request, Path file, CompletionHandler<byte[]> completionHandler) {
    throw unsupported("Completion handlers");
  }

  @Override
  public UploadTask uploadTask(Request streamedRequest) {
    throw unsupported("Uploads from a stream");
  }

  @Override
  public DownloadTask downloadTask(URI url, CompletionHandler<Path> completionHandler) {
    throw unsupported("Completion handlers");
  }

  @Override
  public DownloadTask downloadTask(Request request, CompletionHandler<Path> completionHandler) {
    throw unsupported("Completion handlers");
  }

  @Override
  public DownloadTask downloadTask(ResumeData resumeData, CompletionHandler<Path> completionHandler) {
    throw unsupported("Completion handlers");
  }

  @Override
  public CompletableFuture<DataResponse> upload(Request request, byte[] body) {
    throw unsupported("Futures (completion handlers)");
  }

  @Override
  public CompletableFuture<DataResponse> upload(Request request, Path file) {
    throw unsupported("Futures (completion handlers)");
  }

  @Override
  public CompletableFuture<DownloadResponse> download(Request request) {
    throw unsupported("Futures (completion handlers)");
  }

  @Override
  public CompletableFuture<DownloadResponse> download(Request request, @Nullable TaskDelegate delegate) {
    throw unsupported("Futures (completion handlers)");
  }

  @Override
  public CompletableFuture<DownloadResponse> download(ResumeData resumeData) {
    throw unsupported("Futures (completion handlers)");
  }

  @Override
  public CompletableFuture<DataResponse> data(Request request) {
    throw unsupported("Futures (completion handlers)");
  }

  @Override
  public CompletableFuture<DataResponse> data(Request request, @Nullable TaskDelegate delegate) {
    throw unsupported("Futures (completion handlers)");
  }

  // --- task operations (called by BackgroundTask without its lock) ---

  /** Records the transfer durably ({@code <id>.task}, then the execution) and returns. */
  void enqueue(BackgroundTask task) {
    long now = System.currentTimeMillis();
    Instant earliest = task.earliestBeginDate();
    long deadline = saturatedAdd(now, configuration.timeoutIntervalForResource().toMillis());
    Transfer t = new Transfer(task.taskIdentifier(), task.isUpload(), task.originalRequest(), task.uploadFile,
        task.taskDescription(), now, deadline, earliest == null ? -1 : earliest.toEpochMilli(), false, false,
        task.resumeFrom == null ? null : task.resumeFrom.toByteArray());
    try {
      if (invalidated.get()) {
        throw new IllegalStateException("the session was invalidated");
      }
      byte[] data = t.encode();
      // Not forced: the execution row is the durable record; this copy only lets a later attach
      // tell that the store lost a transfer (USER_FORCE_QUIT_APPLICATION).
      Files.write(taskFile(t.id), data);
      Instant when = earliest != null && earliest.isAfter(Instant.now()) ? earliest : Instant.now();
      scheduler.scheduleIfNotExists(dbTask.instanceBuilder(String.valueOf(t.id)).data(data)
          .priority(priorityOf(task)).scheduledTo(when));
      task.stored = true;
      if (keepAlive != null) {
        keepAlive.arm();
      }
    } catch (IOException | RuntimeException e) {
      log.error("Could not store background transfer {}", task, e);
      completeLocally(task, new SessionException(Code.CANNOT_WRITE_TO_FILE, task.originalRequest().url(),
          "The transfer could not be stored in the background store: " + e.getMessage(), e));
    }
  }

  private int priorityOf(BackgroundTask task) {
    return configuration.discretionary() ? 0 : 1 + Math.round(task.priority() * 1000);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  void suspendTransfer(BackgroundTask task) {
    retrying(task, 0, () -> {
      if (task.state() != SessionTask.State.SUSPENDED) {
        return true; // resumed meanwhile
      }
      Attempt a = attempts.get(task.taskIdentifier());
      if (a != null) {
        a.resumeAfterSuspend = false;
        a.stop(Stop.SUSPEND);
        return true;
      }
      return rewrite(task.taskIdentifier(), FAR_FUTURE, t -> t.withSuspended(true));
    });
  }

  void resumeTransfer(BackgroundTask task) {
    retrying(task, 0, () -> {
      if (task.state() != SessionTask.State.RUNNING) {
        return true; // suspended again meanwhile
      }
      Attempt a = attempts.get(task.taskIdentifier());
      if (a != null) {
        synchronized (a) {
          if (!a.closed) {
            a.resumeAfterSuspend = true; // runs on, or is rescheduled at once when it stops
            return true;
          }
        }
      }
      boolean done = rewrite(task.taskIdentifier(), Instant.now(), t -> t.withSuspended(false));
      if (done && keepAlive != null) {
        keepAlive.arm();
      }
      return done;
    });
  }

  /**
   * Runs {@code op} until it succeeds: an execution being picked or completed (here, or on
   * another node) cannot be rewritten for a moment. Tries for about 30 s.
   */
  private void retrying(BackgroundTask task, int attempt, java.util.function.BooleanSupplier op) {
    if (invalidated.get() || op.getAsBoolean()) {
      return;
    }
    if (attempt >= 300) {
      log.warn("Could not change background transfer {} of {}: it stays as it was", task, identifier);
      return;
    }
    dev.urlsession.internal.Scheduler.schedule(
        () -> retrying(task, attempt + 1, op), Duration.ofMillis(100));
  }

  /** Rewrites a stored, not running execution; false when it is running (picked). */
  private boolean rewrite(long id, Instant when, java.util.function.UnaryOperator<Transfer> change) {
    TaskInstanceId instance = TaskInstanceId.of(taskName, String.valueOf(id));
    try {
      var e = scheduler.getScheduledExecution(instance);
      if (e.isEmpty()) {
        return true; // completed meanwhile
      }
      if (e.get().isPicked()) {
        return false;
      }
      Transfer t = change.apply(Transfer.decode((byte[]) e.get().getData()));
      return scheduler.reschedule(instance, when, t.encode());
    } catch (RuntimeException ex) {
      log.debug("Could not reschedule background transfer {} of {} yet", id, identifier, ex);
      return false;
    }
  }

  void cancelTransfer(BackgroundTask task, boolean stored) {
    if (!stored) {
      completeLocally(task, new SessionException(Code.CANCELLED, task.originalRequest().url()));
      return;
    }
    cancelStored(task.taskIdentifier(), Stop.CANCEL);
  }

  /** Cancels a stored transfer wherever it is; returns the attempt when it runs here. */
  private @Nullable Attempt cancelStored(long id, Stop how) {
    try {
      Transfer.writeDurably(cancelMarker(id), new byte[0]);
    } catch (IOException e) {
      log.warn("Could not write the cancellation marker of background transfer {}", id, e);
    }
    Attempt a = attempts.get(id);
    if (a != null) {
      a.stop(how);
      return a;
    }
    TaskInstanceId instance = TaskInstanceId.of(taskName, String.valueOf(id));
    try {
      var e = scheduler.getScheduledExecution(instance);
      if (e.isPresent() && !e.get().isPicked()) {
        Transfer t = Transfer.decode((byte[]) e.get().getData());
        scheduler.cancel(instance);
        writeResult(TransferResult.failure(t, Code.CANCELLED, null, null));
        deleteQuietly(checkpointFile(id));
        deliver(id);
      }
    } catch (IOException | RuntimeException e) {
      // picked meanwhile (here or on another node): the runner sees the marker and stops
      log.debug("Background transfer {} is being picked; its runner will see the cancellation", id, e);
    }
    return null;
  }

  CompletableFuture<@Nullable ResumeData> cancelProducingResumeData(BackgroundTask task) {
    CompletableFuture<@Nullable ResumeData> f = new CompletableFuture<>();
    if (!task.isEnqueued()) {
      task.cancel();
      queue.execute(() -> f.complete(null));
      return f;
    }
    Attempt a = attempts.get(task.taskIdentifier());
    if (a != null) {
      a.resumeDataWanted = f;
    }
    task.cancel();
    if (a == null) {
      queue.execute(() -> f.complete(null));
    }
    return f;
  }

  /** Completes a task that never reached the store (or could not be stored). */
  private void completeLocally(BackgroundTask task, SessionException error) {
    tasks.remove(task.taskIdentifier());
    queue.execute(() -> {
      task.completed(null, error, 0, -1, 0);
      SessionDelegate d = delegate;
      if (d instanceof TaskDelegate) {
        guarded("didComplete", () -> ((TaskDelegate) d).didComplete(this, task, error)).run();
      }
      task.finishCompletion();
    });
  }

  // --- running a transfer (db-scheduler thread) ---

  private enum Stop {
    NONE,
    DETACH,
    CANCEL,
    SUSPEND
  }

  /** One run of a transfer on this node. */
  private final class Attempt {
    final Transfer transfer;
    final BackgroundTask task;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    volatile Stop stop = Stop.NONE;
    volatile boolean resumeAfterSuspend;
    /** Set (under the attempt's lock) once its outcome is being decided. */
    boolean closed;
    volatile @Nullable BackgroundTaskCancelledReason cancelReason;
    volatile @Nullable RealTask workerTask;
    volatile @Nullable CompletableFuture<@Nullable ResumeData> resumeDataWanted;
    volatile @Nullable CompletableFuture<@Nullable ResumeData> stopped;
    volatile @Nullable Path finishedFile;
    volatile @Nullable Response response;
    volatile @Nullable SessionException error;
    volatile long received;
    volatile long expected = -1;
    volatile long sent;

    Attempt(Transfer transfer, BackgroundTask task) {
      this.transfer = transfer;
      this.task = task;
    }

    synchronized void stop(Stop how) {
      if (stop != Stop.NONE && how != Stop.CANCEL) {
        return;
      }
      stop = how;
      RealTask w = workerTask;
      if (w == null) {
        return;
      }
      if (w instanceof RealDownloadTask) {
        stopped = ((RealDownloadTask) w).cancelByProducingResumeData();
      } else {
        w.cancel();
      }
    }
  }

  private DbCompletion execute(TaskInstance<byte[]> instance, ExecutionContext ctx) {
    Transfer t = Transfer.decode(instance.getData());
    if (Files.exists(resultFile(t.id)) || Files.exists(deliveringFile(t.id))) {
      return removeThenDeliver(t.id); // ended before a crash removed the execution
    }
    TransferResult given = preflight(t);
    if (given != null) {
      return finish(given);
    }
    if (t.suspended) {
      return (c, ops) -> ops.reschedule(c, FAR_FUTURE);
    }
    BackgroundTask task = facadeFor(t);
    if (t.earliestBeginMillis >= 0 && !t.delayAnswered) {
      Transfer answered = askDelayedRequest(t, task);
      if (answered == null) {
        return finish(TransferResult.failure(t, Code.CANCELLED, null, "willBeginDelayedRequest cancelled it"));
      }
      t = answered;
    }
    Attempt a = new Attempt(t, task);
    attempts.put(t.id, a);
    try {
      start(a);
      while (!a.done.isDone()) {
        try {
          a.done.get(200, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          if (ctx.getSchedulerState().isShuttingDown() || invalidated.get()) {
            a.stop(Stop.DETACH);
          } else if (Files.exists(cancelMarker(t.id))) {
            a.stop(Stop.CANCEL);
          }
        } catch (InterruptedException e) {
          a.stop(Stop.DETACH);
          Thread.currentThread().interrupt();
          a.done.get(10, TimeUnit.SECONDS);
        }
      }
      return decide(a, ctx);
    } catch (IOException | ExecutionException | InterruptedException | TimeoutException | RuntimeException e) {
      log.warn("Background transfer {} of {} failed to run; retrying", t.id, identifier, e);
      return retryLater(t, ctx);
    } finally {
      attempts.remove(t.id);
      RealTask w = a.workerTask;
      if (w != null) {
        byWorkerTask.remove(w);
      }
    }
  }

  /** A reason to give the transfer up before running it, or null. */
  private @Nullable TransferResult preflight(Transfer t) {
    if (Files.exists(cancelMarker(t.id))) {
      return TransferResult.failure(t, Code.CANCELLED, null, null);
    }
    if (!store.transfersEnabled()) {
      return TransferResult.failure(t, Code.CANCELLED, BackgroundTaskCancelledReason.BACKGROUND_UPDATES_DISABLED,
          "Background transfers are switched off by configuration");
    }
    if (System.currentTimeMillis() >= t.deadlineMillis) {
      return TransferResult.failure(t, Code.TIMED_OUT, null,
          "The transfer did not complete within timeoutIntervalForResource");
    }
    if (!t.upload && lacksSpace(t)) {
      return TransferResult.failure(t, Code.CANCELLED, BackgroundTaskCancelledReason.INSUFFICIENT_SYSTEM_RESOURCES,
          "Not enough free space under " + root);
    }
    return null;
  }

  private boolean lacksSpace(Transfer t) {
    if (store.minimumFreeSpace() == 0) {
      return false;
    }
    try {
      long usable = Files.getFileStore(root).getUsableSpace();
      long needed = store.minimumFreeSpace();
      Path cp = checkpointFile(t.id);
      if (Files.exists(cp)) {
        ResumeData rd = ResumeData.from(Files.readAllBytes(cp));
        if (rd.expectedLength() > 0) {
          needed += rd.expectedLength() - rd.bytesReceived();
        }
      }
      return usable < needed;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Asks willBeginDelayedRequest; the transfer to run, or null to cancel it. */
  private @Nullable Transfer askDelayedRequest(Transfer t, BackgroundTask task) {
    SessionDelegate d = delegate;
    if (!(d instanceof TaskDelegate) || !Delegates.implementsMethod(d, "willBeginDelayedRequest")) {
      return t.withDelayAnswered();
    }
    CompletableFuture<DelayedRequestDisposition> answer = new CompletableFuture<>();
    queue.execute(guarded("willBeginDelayedRequest",
        () -> ((TaskDelegate) d).willBeginDelayedRequest(this, task, t.request, answer::complete)));
    try {
      DelayedRequestDisposition disposition = answer.get(DELAY_ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (disposition.isCancel()) {
        return null;
      }
      Request replacement = disposition.newRequest();
      return replacement != null ? t.withRequest(replacement) : t.withDelayAnswered();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return t.withDelayAnswered();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("willBeginDelayedRequest did not answer for {}; continuing", task);
      return t.withDelayAnswered();
    }
  }

  private void start(Attempt a) throws IOException {
    Transfer t = a.transfer;
    RealTask w;
    if (t.upload) {
      w = worker.newFileUpload(t.request, t.uploadFile);
    } else {
      ResumeData from = usableCheckpoint(t);
      Checkpointer cp = new Checkpointer() {
        @Override
        public long intervalBytes() {
          return store.checkpointBytes();
        }

        @Override
        public long intervalNanos() {
          return store.checkpointInterval().toNanos();
        }

        @Override
        public void checkpoint(ResumeData data) throws IOException {
          Transfer.writeDurably(checkpointFile(t.id), data.toByteArray());
        }
      };
      w = worker.newCheckpointedDownload(from != null ? from.request() : t.request, from, cp);
    }
    synchronized (a) {
      a.workerTask = w;
      byWorkerTask.put(w, a);
      if (a.stop != Stop.NONE) {
        Stop how = a.stop;
        a.stop = Stop.NONE;
        a.stop(how);
      }
    }
    w.resume();
  }

  /** The checkpoint (or the resume data the task was created with) when its partial file is still there. */
  private @Nullable ResumeData usableCheckpoint(Transfer t) {
    byte[] bytes = null;
    Path cp = checkpointFile(t.id);
    try {
      if (Files.exists(cp)) {
        bytes = Files.readAllBytes(cp);
      }
    } catch (IOException e) {
      log.warn("Unreadable checkpoint {}; starting over", cp, e);
    }
    if (bytes == null) {
      bytes = t.resumeData;
    }
    if (bytes == null) {
      return null;
    }
    try {
      ResumeData rd = ResumeData.from(bytes);
      if (Files.isRegularFile(rd.partialFile()) && Files.size(rd.partialFile()) >= rd.bytesReceived()) {
        return rd;
      }
    } catch (IOException | RuntimeException e) {
      log.warn("Unusable checkpoint of background transfer {}; starting over", t.id, e);
    }
    deleteQuietly(cp);
    return null;
  }

  private DbCompletion decide(Attempt a, ExecutionContext ctx) {
    Transfer t = a.transfer;
    SessionException e = a.error;
    Stop stop = a.stop;
    ResumeData produced = e != null ? e.resumeData().orElse(null) : null;
    if (!t.upload) {
      try {
        if (produced != null) {
          Transfer.writeDurably(checkpointFile(t.id), produced.toByteArray());
        } else if (e != null && e.code() != Code.CANCELLED) {
          deleteQuietly(checkpointFile(t.id)); // the partial file is gone
        }
      } catch (IOException io) {
        log.warn("Could not save the checkpoint of background transfer {}", t.id, io);
      }
    }
    if (stop == Stop.CANCEL) {
      deleteFinished(a);
      CompletableFuture<@Nullable ResumeData> wanted = a.resumeDataWanted;
      if (wanted != null) {
        ResumeData handedOut = handOut(produced);
        queue.execute(() -> wanted.complete(handedOut));
      } else if (produced != null) {
        deleteQuietly(produced.partialFile());
      }
      deleteQuietly(checkpointFile(t.id));
      BackgroundTaskCancelledReason reason = a.cancelReason;
      return finish(new TransferResult(t, a.response, Code.CANCELLED, reason,
          reason == null ? null : "The background session was reset", null, a.received, a.expected, a.sent));
    }
    if (stop == Stop.DETACH) {
      deleteFinished(a);
      return (c, ops) -> ops.reschedule(c, Instant.now(), t.encode());
    }
    if (stop == Stop.SUSPEND) {
      deleteFinished(a);
      boolean resumeNow;
      synchronized (a) {
        a.closed = true;
        resumeNow = a.resumeAfterSuspend;
      }
      if (resumeNow) {
        return (c, ops) -> ops.reschedule(c, Instant.now(), t.encode());
      }
      return (c, ops) -> ops.reschedule(c, FAR_FUTURE, t.withSuspended(true).encode());
    }
    if (e == null) {
      Response r = a.response;
      if (r != null && r.statusCode() >= 500) {
        deleteFinished(a);
        deleteQuietly(checkpointFile(t.id));
        return retryLater(t, ctx);
      }
      return finish(new TransferResult(t, r, null, null, null, a.finishedFile, a.received, a.expected, a.sent));
    }
    if (isNoSpace(e)) {
      deleteQuietly(checkpointFile(t.id));
      if (produced != null) {
        deleteQuietly(produced.partialFile());
      }
      return finish(TransferResult.failure(t, Code.CANCELLED, BackgroundTaskCancelledReason.INSUFFICIENT_SYSTEM_RESOURCES,
          "Not enough free space under " + root + ": " + e.getMessage()));
    }
    if (isTransient(e)) {
      return retryLater(t, ctx);
    }
    return finish(new TransferResult(t, a.response, e.code(), null, e.getMessage(), null, a.received, a.expected, a.sent));
  }

  /**
   * Resume data for the application: its partial file is renamed from {@code .tmp} to
   * {@code .resume}, so that cleaning up after a crash never deletes data the application holds.
   */
  private @Nullable ResumeData handOut(@Nullable ResumeData produced) {
    if (produced == null) {
      return null;
    }
    Path partial = produced.partialFile();
    String name = partial.getFileName().toString();
    if (!name.endsWith(".tmp")) {
      return produced;
    }
    Path kept = partial.resolveSibling(name.substring(0, name.length() - 4) + ".resume");
    try {
      Files.move(partial, kept, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return ResumeData.create(produced.request(), kept, produced.bytesReceived(), produced.entityTag(),
          produced.lastModified(), produced.expectedLength(), worker.resumeKey());
    } catch (IOException e) {
      log.warn("Could not set the partial file {} aside; the resume data keeps it where it is", partial, e);
      return produced;
    }
  }

  private void deleteFinished(Attempt a) {
    Path f = a.finishedFile;
    if (f != null) {
      deleteQuietly(f);
    }
  }

  private static boolean isTransient(SessionException e) {
    switch (e.code()) {
      case TIMED_OUT:
      case NETWORK_CONNECTION_LOST:
      case CANNOT_CONNECT_TO_HOST:
      case CANNOT_FIND_HOST:
      case DNS_LOOKUP_FAILED:
      case NOT_CONNECTED_TO_INTERNET:
      case BAD_SERVER_RESPONSE:
        return true;
      default:
        return false;
    }
  }

  private static boolean isNoSpace(SessionException e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      String m = c.getMessage();
      if (m != null && m.contains("No space left on device")) {
        return true;
      }
    }
    return false;
  }

  private DbCompletion retryLater(Transfer t, ExecutionContext ctx) {
    retries.incrementAndGet();
    int failures = ctx.getExecution().consecutiveFailures;
    long base = store.retryInitialDelay().toMillis();
    long delay = Math.min(store.retryMaximumDelay().toMillis(), base << Math.min(failures, 30));
    long when = System.currentTimeMillis() + delay;
    if (when >= t.deadlineMillis) {
      return finish(TransferResult.failure(t, Code.TIMED_OUT, null,
          "The transfer did not complete within timeoutIntervalForResource"));
    }
    return (c, ops) -> ops.reschedule(
        com.github.kagkarlsson.scheduler.task.ExecutionComplete.failure(c.getExecution(), c.getTimeDone(),
            c.getTimeDone(), null),
        Instant.ofEpochMilli(when), t.encode());
  }

  /** Records the result durably; the execution is then removed and the events delivered. */
  private DbCompletion finish(TransferResult result) {
    try {
      writeResult(result);
    } catch (IOException e) {
      log.error("Could not record the result of background transfer {}; it will run again",
          result.transfer.id, e);
      return (c, ops) -> ops.reschedule(c, Instant.now().plus(store.retryInitialDelay()));
    }
    return removeThenDeliver(result.transfer.id);
  }

  private DbCompletion removeThenDeliver(long id) {
    return (c, ops) -> {
      delivering.incrementAndGet(); // from the row's removal on, the delivery keeps the process alive
      try {
        ops.remove();
        deleteQuietly(cancelMarker(id));
        deliver(id);
        delivered.remove(id); // the row is gone: nothing can show the transfer again
      } finally {
        delivering.decrementAndGet();
      }
    };
  }

  private void writeResult(TransferResult r) throws IOException {
    Transfer.writeDurably(resultFile(r.transfer.id), r.encode());
  }

  /**
   * Claims a result (an atomic rename, so one node delivers it) and posts its events; the
   * records and files go once the delegate returned. False when another node claimed it.
   */
  private boolean deliver(long id) {
    Path claimed = deliveringFile(id);
    TransferResult r;
    try {
      Files.move(resultFile(id), claimed, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      r = TransferResult.decode(Files.readAllBytes(claimed));
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException | RuntimeException e) {
      log.error("Unreadable result of background transfer {} of {}", id, identifier, e);
      return false;
    }
    BackgroundTask task = facadeFor(r.transfer);
    delivered.add(id);
    Path fileDelivered = transfers.resolve(id + ".file-delivered");
    delivering.incrementAndGet();
    queue.execute(() -> {
      try {
        postEvents(id, r, task, claimed, fileDelivered);
      } finally {
        delivering.decrementAndGet();
      }
    });
    return true;
  }

  /** Posts the events of a claimed result (on the delegate queue). */
  private void postEvents(long id, TransferResult r, BackgroundTask task, Path claimed, Path fileDelivered) {
    SessionException error = r.error();
    task.completed(r.response, error, r.bytesReceived, r.bytesExpected, r.bytesSent);
    SessionDelegate d = delegate;
    if (r.file != null && error == null && d instanceof DownloadDelegate && task instanceof DownloadTask
        && !Files.exists(fileDelivered)) {
      if (!acknowledged(() -> ((DownloadDelegate) d).didFinishDownloadingTo(this, (DownloadTask) task, r.file))) {
        keepForRedelivery(id, claimed, r.file);
        return;
      }
      deleteQuietly(r.file);
      try {
        // A crash from here on redelivers didComplete only.
        Transfer.writeDurably(fileDelivered, new byte[0]);
      } catch (IOException e) {
        log.warn("Could not record the delivery of {}", r.file, e);
      }
    }
    if (d instanceof TaskDelegate) {
      guarded("didComplete", () -> ((TaskDelegate) d).didComplete(this, task, error)).run();
    }
    if (r.file != null) {
      deleteQuietly(r.file);
    }
    deleteQuietly(checkpointFile(id));
    deleteQuietly(taskFile(id));
    deleteQuietly(claimed);
    deleteQuietly(fileDelivered);
    tasks.remove(id, task);
    task.finishCompletion();
  }

  /**
   * Runs a delegate call that takes over a file; false when it threw: the file was not taken,
   * so it must not be deleted.
   */
  private static boolean acknowledged(Runnable call) {
    try {
      call.run();
      return true;
    } catch (RuntimeException e) {
      log.error("DownloadDelegate.didFinishDownloadingTo threw; the downloaded file is kept", e);
      return false;
    }
  }

  /**
   * A delegate did not take a finished file: the file and the result stay, and are delivered
   * again (at least once) when a session with this identifier is next created, or, clustered, by
   * any node after the takeover window. No {@code didComplete} is delivered now.
   */
  private void keepForRedelivery(long id, Path claimed, Path file) {
    log.warn("Background transfer {} of {}: {} is kept and delivered again when the session is next created",
        id, identifier, file);
    try {
      Files.move(claimed, resultFile(id), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("Could not keep the result of background transfer {} for redelivery; it is delivered again at "
          + "the next start", id, e); // a .delivering record is recovered then
    }
  }

  // --- events from the internal session (its delegate queue) ---

  private final class WorkerDelegate implements DownloadDelegate, DataDelegate {
    @Override
    public void didWriteData(Session s, DownloadTask t, long bytesWritten, long totalBytesWritten,
        long totalBytesExpectedToWrite) {
      Attempt a = byWorkerTask.get(t);
      if (a == null) {
        return;
      }
      a.received = totalBytesWritten;
      a.expected = totalBytesExpectedToWrite;
      a.task.received(totalBytesWritten, totalBytesExpectedToWrite);
      SessionDelegate d = delegate;
      if (d instanceof DownloadDelegate && Delegates.implementsMethod(d, "didWriteData")) {
        queue.execute(guarded("didWriteData", () -> ((DownloadDelegate) d).didWriteData(BackgroundSession.this,
            (DownloadTask) a.task, bytesWritten, totalBytesWritten, totalBytesExpectedToWrite)));
      }
    }

    @Override
    public void didResumeAtOffset(Session s, DownloadTask t, long fileOffset, long expectedTotalBytes) {
      Attempt a = byWorkerTask.get(t);
      if (a == null) {
        return;
      }
      a.received = fileOffset;
      a.expected = expectedTotalBytes;
      a.task.received(fileOffset, expectedTotalBytes);
      SessionDelegate d = delegate;
      if (d instanceof DownloadDelegate && Delegates.implementsMethod(d, "didResumeAtOffset")) {
        queue.execute(guarded("didResumeAtOffset", () -> ((DownloadDelegate) d).didResumeAtOffset(
            BackgroundSession.this, (DownloadTask) a.task, fileOffset, expectedTotalBytes)));
      }
    }

    @Override
    public void didFinishDownloadingTo(Session s, DownloadTask t, Path location) {
      Attempt a = byWorkerTask.get(t);
      if (a == null) {
        return;
      }
      Path target = finished.resolve(a.transfer.id + ".download");
      try {
        Transfer.moveDurably(location, target);
        a.finishedFile = target;
      } catch (IOException e) {
        log.error("Could not keep the downloaded file of background transfer {}", a.transfer.id, e);
        a.error = new SessionException(Code.CANNOT_MOVE_FILE, t.originalRequest().url(),
            "The downloaded file could not be kept: " + e, e);
      }
    }

    @Override
    public void didSendBodyData(Session s, SessionTask t, long bytesSent, long totalBytesSent,
        long totalBytesExpectedToSend) {
      Attempt a = byWorkerTask.get(t);
      if (a == null) {
        return;
      }
      a.sent = totalBytesSent;
      a.task.sent(totalBytesSent, totalBytesExpectedToSend);
      SessionDelegate d = delegate;
      if (d instanceof TaskDelegate && Delegates.implementsMethod(d, "didSendBodyData")) {
        queue.execute(guarded("didSendBodyData", () -> ((TaskDelegate) d).didSendBodyData(BackgroundSession.this,
            a.task, bytesSent, totalBytesSent, totalBytesExpectedToSend)));
      }
    }

    @Override
    public void didReceiveResponse(Session s, DataTask t, Response r, Consumer<ResponseDisposition> h) {
      Attempt a = byWorkerTask.get(t);
      if (a != null) {
        a.response = r;
        a.task.responded(r);
      }
      h.accept(ResponseDisposition.ALLOW);
    }

    @Override
    public void didReceiveData(Session s, DataTask t, byte[] data) {
      Attempt a = byWorkerTask.get(t);
      SessionDelegate d = delegate;
      if (a != null && d instanceof DataDelegate && Delegates.implementsMethod(d, "didReceiveData")
          && a.task instanceof DataTask) {
        queue.execute(guarded("didReceiveData",
            () -> ((DataDelegate) d).didReceiveData(BackgroundSession.this, (DataTask) a.task, data)));
      }
    }

    @Override
    public void didReceiveChallenge(Session s, SessionTask t, AuthenticationChallenge c, ChallengeHandler h) {
      Attempt a = byWorkerTask.get(t);
      SessionDelegate d = delegate;
      if (a == null || !(d instanceof TaskDelegate) || !Delegates.implementsMethod(d, "didReceiveChallenge")) {
        h.performDefaultHandling();
        return;
      }
      queue.execute(guarded("didReceiveChallenge",
          () -> ((TaskDelegate) d).didReceiveChallenge(BackgroundSession.this, a.task, c, h)));
    }

    @Override
    public void didComplete(Session s, SessionTask t, @Nullable SessionException error) {
      Attempt a = byWorkerTask.get(t);
      if (a == null) {
        return;
      }
      Response r = t.response();
      if (r != null) {
        a.response = r;
        a.task.responded(r);
      }
      if (a.error == null) {
        a.error = error;
      }
      a.received = Math.max(a.received, t.countOfBytesReceived());
      a.sent = Math.max(a.sent, t.countOfBytesSent());
      if (a.expected < 0) {
        a.expected = t.countOfBytesExpectedToReceive();
      }
      a.done.complete(null);
    }
  }

  // --- session management ---

  private Runnable guarded(String what, Runnable call) {
    return () -> {
      try {
        call.run();
      } catch (RuntimeException e) {
        log.error("Delegate method {} threw; the background session goes on", what, e);
      }
    };
  }

  private static boolean deleteQuietly(Path p) {
    try {
      return Files.deleteIfExists(p);
    } catch (IOException e) {
      log.warn("Could not delete {}", p, e);
      return false;
    }
  }

  private static void closeQuietly(FileChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  /**
   * Detaches: running transfers stop at a checkpoint and stay in the store, to continue when a
   * session with this identifier is created again (or, clustered, on another node). New tasks are
   * refused. Returns at once; {@link SessionDelegate#didBecomeInvalid} follows.
   */
  @Override
  public void finishTasksAndInvalidate() {
    if (!invalidated.compareAndSet(false, true)) {
      return;
    }
    Thread t = new Thread(this::detach, "urlsession-background-close-" + identifier);
    t.setDaemon(true);
    t.start();
  }

  /** Cancels every transfer of this identifier (they complete with {@code CANCELLED}), then invalidates. */
  @Override
  public void invalidateAndCancel() {
    if (invalidated.get()) {
      return;
    }
    List<BackgroundTask> cancelled = cancelAll(null);
    if (!invalidated.compareAndSet(false, true)) {
      return;
    }
    Thread t = new Thread(() -> {
      awaitCompletion(cancelled);
      detach();
    }, "urlsession-background-cancel-" + identifier);
    t.setDaemon(true);
    t.start();
  }

  private List<BackgroundTask> cancelAll(@Nullable BackgroundTaskCancelledReason reason) {
    List<BackgroundTask> all = new ArrayList<>(knownTasks());
    for (BackgroundTask task : all) {
      if (reason == null) {
        task.cancel();
      } else {
        forceQuit(task.taskIdentifier(), reason);
      }
    }
    return all;
  }

  private void forceQuit(long id, BackgroundTaskCancelledReason reason) {
    Attempt a = attempts.get(id);
    BackgroundTask task = tasks.get(id);
    if (task != null && !task.isEnqueued()) {
      completeLocally(task, new SessionException(Code.CANCELLED, task.originalRequest().url(), null, null, reason));
      return;
    }
    TaskInstanceId instance = TaskInstanceId.of(taskName, String.valueOf(id));
    try {
      Transfer.writeDurably(cancelMarker(id), new byte[0]);
      var e = scheduler.getScheduledExecution(instance);
      Transfer t = e.isPresent() ? Transfer.decode((byte[]) e.get().getData()) : null;
      if (a != null) {
        a.cancelReason = reason;
        a.stop(Stop.CANCEL); // its runner records the result and delivers it
        return;
      }
      if (e.isPresent() && !e.get().isPicked()) {
        scheduler.cancel(instance);
      }
      if (t != null) {
        writeResult(TransferResult.failure(t, Code.CANCELLED, reason,
            "The background session was reset"));
        deleteQuietly(checkpointFile(id));
      }
    } catch (IOException | RuntimeException e) {
      log.warn("Could not reset background transfer {} of {}", id, identifier, e);
    }
  }

  private static void awaitCompletion(List<BackgroundTask> list) {
    for (BackgroundTask t : list) {
      try {
        t.completion().get(15, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        log.warn("Background task {} did not complete after cancellation", t);
      }
    }
  }

  private void detach() {
    if (keepAlive != null) {
      keepAlive.wake(); // it sees the session invalidated and ends
    }
    var j = janitor;
    if (j != null) {
      j.cancel(false);
    }
    try {
      scheduler.stop();
    } catch (RuntimeException e) {
      log.warn("Stopping the background scheduler of {} failed", identifier, e);
    }
    worker.finishTasksAndInvalidate();
    shutdownStore();
    queue.execute(() -> {
      SessionDelegate d = delegate;
      try {
        if (d != null) {
          d.didBecomeInvalid(this, null);
        }
      } catch (RuntimeException e) {
        log.error("SessionDelegate.didBecomeInvalid threw", e);
      } finally {
        delegate = null;
        invalid.complete(null);
      }
    });
  }

  private void shutdownStore() {
    if (embedded) {
      try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      } catch (SQLException e) {
        log.warn("Could not shut the embedded background store of {} down", identifier, e);
      }
    }
    if (lockChannel != null) {
      closeQuietly(lockChannel);
    }
  }

  @Override
  public CompletableFuture<Void> flush() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    queue.execute(() -> f.complete(null));
    return f;
  }

  /**
   * Gives every transfer of this identifier up: each completes with {@code CANCELLED} and reason
   * {@code USER_FORCE_QUIT_APPLICATION}, and its files are deleted. The future completes on the
   * delegate queue once the events were delivered.
   */
  @Override
  public CompletableFuture<Void> reset() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      List<BackgroundTask> all = cancelAll(BackgroundTaskCancelledReason.USER_FORCE_QUIT_APPLICATION);
      for (long id : storedResults()) {
        deliver(id);
      }
      awaitCompletion(all);
      queue.execute(() -> f.complete(null));
    }, "urlsession-background-reset-" + identifier);
    t.setDaemon(true);
    t.start();
    return f;
  }

  /** Every transfer of the identifier not yet completed: this node's and, clustered, the others'. */
  private List<BackgroundTask> knownTasks() {
    if (!invalidated.get()) {
      try {
        Set<Long> inStore = new HashSet<>();
        scheduler.fetchScheduledExecutionsForTask(taskName, byte[].class, ScheduledExecutionsFilter.all(),
            (ScheduledExecution<byte[]> e) -> {
              try {
                Transfer t = Transfer.decode(e.getData());
                inStore.add(t.id);
                if (!delivered.contains(t.id)) {
                  facadeFor(t);
                }
              } catch (RuntimeException ex) {
                log.debug("Unreadable transfer {}", e.getTaskInstance(), ex);
              }
            });
        delivered.retainAll(inStore);
        // Clustered: transfers another node completed (and reported to its own delegate).
        tasks.values().removeIf(t -> t.stored && !inStore.contains(t.taskIdentifier()) && !t.isCompleted()
            && !attempts.containsKey(t.taskIdentifier()) && !Files.exists(resultFile(t.taskIdentifier()))
            && !Files.exists(deliveringFile(t.taskIdentifier())));
      } catch (RuntimeException e) {
        log.warn("Could not list the transfers of {}", identifier, e);
      }
    }
    List<BackgroundTask> live = new ArrayList<>();
    for (BackgroundTask t : tasks.values()) {
      if (t.isEnqueued() && !t.isCompleted()) {
        live.add(t);
      }
    }
    live.sort((a, b) -> Long.compare(a.taskIdentifier(), b.taskIdentifier()));
    return live;
  }

  /**
   * The transfers not yet completed. The list is read from the store when this is called, so the
   * future is already complete: it does not wait for the delegate queue, which may be held (the
   * Spring layer holds it until the application is ready to receive events).
   */
  @Override
  public CompletableFuture<List<SessionTask>> allTasks() {
    return CompletableFuture.completedFuture(List.copyOf(knownTasks()));
  }

  @Override
  public CompletableFuture<TaskLists> tasks() {
    List<UploadTask> upload = new ArrayList<>();
    List<DownloadTask> download = new ArrayList<>();
    for (BackgroundTask t : knownTasks()) {
      if (t instanceof UploadTask) {
        upload.add((UploadTask) t);
      } else {
        download.add((DownloadTask) t);
      }
    }
    return CompletableFuture.completedFuture(new TaskLists(List.of(), upload, download));
  }

  /**
   * Tasks of this session's transfers by kind and state, the worker's connection pool, and the
   * store's figures (queued transfers, running, retries, takeovers, whether it answers).
   */
  @Override
  public SessionStatistics statistics() {
    Map<String, Map<SessionTask.State, Integer>> counts = new java.util.HashMap<>();
    for (BackgroundTask t : tasks.values()) {
      counts.computeIfAbsent(t.isUpload() ? "upload" : "download",
          k -> new java.util.EnumMap<>(SessionTask.State.class)).merge(t.state(), 1, Integer::sum);
    }
    SessionStatistics.ConnectionPool pool = worker.statistics().connectionPool();
    StoreCount count = countStore();
    return new SessionStatistics(counts, pool, new BackgroundStatistics(count.queued, attempts.size(),
        retries.get(), takeovers.get(), count.error));
  }

  /** The session's rows in the store, counted at most once a second. */
  private StoreCount countStore() {
    StoreCount last = storeCount;
    long now = System.nanoTime();
    if (last != null && now - last.atNanos < 1_000_000_000L) {
      return last;
    }
    StoreCount count;
    if (invalidated.get()) {
      count = new StoreCount(-1, "the session is invalidated", now);
    } else {
      try (Connection c = dataSource.getConnection();
          PreparedStatement p = c.prepareStatement("select count(*) from " + table + " where task_name = ?")) {
        p.setString(1, taskName);
        try (ResultSet r = p.executeQuery()) {
          r.next();
          count = new StoreCount(r.getLong(1), null, now);
        }
      } catch (SQLException | RuntimeException e) {
        count = new StoreCount(-1, String.valueOf(e.getMessage()), now);
      }
    }
    storeCount = count;
    return count;
  }

  /** Detaches (see {@link #finishTasksAndInvalidate()}) and waits up to 30 s for it. */
  @Override
  public void close() {
    finishTasksAndInvalidate();
    if (queue.isCurrentThread()) {
      return;
    }
    try {
      invalid.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException e) {
      log.warn("Background session {} did not become invalid within 30 s of close()", identifier);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "Session{BACKGROUND, " + identifier + (sessionDescription != null ? ", " + sessionDescription : "") + "}";
  }
}
