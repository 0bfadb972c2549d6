package io.portcullis.dataplane.config;

import java.util.List;

/**
 * Smooth weighted round robin (the nginx algorithm): over any window of {@code sum(weights)}
 * picks each item is chosen exactly {@code weight} times, interleaved rather than in bursts.
 * A lock guards the tiny state; one item skips it entirely.
 */
final class WeightedPicker<T> {
  private final List<T> items;
  private final int[] weights;
  private final long[] current;
  private final long total;

  WeightedPicker(List<T> items, int[] weights) {
    this.items = List.copyOf(items);
    this.weights = weights.clone();
    this.current = new long[weights.length];
    long sum = 0;
    for (int w : weights) {
      sum += w;
    }
    this.total = sum;
  }

  T pick() {
    if (items.size() == 1) {
      return items.get(0);
    }
    synchronized (current) {
      int best = -1;
      for (int i = 0; i < weights.length; i++) {
        current[i] += weights[i];
        if (weights[i] > 0 && (best < 0 || current[i] > current[best])) {
          best = i;
        }
      }
      current[best] -= total;
      return items.get(best);
    }
  }
}
