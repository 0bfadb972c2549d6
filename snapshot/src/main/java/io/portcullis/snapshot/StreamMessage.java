package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * The messages of the snapshot stream (protocol v1). Operator to dataplane: {@link SnapshotMsg}
 * and {@link DeltaMsg}. Dataplane to operator: {@link Hello}, {@link Ack} and {@link Nack}. On the
 * wire each is framed by {@link MessageFraming}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = StreamMessage.Hello.class, name = "hello"),
  @JsonSubTypes.Type(value = StreamMessage.SnapshotMsg.class, name = "snapshot"),
  @JsonSubTypes.Type(value = StreamMessage.DeltaMsg.class, name = "delta"),
  @JsonSubTypes.Type(value = StreamMessage.Ack.class, name = "ack"),
  @JsonSubTypes.Type(value = StreamMessage.Nack.class, name = "nack")
})
public sealed interface StreamMessage {

  /** Protocol version carried in {@link Hello}; the path is {@code /v1/stream}. */
  int PROTOCOL_VERSION = 1;

  /**
   * First message of a dataplane.
   *
   * @param nodeId the dataplane's name (its pod name in a cluster)
   * @param version the snapshot version it already has, or null; the operator resends nothing
   *     when that is current
   * @param protocol {@link #PROTOCOL_VERSION}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Hello(String nodeId, String version, int protocol) implements StreamMessage {
    public Hello {
      Sorted.requireText(nodeId, "node id");
    }
  }

  /** A full snapshot. The version and nonce are the snapshot's and the message's own. */
  record SnapshotMsg(String nonce, Snapshot snapshot) implements StreamMessage {
    public SnapshotMsg {
      Sorted.requireText(nonce, "nonce");
      java.util.Objects.requireNonNull(snapshot, "snapshot");
    }

    public String version() {
      return snapshot.version();
    }
  }

  /** Changes against {@link Delta#baseVersion()}; see {@link Delta}. */
  record DeltaMsg(String nonce, Delta delta) implements StreamMessage {
    public DeltaMsg {
      Sorted.requireText(nonce, "nonce");
      java.util.Objects.requireNonNull(delta, "delta");
    }

    public String version() {
      return delta.version();
    }
  }

  /** The dataplane applied the message with this nonce and now serves {@code version}. */
  record Ack(String version, String nonce) implements StreamMessage {
    public Ack {
      Sorted.requireText(version, "version");
      Sorted.requireText(nonce, "nonce");
    }
  }

  /**
   * The dataplane could not apply the message with this nonce and keeps serving what it had.
   *
   * @param version the version it rejected
   * @param error why, in words
   * @param resources names of the routes, virtual hosts or clusters that caused it, if known
   */
  record Nack(String version, String nonce, String error, List<String> resources)
      implements StreamMessage {
    public Nack {
      Sorted.requireText(nonce, "nonce");
      error = error == null ? "" : error;
      resources = Sorted.copy(resources);
    }
  }
}
