package io.portcullis.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.snapshot.StreamMessage.Ack;
import io.portcullis.snapshot.StreamMessage.DeltaMsg;
import io.portcullis.snapshot.StreamMessage.Hello;
import io.portcullis.snapshot.StreamMessage.Nack;
import io.portcullis.snapshot.StreamMessage.SnapshotMsg;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files pin the wire format: a change to a record that changes its JSON fails here, and the
 * author must decide whether older dataplanes can still read it. Regenerate deliberately with
 * {@code -Dgolden.update=true} and review the diff.
 */
class GoldenJsonTest {

  static Stream<Arguments> documents() {
    Snapshot snapshot = Fixtures.everything();
    Delta delta = Delta.between(snapshot, Fixtures.changed());
    return Stream.of(
        Arguments.of("snapshot.json", snapshot, Snapshot.class),
        Arguments.of("delta.json", delta, Delta.class),
        Arguments.of("snapshot-tls.json", Fixtures.withTls(), Snapshot.class),
        Arguments.of("delta-tls.json", Delta.between(snapshot, Fixtures.withTls()), Delta.class),
        Arguments.of("hello.json", new Hello("dataplane-0", snapshot.version(), 1), StreamMessage.class),
        Arguments.of("hello-first.json", new Hello("dataplane-0", null, 1), StreamMessage.class),
        Arguments.of("snapshot-msg.json", new SnapshotMsg("n-1", snapshot), StreamMessage.class),
        Arguments.of("delta-msg.json", new DeltaMsg("n-2", delta), StreamMessage.class),
        Arguments.of("ack.json", new Ack(snapshot.version(), "n-1"), StreamMessage.class),
        Arguments.of("nack.json", new Nack(delta.version(), "n-2",
            "invalid regex in route proxyroute/default/shop/old", List.of("route/proxyroute/default/shop/old")),
            StreamMessage.class));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void encodesExactlyAsTheGoldenFile(String file, Object value, Class<?> type) throws IOException {
    String json = SnapshotCodec.toPrettyJson(value) + "\n";
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(Path.of("src/test/resources/golden", file), json);
    }
    assertEquals(golden(file), json);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void decodesTheGoldenFileBackToTheSameValue(String file, Object value, Class<?> type)
      throws IOException {
    assertEquals(value, SnapshotCodec.fromJson(golden(file), type));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void compactAndFramedFormsRoundTrip(String file, Object value, Class<?> type) {
    assertEquals(value, SnapshotCodec.fromJson(SnapshotCodec.toJson(value), type));
    if (value instanceof StreamMessage message) {
      byte[] frame = MessageFraming.encode(message);
      assertEquals(List.of(message), new MessageFraming.Reader().read(java.nio.ByteBuffer.wrap(frame)));
    }
  }

  private static String golden(String file) throws IOException {
    try (InputStream in = GoldenJsonTest.class.getResourceAsStream("/golden/" + file)) {
      if (in == null) {
        throw new AssertionError("missing golden file " + file + " (run with -Dgolden.update=true)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
