package dev.urlsession.internal.background;

import com.github.kagkarlsson.scheduler.ScheduledExecution;
import com.github.kagkarlsson.scheduler.ScheduledExecutionsFilter;
import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.jdbc.DefaultJdbcCustomization;
import com.github.kagkarlsson.scheduler.serializer.Serializer;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.DeadExecutionHandler;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.urlsession.SessionException;
import dev.urlsession.background.BackgroundStore;
import dev.urlsession.internal.PrivateFiles;
import dev.urlsession.internal.SerialQueue;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable store of one background session identifier: each transfer is a db-scheduler
 * execution (task {@code urlsession:<identifier>}) whose data is its {@link Transfer} record, in
 * the embedded HSQLDB under the session's store directory or in the application's database. Runs
 * due executions with a {@link Runner} on its own daemon threads, heart-beats them and revives
 * those of dead nodes (clustered). A single-node store holds a file lock on the identifier.
 */
public final class TransferStore {
  private static final Logger log = LoggerFactory.getLogger(TransferStore.class);
  /** The execution time of a suspended transfer: never due. */
  public static final Instant FAR_FUTURE = Instant.parse("2999-01-01T00:00:00Z");
  private static final int ID_BLOCK = 32;

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

  /** Runs one due transfer on a store thread and says what becomes of its execution. */
  public interface Runner {
    Outcome run(Transfer transfer, RunContext context);
  }

  /** What a run knows of its execution. */
  public interface RunContext {
    /** Failed runs since the last success. */
    int consecutiveFailures();

    /** Whether the store is stopping: a run should stop at a checkpoint. */
    boolean shuttingDown();
  }

  /** What becomes of a transfer's execution after a run. */
  public static final class Outcome {
    private final @Nullable Runnable afterRemoval;
    private final @Nullable Instant when;
    private final @Nullable Transfer data;
    private final boolean failed;

    private Outcome(@Nullable Runnable afterRemoval, @Nullable Instant when, @Nullable Transfer data, boolean failed) {
      this.afterRemoval = afterRemoval;
      this.when = when;
      this.data = data;
      this.failed = failed;
    }

    /** The transfer is over: its execution is removed, then {@code then} runs. */
    public static Outcome remove(Runnable then) {
      return new Outcome(then, null, null, false);
    }

    /** The transfer runs again at {@code when}, as {@code data} (null: unchanged). */
    public static Outcome reschedule(Instant when, @Nullable Transfer data) {
      return new Outcome(null, when, data, false);
    }

    /** The run failed: the transfer runs again at {@code when}, its failures counted. */
    public static Outcome retry(Instant when, Transfer data) {
      return new Outcome(null, when, data, true);
    }
  }

  /** A stored transfer, and whether a node runs it now. */
  public record Stored(Transfer transfer, boolean picked) {}

  private final BackgroundStore config;
  private final String identifier;
  private final String taskName;
  private final DataSource dataSource;
  private final boolean embedded;
  private final String table;
  private final StoreSchema schema;
  private final @Nullable FileChannel lock;
  private final CustomTask<byte[]> task;
  private final Scheduler scheduler;
  private final AtomicLong takeovers = new AtomicLong();
  private long nextId;
  private long idLimit;

  private TransferStore(BackgroundStore config, String identifier, Path root, int threads, Runner runner,
      @Nullable FileChannel lock) throws IOException, SQLException {
    this.config = config;
    this.identifier = identifier;
    this.taskName = "urlsession:" + identifier;
    this.lock = lock;
    this.embedded = config.dataSource() == null;
    this.table = embedded ? "scheduled_tasks" : config.tableName();
    this.dataSource = embedded ? StoreSchema.embedded(root.resolve("db")) : config.dataSource();
    this.schema = new StoreSchema(dataSource, table);
    schema.create();
    this.task = Tasks.custom(taskName, byte[].class)
        .onDeadExecution((execution, ops) -> {
          // A node stopped heart-beating while running this transfer: this node takes it over.
          takeovers.incrementAndGet();
          new DeadExecutionHandler.ReviveDeadExecution<byte[]>().deadExecution(execution, ops);
        })
        .onFailure((complete, ops) -> ops.reschedule(complete, Instant.now().plus(config.retryInitialDelay())))
        .execute((TaskInstance<byte[]> instance, ExecutionContext ctx) -> complete(runner.run(
            Transfer.decode(instance.getData()), context(ctx))));
    var builder = Scheduler.create(dataSource, task)
        .tableName(table)
        .threads(threads)
        // Daemon threads, as everywhere in the library (BackgroundStore.keepsProcessAlive decides
        // whether the process stays up for its transfers).
        .executorService(Executors.newFixedThreadPool(threads, SerialQueue.daemonThreads("urlsession-background-" + identifier + "-")))
        .dueExecutor(Executors.newSingleThreadExecutor(SerialQueue.daemonThreads("urlsession-background-due-" + identifier + "-")))
        .housekeeperExecutor(Executors.newScheduledThreadPool(2,
            SerialQueue.daemonThreads("urlsession-background-heartbeat-" + identifier + "-")))
        .pollingInterval(config.pollingInterval())
        .heartbeatInterval(config.takeoverWindow().dividedBy(8))
        .missedHeartbeatsLimit(4)
        .serializer(BYTES)
        .enableImmediateExecution()
        .enablePriority()
        .deleteUnresolvedAfter(Duration.ofDays(36500))
        .schedulerName(new SchedulerName.Fixed(nodeName()))
        .shutdownMaxWait(Duration.ofSeconds(20));
    if (embedded) {
      builder.jdbcCustomization(new DefaultJdbcCustomization(false));
    } else if (schema.isPostgres()) {
      builder.pollUsingLockAndFetch(0.5, 1.0);
    }
    this.scheduler = builder.build();
  }

