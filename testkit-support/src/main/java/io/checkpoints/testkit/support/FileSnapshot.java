package io.checkpoints.testkit.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a file holds and which of its side files exist (a database's {@code -wal}, {@code -shm} or
 * {@code -journal}, say): two equal snapshots of one file mean that nothing wrote to it and no side
 * file came or went. For tests that prove a refused file was left byte for byte as it was.
 *
 * <p>Immutable and thread-safe: it keeps its own copy of the bytes.
 */
public final class FileSnapshot {

  /** The header bytes a failed comparison shows, enough for a database header's flags. */
  private static final int SHOWN_BYTES = 32;

  private final byte[] bytes;
  private final Map<String, Boolean> sideFiles;

  private FileSnapshot(byte[] bytes, Map<String, Boolean> sideFiles) {
    this.bytes = bytes;
    this.sideFiles = sideFiles;
  }

  /**
   * @param file the file; it must exist
   * @param sideFileSuffixes the suffixes that, appended to the file's name, name its side files
   * @return the file's bytes now, and which side files exist now
   * @throws IOException if the file cannot be read
   */
  public static FileSnapshot of(Path file, String... sideFileSuffixes) throws IOException {
    Map<String, Boolean> sideFiles = new LinkedHashMap<>();
    for (String suffix : sideFileSuffixes) {
      sideFiles.put(suffix, Files.exists(Path.of(file + Objects.requireNonNull(suffix, "suffix"))));
    }
    return new FileSnapshot(Files.readAllBytes(file), Map.copyOf(sideFiles));
  }

  /** @return whether each side file existed, by its suffix */
  public Map<String, Boolean> sideFiles() {
    return sideFiles;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof FileSnapshot that && Arrays.equals(bytes, that.bytes)
        && sideFiles.equals(that.sideFiles);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes) * 31 + sideFiles.hashCode();
  }

  /** @return the size, the first bytes in hex (where a header's flags change) and the side files */
  @Override
  public String toString() {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(bytes.length, SHOWN_BYTES); i++) {
      hex.append(String.format("%02x", bytes[i]));
    }
    StringBuilder sides = new StringBuilder();
    sideFiles.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(side ->
        sides.append(", ").append(side.getKey()).append(side.getValue() ? " exists" : " absent"));
    return bytes.length + " bytes, starting " + hex + sides;
  }
}
