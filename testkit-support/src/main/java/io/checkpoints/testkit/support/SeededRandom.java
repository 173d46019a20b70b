package io.checkpoints.testkit.support;

import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The one random source of a model-based run: a {@link SplittableRandom} with the helpers that
 * generators need. The same seed gives the same sequence of values on every JVM.
 *
 * <p>Not thread-safe: use one instance per thread (see {@link #split()}).
 */
public final class SeededRandom {

  private final long seed;
  private final SplittableRandom random;

  /** @param seed the seed; the same seed replays the same values */
  public SeededRandom(long seed) {
    this.seed = seed;
    this.random = new SplittableRandom(seed);
  }

  private SeededRandom(long seed, SplittableRandom random) {
    this.seed = seed;
    this.random = random;
  }

  /** @return the seed this source was created with */
  public long seed() {
    return seed;
  }

  /** @return an independent source derived from this one's current state */
  public SeededRandom split() {
    return new SeededRandom(seed, random.split());
  }

  /** @return a uniformly distributed long */
  public long nextLong() {
    return random.nextLong();
  }

  /**
   * @param bound the exclusive upper bound; positive
   * @return a value in {@code 0..bound-1}
   */
  public int nextInt(int bound) {
    return random.nextInt(bound);
  }

  /**
   * @param min the lowest value
   * @param max the highest value, inclusive; at least {@code min}
   * @return a value in {@code min..max}
   */
  public long between(long min, long max) {
    if (max < min) {
      throw new IllegalArgumentException("max " + max + " < min " + min);
    }
    if (max == Long.MAX_VALUE && min == Long.MIN_VALUE) {
      return random.nextLong();
    }
    if (max == Long.MAX_VALUE) {
      return random.nextLong(min - 1, max) + 1;
    }
    return random.nextLong(min, max + 1);
  }

  /**
   * @param probability between 0 and 1
   * @return true with that probability
   */
  public boolean chance(double probability) {
    return random.nextDouble() < probability;
  }

  /**
   * @param values the values to pick from; not empty
   * @param <T> their type
   * @return one of them, uniformly
   */
  public <T> T pick(List<T> values) {
    Objects.requireNonNull(values, "values");
    if (values.isEmpty()) {
      throw new IllegalArgumentException("nothing to pick from");
    }
    return values.get(random.nextInt(values.size()));
  }

  /**
   * Picks an index with probability proportional to its weight.
   *
   * @param weights non-negative weights, at least one positive
   * @return the index picked
   */
  public int weighted(int... weights) {
    int total = 0;
    for (int weight : weights) {
      if (weight < 0) {
        throw new IllegalArgumentException("negative weight " + weight);
      }
      total += weight;
    }
    if (total == 0) {
      throw new IllegalArgumentException("no positive weight");
    }
    int roll = random.nextInt(total);
    for (int i = 0; i < weights.length; i++) {
      roll -= weights[i];
      if (roll < 0) {
        return i;
      }
    }
    throw new AssertionError("unreachable");
  }
}
