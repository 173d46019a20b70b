package io.checkpoints.ports;

/**
 * The flags of {@code powersync_clear(flags)}. Bit {@code 0x02} asks for a soft clear, which is
 * refused while a sync iteration is active; without it the clear is hard and allowed at any time.
 * Other bits are passed through to the store. Immutable and thread-safe.
 *
 * @param bits the flag bits as given to {@code powersync_clear}
 */
public record ClearFlags(int bits) {

  /** Bit {@code 0x02}: a soft clear. */
  public static final int SOFT_BIT = 0x02;

  /** A hard clear with no other flags, {@code powersync_clear(0)}. */
  public static final ClearFlags HARD = new ClearFlags(0);

  /**
   * @param bits the flag bits
   * @return the flags
   */
  public static ClearFlags of(int bits) {
    return new ClearFlags(bits);
  }

  /** @return whether bit {@code 0x02}, a soft clear, is set */
  public boolean isSoft() {
    return (bits & SOFT_BIT) != 0;
  }
}
