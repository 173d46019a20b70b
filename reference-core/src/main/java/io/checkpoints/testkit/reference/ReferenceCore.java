package io.checkpoints.testkit.reference;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.opentest4j.TestAbortedException;
import org.sqlite.SQLiteConfig;

/**
 * The reference implementation, PowerSync SQLite core 0.5.3, as a test oracle: finds it in a
 * cache or fetches it from the npm registry ({@code npm pack @powersync/node@1.1.0}), checks its
 * SHA-256, and opens sqlite-jdbc connections with it loaded. The binary is never part of the
 * repository.
 *
 * <p>The library is cached in {@code ~/.cache/checkpoints/reference/} (or the directory named by
 * the system property {@value #CACHE_PROPERTY}); the tarball is deleted once the library is out.
 * Fetching needs {@code npm} on the {@code PATH} and the npm registry.
 *
 * <p>If the reference cannot be had (no npm, no registry, another SHA-256, a machine other than
 * Linux x86-64 or arm64), {@link #get()} fails loudly with the reason: tests that compare against
 * the reference must not pass quietly without it. Setting the system property
 * {@value #OPTIONAL_PROPERTY}{@code =true} (for example {@code mvn verify
 * -Dcheckpoints.reference.optional=true}) turns that failure into a skipped test
 * ({@link TestAbortedException}) carrying the same reason. CI never sets it.
 *
 * <p>Thread-safe: the library is fetched once per JVM (and once per cache directory across JVMs,
 * under a file lock); each connection belongs to its caller.
 */
public final class ReferenceCore {

  /** The npm package that ships the reference core. */
  public static final String NPM_PACKAGE = "@powersync/node@1.1.0";

  /** What {@code powersync_rs_version()} returns for the reference core. */
  public static final String VERSION = "0.5.3/2ba6b280";

  /** The extension's entry point. */
  public static final String ENTRY_POINT = "sqlite3_powersync_init";

  /** System property: {@code true} turns "reference unavailable" into skipped tests. */
  public static final String OPTIONAL_PROPERTY = "checkpoints.reference.optional";

  /** System property: the cache directory, instead of {@code ~/.cache/checkpoints/reference}. */
  public static final String CACHE_PROPERTY = "checkpoints.reference.cache";

  private static final long NPM_TIMEOUT_SECONDS = 300;

  /** The library of each supported machine, inside the npm package, and its SHA-256. */
  private enum Binary {
    X64("package/lib/libpowersync_x64.linux.so",
        "a6de0c79151ad6243ca18633f0df10bed32b692095fdf0f01ebdac6eb01d2edf"),
    AARCH64("package/lib/libpowersync_aarch64.linux.so",
        "f27b1cadce2210541903ba2f4e9652782c9e14c913cde4f67c463cec00d46d14");

    final String entry;
    final String sha256;

    Binary(String entry, String sha256) {
      this.entry = entry;
      this.sha256 = sha256;
    }

    String fileName() {
      return entry.substring(entry.lastIndexOf('/') + 1);
    }
  }

  private static final Object FETCH_LOCK = new Object();
  private static ReferenceCore instance;
  private static String failure;

  private final Path library;

  private ReferenceCore(Path library) {
    this.library = library;
  }

  /**
   * The reference core, fetched on first use.
   *
   * @return the reference core
   * @throws IllegalStateException if it cannot be had, with the reason
   * @throws TestAbortedException instead, if {@value #OPTIONAL_PROPERTY} is {@code true}
   */
  public static ReferenceCore get() {
    synchronized (FETCH_LOCK) {
      if (instance == null && failure == null) {
        try {
          instance = new ReferenceCore(locateOrFetch());
        } catch (IOException | RuntimeException e) {
          failure = "the reference core (" + NPM_PACKAGE + ") is not available: " + e.getMessage();
        }
      }
      if (instance != null) {
        return instance;
      }
    }
    if (Boolean.getBoolean(OPTIONAL_PROPERTY)) {
      throw new TestAbortedException(failure + " (skipped because " + OPTIONAL_PROPERTY + "=true)");
    }
    throw new IllegalStateException(failure + ". Install npm and allow access to the npm registry,"
        + " or set -D" + OPTIONAL_PROPERTY + "=true to skip the tests that need it.");
  }

  /** @return the path of the verified shared library */
  public Path library() {
    return library;
  }