  /**
   * Opens the store of {@code identifier} ({@code root} is its store directory), running due
   * transfers with {@code runner} on {@code threads} threads once {@link #start() started}.
   *
   * @throws IllegalStateException if the store cannot be opened, or (single node) another
   *     process or session holds the identifier: its cause is then a {@link SessionException}
   *     with code {@code BACKGROUND_SESSION_IN_USE_BY_ANOTHER_PROCESS}
   */
  public static TransferStore open(BackgroundStore config, String identifier, Path root, int threads,
      Runner runner) {
    FileChannel lock = null;
    try {
      if (!config.clustered()) {
        lock = lockIdentifier(root, identifier);
      }
      return new TransferStore(config, identifier, root, threads, runner, lock);
    } catch (IOException | SQLException e) {
      closeQuietly(lock);
      throw new IllegalStateException("cannot open the background store of \"" + identifier + "\" in " + root
          + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(lock);
      throw e;
    }
  }

  private static FileChannel lockIdentifier(Path root, String identifier) throws IOException {
    PrivateFiles.createDirectories(root);
    FileChannel c = FileChannel.open(root.resolve("session.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock held;
    String where;
    try {
      held = c.tryLock();
      where = "another process";
    } catch (OverlappingFileLockException e) {
      held = null;
      where = "another session of this process (invalidate it first)";
    }
    if (held == null) {
      closeQuietly(c);
      SessionException busy = new SessionException(SessionException.Code.BACKGROUND_SESSION_IN_USE_BY_ANOTHER_PROCESS,
          null, "The background session \"" + identifier + "\" is in use by " + where
              + "; only one process may open an identifier unless its store is clustered", null);
      throw new IllegalStateException(busy.getMessage(), busy);
    }
    return c;
  }

  private CompletionHandler<byte[]> complete(Outcome outcome) {
    if (outcome.afterRemoval != null) {
      Runnable then = outcome.afterRemoval;
      return (c, ops) -> {
        ops.remove();
        then.run();
      };
    }
    Instant when = outcome.when;
    byte[] data = outcome.data == null ? null : outcome.data.encode();
    if (outcome.failed) {
      return (c, ops) -> ops.reschedule(ExecutionComplete.failure(c.getExecution(), c.getTimeDone(),
          c.getTimeDone(), null), when, data);
    }
    return data == null ? (c, ops) -> ops.reschedule(c, when) : (c, ops) -> ops.reschedule(c, when, data);
  }

  private static RunContext context(ExecutionContext ctx) {
    return new RunContext() {
      @Override
      public int consecutiveFailures() {
        return ctx.getExecution().consecutiveFailures;
      }

      @Override
      public boolean shuttingDown() {
        return ctx.getSchedulerState().isShuttingDown();
      }
    };
  }

  /** Starts running due transfers. */
  public void start() {
    scheduler.start();
  }

  /** Stops running transfers: running ones are asked to stop (see {@link RunContext#shuttingDown()}). */
  public void stop() {
    try {
      scheduler.stop();
    } catch (RuntimeException e) {
      log.warn("Stopping the background scheduler of {} failed", identifier, e);
    }
  }

  /** Shuts the embedded database down and lets go of the identifier. */
  public void close() {
    if (embedded) {
      try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      } catch (SQLException e) {
        log.warn("Could not shut the embedded background store of {} down", identifier, e);
      }
    }
    closeQuietly(lock);
  }

  /** The next task identifier of the identifier, from 1, reserved from the store in blocks. */
  public synchronized long nextIdentifier() {
    if (nextId >= idLimit) {
      long last = schema.reserveIdentifiers(identifier, ID_BLOCK);
      nextId = last - ID_BLOCK + 1;
      idLimit = last + 1;
    }
    return nextId++;
  }

  /** Stores {@code t}, due at {@code when}; does nothing if it is stored already. */
  public void schedule(Transfer t, Instant when, int priority) {
    scheduler.scheduleIfNotExists(task.instanceBuilder(String.valueOf(t.id())).data(t.encode())
        .priority(priority).scheduledTo(when));
  }

  /** The stored transfer {@code id}, if its execution exists. */
  public Optional<Stored> find(long id) {
    return scheduler.getScheduledExecution(instance(id))
        .map(e -> new Stored(Transfer.decode((byte[]) e.getData()), e.isPicked()));
  }

  /**
   * Rewrites a stored transfer that no node runs now: true when done or when it is gone, false
   * when it runs (or cannot be rewritten yet).
   */
  public boolean rewrite(long id, Instant when, UnaryOperator<Transfer> change) {
    try {
      var e = scheduler.getScheduledExecution(instance(id));
      if (e.isEmpty()) {
        return true; // completed meanwhile
      }
      if (e.get().isPicked()) {
        return false;
      }
      Transfer t = change.apply(Transfer.decode((byte[]) e.get().getData()));
      return scheduler.reschedule(instance(id), when, t.encode());
    } catch (RuntimeException ex) {
      log.debug("Could not reschedule background transfer {} of {} yet", id, identifier, ex);
      return false;
    }
  }

  /** Removes a stored transfer's execution. */
  public void cancel(long id) {
    scheduler.cancel(instance(id));
  }

  /** Calls {@code each} for every stored transfer; unreadable ones are logged and skipped. */
  public void forEach(Consumer<Transfer> each) {
    scheduler.fetchScheduledExecutionsForTask(taskName, byte[].class, ScheduledExecutionsFilter.all(),
        (ScheduledExecution<byte[]> e) -> {
          try {
            each.accept(Transfer.decode(e.getData()));
          } catch (RuntimeException ex) {
            log.warn("Ignoring an unreadable background transfer {} of {}", e.getTaskInstance(), identifier, ex);
          }
        });
  }

  /**
   * Frees the executions a crashed process of this node left picked: single-node stores only,
   * where the identifier lock proves nobody else runs them.
   */
  public void releaseOwnPicked() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement("update " + table
            + " set picked = ?, picked_by = null, last_heartbeat = null, version = version + 1"
            + " where task_name = ? and picked = ?")) {
      p.setBoolean(1, false);
      p.setString(2, taskName);
      p.setBoolean(3, true);
      int n = p.executeUpdate();
      commit(c);
      if (n > 0) {
        log.info("Background session {}: {} transfer(s) interrupted by a crash resume now", identifier, n);
      }
    } catch (SQLException e) {
      log.warn("Could not release interrupted transfers of {}; they resume after the takeover window", identifier, e);
    }
  }

