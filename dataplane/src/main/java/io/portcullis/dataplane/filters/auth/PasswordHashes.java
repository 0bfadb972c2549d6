package io.portcullis.dataplane.filters.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Checks a password against an htpasswd hash: bcrypt (BouncyCastle's OpenBSDBCrypt, {@code $2a$},
 * {@code $2b$}, {@code $2y$}) or SHA-crypt (commons-codec, {@code $5$} and {@code $6$}). Slow on
 * purpose (that is the point of these schemes): never call it on an event loop.
 */
final class PasswordHashes {
  private PasswordHashes() {}

  static boolean matches(String password, String hash) {
    try {
      if (hash.startsWith("$2")) {
        return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
      }
      byte[] key = password.getBytes(StandardCharsets.UTF_8);
      String computed;
      if (hash.startsWith("$5$")) {
        computed = Sha2Crypt.sha256Crypt(key, hash);
      } else if (hash.startsWith("$6$")) {
        computed = Sha2Crypt.sha512Crypt(key, hash);
      } else {
        return false;
      }
      return MessageDigest.isEqual(
          computed.getBytes(StandardCharsets.US_ASCII), hash.getBytes(StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      return false; // a malformed hash matches nothing
    }
  }
}
