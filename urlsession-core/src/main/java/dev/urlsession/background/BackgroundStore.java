package dev.urlsession.background;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Where a background session keeps its transfers and how it runs them. Immutable; set it with
 * {@code SessionConfiguration.Builder.backgroundStore(...)}.
 *
 * <ul>
 *   <li>{@link #embedded()} (the default): a file-backed HSQLDB database under
 *       {@code <storageDirectory>/background/<identifier>/}, created on first use. One process at
 *       a time may open an identifier: a second one gets
 *       {@code BACKGROUND_SESSION_IN_USE_BY_ANOTHER_PROCESS} (a file lock).
 *   <li>{@link #dataSource(DataSource)}: the application's database (PostgreSQL is tested); the
 *       table {@link #tableName()} is created if missing. Not clustered, the file lock still
 *       applies.
 *   <li>{@link Builder#clustered(boolean) clustered}: several instances share one identifier on
 *       one database (executions are locked with {@code SELECT ... FOR UPDATE SKIP LOCKED}); each
 *       transfer runs on one node at a time, and a node that stops heart-beating has its
 *       transfers taken over within {@link #takeoverWindow()} and resumed from their last
 *       checkpoint. Every node must see the same storage directory (the partial files and
 *       checkpoints live there).
 * </ul>
 *
 * <p>Settings map one to one to properties: store kind (embedded or a data source), clustered,
 * table name, takeover window, polling interval, maximum concurrent transfers, checkpoint
 * interval and bytes, retry delays, transfers enabled, minimum free space.
 *
 * @since 0.1.0
 */
public final class BackgroundStore {
  private final @Nullable DataSource dataSource;
  private final boolean clustered;
  private final String tableName;
  private final Duration takeoverWindow;
  private final Duration pollingInterval;
  private final int maxConcurrentTransfers;
  private final Duration checkpointInterval;
  private final long checkpointBytes;
  private final Duration retryInitialDelay;
  private final Duration retryMaximumDelay;
  private final boolean transfersEnabled;
  private final long minimumFreeSpace;
  private final boolean keepsProcessAlive;

  private BackgroundStore(Builder b) {
    this.dataSource = b.dataSource;
    this.clustered = b.clustered;
    this.tableName = b.tableName;
    this.takeoverWindow = b.takeoverWindow;
    this.pollingInterval = b.pollingInterval;
    this.maxConcurrentTransfers = b.maxConcurrentTransfers;
    this.checkpointInterval = b.checkpointInterval;
    this.checkpointBytes = b.checkpointBytes;
    this.retryInitialDelay = b.retryInitialDelay;
    this.retryMaximumDelay = b.retryMaximumDelay;
    this.transfersEnabled = b.transfersEnabled;
    this.minimumFreeSpace = b.minimumFreeSpace;
    this.keepsProcessAlive = b.keepsProcessAlive;
  }

  /** The embedded store with default settings: the session's storage directory, no setup. */
  public static BackgroundStore embedded() {
    return builder().build();
  }

  /** A single-node store in the application's database, default settings. */
  public static BackgroundStore dataSource(DataSource dataSource) {
    return builder().dataSource(dataSource).build();
  }

  /** A builder starting from the embedded store's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this store's settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.dataSource = dataSource;
    b.clustered = clustered;
    b.tableName = tableName;
    b.takeoverWindow = takeoverWindow;
    b.pollingInterval = pollingInterval;
    b.maxConcurrentTransfers = maxConcurrentTransfers;
    b.checkpointInterval = checkpointInterval;
    b.checkpointBytes = checkpointBytes;
    b.retryInitialDelay = retryInitialDelay;
    b.retryMaximumDelay = retryMaximumDelay;
    b.transfersEnabled = transfersEnabled;
    b.minimumFreeSpace = minimumFreeSpace;
    b.keepsProcessAlive = keepsProcessAlive;
    return b;
  }

  /** The application's database, or {@code null} for the embedded one. */
  public @Nullable DataSource dataSource() {
    return dataSource;
  }

  /** Whether several processes may share an identifier (needs a data source). */
  public boolean clustered() {
    return clustered;
  }

  /** The db-scheduler table: {@code urlsession_transfers} by default. */
  public String tableName() {
    return tableName;
  }

  /**
   * How long after a node's last heartbeat its transfers are taken over by another node, at most
   * (clustered stores): 60 s by default. Heartbeats are sent every eighth of it.
   */
  public Duration takeoverWindow() {
    return takeoverWindow;
  }

  /** How often the store is polled for due transfers: 1 s by default. */
  public Duration pollingInterval() {
    return pollingInterval;
  }

  /** Transfers running at once on this node: 4 by default; the others wait in the store. */
  public int maxConcurrentTransfers() {
    return maxConcurrentTransfers;
  }

  /** Time between download checkpoints: 2 s by default. */
  public Duration checkpointInterval() {
    return checkpointInterval;
  }

  /** Bytes between download checkpoints: 8 MiB by default (whichever comes first). */
  public long checkpointBytes() {
    return checkpointBytes;
  }

  /** The first delay before retrying a transient failure, doubled each time: 1 s by default. */
  public Duration retryInitialDelay() {
    return retryInitialDelay;
  }

  /** The longest delay between retries: 5 minutes by default. */
  public Duration retryMaximumDelay() {
    return retryMaximumDelay;
  }

  /**
   * Whether transfers may run: true by default. When false, every transfer is given up with
   * {@code CANCELLED} and reason {@code BACKGROUND_UPDATES_DISABLED}.
   */
  public boolean transfersEnabled() {
    return transfersEnabled;
  }

  /**
   * Free bytes the storage directory must keep, besides what a download still needs: 0 by
   * default. A download that would go below it (or that fails for lack of space) is given up with
   * {@code CANCELLED} and reason {@code INSUFFICIENT_SYSTEM_RESOURCES}.
   */
  public long minimumFreeSpace() {
    return minimumFreeSpace;
  }

  /**
   * Whether the session keeps the JVM running while it has transfers to run: true by default.
   * All the library's threads are daemons; with this, one non-daemon thread lives while the
   * session's store holds transfers that are not suspended (waiting, retrying or running), so
   * that an application whose only work is background transfers does not exit before they end.
   * It ends when none is left or the session is invalidated. A transfer that keeps failing is
   * retried until {@code timeoutIntervalForResource} (7 days by default): the JVM stays up as
   * long. With false, the JVM may exit at any time; the transfers continue when a session with
   * the identifier is next created.
   */
  public boolean keepsProcessAlive() {
    return keepsProcessAlive;
  }

  @Override
  public String toString() {
    return "BackgroundStore{" + (dataSource == null ? "embedded" : "dataSource")
        + (clustered ? ", clustered, takeoverWindow=" + takeoverWindow : "")
        + ", maxConcurrentTransfers=" + maxConcurrentTransfers
        + ", checkpointInterval=" + checkpointInterval + "}";
  }

  /** Builds a {@link BackgroundStore}. Setters validate at once. Not thread-safe. */
  public static final class Builder {
    private @Nullable DataSource dataSource;
    private boolean clustered;
    private String tableName = "urlsession_transfers";
    private Duration takeoverWindow = Duration.ofSeconds(60);
    private Duration pollingInterval = Duration.ofSeconds(1);
    private int maxConcurrentTransfers = 4;
    private Duration checkpointInterval = Duration.ofSeconds(2);
    private long checkpointBytes = 8L * 1024 * 1024;
    private Duration retryInitialDelay = Duration.ofSeconds(1);
    private Duration retryMaximumDelay = Duration.ofMinutes(5);
    private boolean transfersEnabled = true;
    private long minimumFreeSpace;
    private boolean keepsProcessAlive = true;

    private Builder() {}

    /** Uses the application's database instead of the embedded one; null for embedded. */
    public Builder dataSource(@Nullable DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /** Lets several processes share an identifier on the data source. */
    public Builder clustered(boolean clustered) {
      this.clustered = clustered;
      return this;
    }

    /**
     * Sets the table name.
     *
     * @throws IllegalArgumentException unless 1 to 60 letters, digits and underscores
     */
    public Builder tableName(String tableName) {
      if (tableName == null || !tableName.matches("[A-Za-z_][A-Za-z0-9_]{0,59}")) {
        throw new IllegalArgumentException("tableName must be 1 to 60 letters, digits or '_': " + tableName);
      }
      this.tableName = tableName;
      return this;
    }

    /** Sets the takeover window (at least 1 s). */
    public Builder takeoverWindow(Duration window) {
      this.takeoverWindow = atLeast(window, Duration.ofSeconds(1), "takeoverWindow");
      return this;
    }

    /** Sets the polling interval (at least 10 ms). */
    public Builder pollingInterval(Duration interval) {
      this.pollingInterval = atLeast(interval, Duration.ofMillis(10), "pollingInterval");
      return this;
    }

    /** Sets the number of transfers run at once on a node (1 to 256). */
    public Builder maxConcurrentTransfers(int n) {
      if (n < 1 || n > 256) {
        throw new IllegalArgumentException("maxConcurrentTransfers must be 1 to 256: " + n);
      }
      this.maxConcurrentTransfers = n;
      return this;
    }

    /** Sets the time between checkpoints (at least 10 ms). */
    public Builder checkpointInterval(Duration interval) {
      this.checkpointInterval = atLeast(interval, Duration.ofMillis(10), "checkpointInterval");
      return this;
    }

    /** Sets the bytes between checkpoints (at least 4 KiB). */
    public Builder checkpointBytes(long bytes) {
      if (bytes < 4096) {
        throw new IllegalArgumentException("checkpointBytes must be at least 4096: " + bytes);
      }
      this.checkpointBytes = bytes;
      return this;
    }

    /** Sets the first retry delay (at least 10 ms). */
    public Builder retryInitialDelay(Duration delay) {
      this.retryInitialDelay = atLeast(delay, Duration.ofMillis(10), "retryInitialDelay");
      return this;
    }

    /** Sets the longest retry delay (at least 10 ms). */
    public Builder retryMaximumDelay(Duration delay) {
      this.retryMaximumDelay = atLeast(delay, Duration.ofMillis(10), "retryMaximumDelay");
      return this;
    }

    /** Switches background transfers on or off. */
    public Builder transfersEnabled(boolean enabled) {
      this.transfersEnabled = enabled;
      return this;
    }

    /** Sets the free space to keep (0 or more bytes). */
    public Builder minimumFreeSpace(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("minimumFreeSpace must not be negative: " + bytes);
      }
      this.minimumFreeSpace = bytes;
      return this;
    }

    /** Sets whether the session keeps the JVM running while it has transfers to run (see {@link #keepsProcessAlive()}). */
    public Builder keepsProcessAlive(boolean keepAlive) {
      this.keepsProcessAlive = keepAlive;
      return this;
    }

    /**
     * The store.
     *
     * @throws IllegalArgumentException if clustered without a data source
     */
    public BackgroundStore build() {
      if (clustered && dataSource == null) {
        throw new IllegalArgumentException(
            "a clustered background store needs a shared database: set dataSource(...)");
      }
      return new BackgroundStore(this);
    }

    private static Duration atLeast(Duration d, Duration min, String name) {
      Objects.requireNonNull(d, name);
      if (d.compareTo(min) < 0) {
        throw new IllegalArgumentException(name + " must be at least " + min + ": " + d);
      }
      return d;
    }
  }
}