  /** Adds {@code boost} to the priority of transfers {@code ids}, once (their priority stays below it otherwise). */
  public void prefer(Collection<Long> ids, int boost) {
    if (ids.isEmpty()) {
      return;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement("update " + table + " set priority = priority + ?"
            + " where task_name = ? and task_instance = ? and priority < ?")) {
      for (long id : ids) {
        p.setInt(1, boost);
        p.setString(2, taskName);
        p.setString(3, String.valueOf(id));
        p.setInt(4, boost);
        p.addBatch();
      }
      p.executeBatch();
      commit(c);
    } catch (SQLException e) {
      log.warn("Could not change the priorities of the transfers of {}", identifier, e);
    }
  }

  /** The stored transfers that are not suspended: waiting, retrying or running, on any node. */
  public long countPending() {
    return count(" and execution_time < ?", FAR_FUTURE);
  }

  /** The stored transfers, whatever their state. */
  public long countAll() {
    return count("", null);
  }

  private long count(String condition, @Nullable Instant before) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement p = c.prepareStatement("select count(*) from " + table + " where task_name = ?" + condition)) {
      p.setString(1, taskName);
      if (before != null) {
        p.setTimestamp(2, Timestamp.from(before));
      }
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(String.valueOf(e.getMessage()), e);
    }
  }

  /** Transfers of dead nodes this node took over. */
  public long takeovers() {
    return takeovers.get();
  }

  private TaskInstanceId instance(long id) {
    return TaskInstanceId.of(taskName, String.valueOf(id));
  }

  private static void commit(Connection c) throws SQLException {
    if (!c.getAutoCommit()) {
      c.commit();
    }
  }

  private static String nodeName() {
    String name = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
    return name + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
  }

  private static void closeQuietly(@Nullable FileChannel c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  @Override
  public String toString() {
    return "TransferStore{" + identifier + ", " + config + "}";
  }
}
