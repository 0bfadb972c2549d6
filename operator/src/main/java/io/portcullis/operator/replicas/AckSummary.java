package io.portcullis.operator.replicas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.operator.store.SnapshotStore;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one operator replica's dataplanes applied, as it publishes it for the leader: how many
 * dataplanes are connected, and for each version how many of them acked it. Grouped by version,
 * so its size follows the number of distinct versions in flight (one or two), not the number of
 * dataplanes.
 *
 * @param connected dataplanes connected to the replica, acked or not
 * @param acked version to the number of connected dataplanes that serve it
 */
public record AckSummary(int connected, Map<String, Integer> acked) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static final AckSummary NONE = new AckSummary(0, Map.of());

  public AckSummary {
    acked = Map.copyOf(new TreeMap<>(acked));
    int total = acked.values().stream().mapToInt(Integer::intValue).sum();
    if (connected < 0 || total > connected) {
      throw new IllegalArgumentException(
          "acks (" + total + ") cannot outnumber connected dataplanes (" + connected + ")");
    }
  }

  public static AckSummary of(SnapshotStore store) {
    Map<String, Integer> acked = new TreeMap<>();
    int connected = 0;
    for (SnapshotStore.Dataplane d : store.dataplanes()) {
      connected++;
      if (d.ackedVersion() != null) {
        acked.merge(d.ackedVersion(), 1, Integer::sum);
      }
    }
    return new AckSummary(connected, acked);
  }

  /** Dataplanes connected that have not acked any version yet. */
  public int unacked() {
    return connected - acked.values().stream().mapToInt(Integer::intValue).sum();
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** @throws IllegalArgumentException when {@code json} is not a summary */
  public static AckSummary fromJson(String json) {
    try {
      return JSON.readValue(json, AckSummary.class);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException("not an ack summary: " + e.getMessage(), e);
    }
  }
}
