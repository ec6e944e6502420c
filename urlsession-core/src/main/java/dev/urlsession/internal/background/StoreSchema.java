package dev.urlsession.internal.background;

import dev.urlsession.internal.PrivateFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import javax.sql.DataSource;
import org.hsqldb.jdbc.JDBCDataSource;

/**
 * The tables of a transfer store, in HSQLDB (the embedded default) or PostgreSQL: db-scheduler's
 * table and one of last identifiers, created when missing; and the identifier allocation.
 */
final class StoreSchema {
  private final DataSource dataSource;
  private final String table;
  private final String idTable;

  StoreSchema(DataSource dataSource, String table) {
    this.dataSource = dataSource;
    this.table = table;
    this.idTable = table + "_ids";
  }

  /** The embedded store: a file-backed HSQLDB under {@code dir}, created on first use. */
  static DataSource embedded(Path dir) throws IOException {
    PrivateFiles.createDirectories(dir);
    JDBCDataSource ds = new JDBCDataSource();
    // write_delay=false: each commit is written and synced to the log before it returns.
    // lock_file=false: the session lock already keeps other processes out, and HSQLDB's own lock
    // file makes a restart after kill -9 wait ~10 s for the dead process's heartbeat to go stale.
    ds.setUrl("jdbc:hsqldb:file:" + dir.resolve("store") + ";hsqldb.write_delay=false;hsqldb.lock_file=false");
    ds.setUser("SA");
    ds.setPassword("");
    return ds;
  }

  boolean isPostgres() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return c.getMetaData().getDatabaseProductName().equals("PostgreSQL");
    }
  }

  /** Creates the tables that do not exist yet. */
  void create() throws SQLException {
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

  /** Reserves {@code n} identifiers of {@code name}, unique across nodes and restarts; returns the last one. */
  long reserveIdentifiers(String name, int n) {
    for (int attempt = 0; ; attempt++) {
      try (Connection c = dataSource.getConnection()) {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
          long id = reserve(c, name, n);
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

  private long reserve(Connection c, String name, int n) throws SQLException {
    int updated;
    try (PreparedStatement p = c.prepareStatement("update " + idTable + " set last_id = last_id + ? where name = ?")) {
      p.setLong(1, n);
      p.setString(2, name);
      updated = p.executeUpdate();
    }
    if (updated == 0) {
      try (PreparedStatement p = c.prepareStatement("insert into " + idTable + " (name, last_id) values (?, ?)")) {
        p.setString(1, name);
        p.setLong(2, n);
        p.executeUpdate();
      }
    }
    try (PreparedStatement p = c.prepareStatement("select last_id from " + idTable + " where name = ?")) {
      p.setString(1, name);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static boolean tableExists(Connection c, String name) throws SQLException {
    for (String n : new String[] {name, name.toUpperCase(Locale.ROOT), name.toLowerCase(Locale.ROOT)}) {
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
      String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
      if (!m.contains("exist")) {
        throw e;
      }
      if (!c.getAutoCommit()) {
        c.rollback();
      }
    }
  }
}
