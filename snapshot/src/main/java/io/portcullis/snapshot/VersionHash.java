package io.portcullis.snapshot;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A snapshot's version: a content hash built like a Merkle tree of one level. Each part (virtual
 * host, cluster, certificate, blob) is hashed alone, SHA-256 of its canonical JSON, and the
 * version is the SHA-256 of those digests in the snapshot's canonical order, section by section,
 * plus the default cluster and certificate (first 16 bytes, hex). Identical content still means
 * an identical version, and any change to a part changes its digest and so the version; but a
 * new snapshot that shares part objects with an earlier one re-serialises only its new parts
 * ({@link PartDigests}), so versioning a one-object change costs the change plus 32 bytes per part
 * instead of serialising and hashing the whole snapshot (12 MiB at 10,000 Ingresses).
 */
final class VersionHash {
  /** Bumped if the construction ever changes, so that no old and new version can collide. */
  private static final byte[] DOMAIN = "portcullis snapshot version 2\n".getBytes(StandardCharsets.UTF_8);

  private VersionHash() {}

  /** The version of a snapshot's content; every list in the snapshot's canonical order. */
  static String of(List<VirtualHost> virtualHosts, List<Cluster> clusters, String defaultCluster,
      List<TlsCertificate> certificates, String defaultCertificate, List<StaticBlob> blobs) {
    MessageDigest sha = sha256();
    sha.update(DOMAIN);
    section(sha, 'v', virtualHosts);
    section(sha, 'c', clusters);
    section(sha, 't', certificates);
    section(sha, 'b', blobs);
    text(sha, defaultCluster);
    text(sha, defaultCertificate);
    return HexFormat.of().formatHex(sha.digest(), 0, 16);
  }

  static byte[] sha256(byte[] bytes) {
    return sha256().digest(bytes);
  }

  private static void section(MessageDigest sha, char tag, List<?> parts) {
    sha.update(ByteBuffer.allocate(5).put((byte) tag).putInt(parts.size()).flip());
    // The same bytes as each part's digest in turn, in one call.
    sha.update(PartDigests.ofList(parts));
  }

  /** Length-prefixed, with -1 for null, so that null, "" and any text all hash apart. */
  private static void text(MessageDigest sha, String value) {
    byte[] bytes = value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
    sha.update(ByteBuffer.allocate(4).putInt(value == null ? -1 : bytes.length).flip());
    sha.update(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