  /**
   * Opens a connection to a database file (created if missing) with the reference core loaded,
   * in autocommit mode, with a 10 s busy timeout. Nothing else is run: call {@link #initialize} to
   * create or migrate the PowerSync schema.
   *
   * @param file the database file
   * @return the connection, owned by the caller
   * @throws SQLException if the connection or the extension fails
   */
  public Connection open(Path file) throws SQLException {
    return openUrl("jdbc:sqlite:" + file.toAbsolutePath());
  }

  /**
   * @return a connection to a new in-memory database with the reference core loaded
   * @throws SQLException if the connection or the extension fails
   */
  public Connection openInMemory() throws SQLException {
    return openUrl("jdbc:sqlite::memory:");
  }

  private Connection openUrl(String url) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.enableLoadExtension(true);
    config.setBusyTimeout(10_000);
    Connection connection = config.createConnection(url);
    try {
      try (PreparedStatement load = connection.prepareStatement("SELECT load_extension(?, ?)")) {
        load.setString(1, library.toString());
        load.setString(2, ENTRY_POINT);
        load.execute();
      }
      String version = queryString(connection, "SELECT powersync_rs_version()");
      if (!VERSION.equals(version)) {
        throw new SQLException("expected the reference core " + VERSION + ", loaded " + version);
      }
      return connection;
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /**
   * Runs {@code powersync_init()} in a transaction: creates the PowerSync schema (version 14) or
   * migrates an older database up to it.
   *
   * @param connection a connection from {@link #open} in autocommit mode
   * @throws SQLException if the reference fails
   */
  public static void initialize(Connection connection) throws SQLException {
    inTransaction(connection, "SELECT powersync_init()");
  }

  /**
   * Runs one statement in its own {@code BEGIN} ... {@code COMMIT} (rolled back if it fails), as
   * the reference core's functions require.
   *
   * @param connection a connection in autocommit mode
   * @param sql the statement
   * @throws SQLException if the statement fails
   */
  public static void inTransaction(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("BEGIN");
      try {
        statement.execute(sql);
        statement.execute("COMMIT");
      } catch (SQLException e) {
        try {
          statement.execute("ROLLBACK");
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      }
    }
  }

  private static String queryString(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Locating and fetching

  private static Path locateOrFetch() throws IOException {
    Binary binary = binaryForThisMachine();
    Path cache = cacheDirectory();
    Files.createDirectories(cache);
    Path library = cache.resolve(binary.fileName());
    // Several JVMs (one per Maven module) may get here at once: one fetches, the others wait.
    try (FileChannel channel = FileChannel.open(cache.resolve(".lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock = channel.lock();
      try {
        if (Files.isRegularFile(library)) {
          String actual = sha256(library);
          if (actual.equals(binary.sha256)) {
            return library;
          }
          // A damaged or foreign file: fetch it again rather than trust it.
          Files.delete(library);
        }
        fetch(binary, cache, library);
        return library;
      } finally {
        lock.release();
      }
    }
  }

  private static void fetch(Binary binary, Path cache, Path library) throws IOException {
    Path work = Files.createTempDirectory(cache, "fetch-");
    try {
      runNpmPack(work);
      Path tarball;
      try (Stream<Path> files = Files.list(work)) {
        tarball = files.filter(f -> f.getFileName().toString().endsWith(".tgz")).findFirst()
            .orElseThrow(() -> new IOException("npm pack " + NPM_PACKAGE + " wrote no .tgz to " + work));
      }
      Path extracted = work.resolve(binary.fileName());
      extract(tarball, binary.entry, extracted);
      String actual = sha256(extracted);
      if (!actual.equals(binary.sha256)) {
        throw new IOException(binary.entry + " of " + NPM_PACKAGE + " has SHA-256 " + actual
            + ", expected " + binary.sha256 + "; refusing to load it");
      }
      Files.move(extracted, library, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      deleteRecursively(work);
    }
  }

  private static void runNpmPack(Path work) throws IOException {
    Path log = work.resolve("npm.log");
    Process process;
    try {
      process = new ProcessBuilder("npm", "pack", NPM_PACKAGE, "--silent")
          .directory(work.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
    } catch (IOException e) {
      throw new IOException("npm could not be started (is it installed and on the PATH?): "
          + e.getMessage(), e);
    }
    try {
      if (!process.waitFor(NPM_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("npm pack " + NPM_PACKAGE + " did not finish within "
            + NPM_TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for npm pack", e);
    }
    if (process.exitValue() != 0) {
      String output = Files.readString(log, StandardCharsets.UTF_8).strip();
      throw new IOException("npm pack " + NPM_PACKAGE + " failed with exit code "
          + process.exitValue() + ": " + output);
    }
  }

  /** Copies one regular file out of a gzipped tar, reading ustar, pax and GNU long names. */
  static void extract(Path tarball, String entryName, Path target) throws IOException {
    try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tarball)))) {
      byte[] header = new byte[512];
      String longName = null;
      while (true) {
        if (!readBlock(in, header)) {
          break;
        }
        if (isZero(header)) {
          break;
        }
        String name = longName != null ? longName : headerName(header);
        longName = null;
        long size = parseOctal(header, 124, 12);
        char type = (char) header[156];
        if (type == 'L' || type == 'x') {
          byte[] data = readData(in, size);
          longName = type == 'L' ? cString(data, 0, data.length) : paxPath(data);
          continue;
        }
        if ((type == '0' || type == '\0') && name.equals(entryName)) {
          try (OutputStream out = Files.newOutputStream(target)) {
            copy(in, out, size);
          }
          skip(in, padding(size));
          return;
        }
        skip(in, size + padding(size));
      }
    }
    throw new IOException(tarball.getFileName() + " holds no " + entryName);
  }

  private static String headerName(byte[] header) {
    String name = cString(header, 0, 100);
    String magic = cString(header, 257, 6);
    if (magic.startsWith("ustar")) {
      String prefix = cString(header, 345, 155);
      if (!prefix.isEmpty()) {
        return prefix + "/" + name;
      }
    }
    return name;
  }

  private static String paxPath(byte[] data) {
    // Records are "<length> <key>=<value>\n".
    for (String record : new String(data, StandardCharsets.UTF_8).split("\n")) {
      int space = record.indexOf(' ');
      if (space > 0 && record.startsWith("path=", space + 1)) {
        return record.substring(space + 1 + "path=".length());
      }
    }
    return null;
  }

  private static String cString(byte[] bytes, int offset, int length) {
    int end = offset;
    while (end < offset + length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static long parseOctal(byte[] bytes, int offset, int length) throws IOException {
    String text = cString(bytes, offset, length).trim();
    try {
      return text.isEmpty() ? 0 : Long.parseLong(text, 8);
    } catch (NumberFormatException e) {
      throw new IOException("malformed tar header: size \"" + text + "\"", e);
    }
  }

  private static long padding(long size) {
    return (512 - size % 512) % 512;
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean readBlock(InputStream in, byte[] block) throws IOException {
    int read = in.readNBytes(block, 0, block.length);
    if (read == 0) {
      return false;
    }
    if (read < block.length) {
      throw new EOFException("truncated tar header");
    }
    return true;
  }

  private static byte[] readData(InputStream in, long size) throws IOException {
    byte[] data = in.readNBytes((int) size);
    if (data.length < size) {
      throw new EOFException("truncated tar entry");
    }
    skip(in, padding(size));
    return data;
  }

  private static void copy(InputStream in, OutputStream out, long size) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long left = size;
    while (left > 0) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) {
        throw new EOFException("truncated tar entry");
      }
      out.write(buffer, 0, read);
      left -= read;
    }
  }

  private static void skip(InputStream in, long count) throws IOException {
    long left = count;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new EOFException("truncated tar entry");
        }
        skipped = 1;
      }
      left -= skipped;
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[64 * 1024];
      int read;
      while ((read = in.read(buffer)) > 0) {
        digest.update(buffer, 0, read);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static Binary binaryForThisMachine() throws IOException {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (!os.contains("linux")) {
      throw new IOException("the reference core ships for Linux only; this is " + os);
    }
    if (List.of("amd64", "x86_64").contains(arch)) {
      return Binary.X64;
    }
    if (List.of("aarch64", "arm64").contains(arch)) {
      return Binary.AARCH64;
    }
    throw new IOException("the reference core ships for x86-64 and arm64 only; this is " + arch);
  }

  private static Path cacheDirectory() {
    String configured = System.getProperty(CACHE_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "checkpoints", "reference");
  }

  private static void deleteRecursively(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException ignored) {
          // A leftover temporary file in the cache directory does no harm.
        }
      });
    } catch (IOException ignored) {
      // Same.
    }
  }
}
