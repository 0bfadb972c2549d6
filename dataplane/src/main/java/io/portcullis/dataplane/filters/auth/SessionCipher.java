package io.portcullis.dataplane.filters.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals cookie values with AES-256-GCM: encrypted and authenticated, bound to the cookie's name
 * (as associated data, so one cookie's value cannot be replayed as another's). The first key
 * seals; every key opens, which is how a rotated key keeps old sessions valid for a grace period.
 */
final class SessionCipher {
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final byte VERSION = 1;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final List<SecretKeySpec> keys;

  SessionCipher(List<String> base64Keys) {
    this.keys = base64Keys.stream()
        .map(k -> new SecretKeySpec(Base64.getDecoder().decode(k), "AES"))
        .toList();
  }

  /** {@code plain} sealed for cookie {@code name}, as base64url text. */
  String seal(byte[] plain, String name) {
    try {
      byte[] iv = new byte[IV_BYTES];
      RANDOM.nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(0), new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plain);
      ByteBuffer out = ByteBuffer.allocate(1 + IV_BYTES + sealed.length);
      out.put(VERSION).put(iv).put(sealed);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** The plain bytes, or null when the value was not sealed by one of our keys for {@code name}. */
  byte[] open(String value, String name) {
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (raw.length < 1 + IV_BYTES + TAG_BITS / 8 || raw[0] != VERSION) {
      return null;
    }
    for (SecretKeySpec key : keys) {
      try {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 1, IV_BYTES));
        cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
        return cipher.doFinal(raw, 1 + IV_BYTES, raw.length - 1 - IV_BYTES);
      } catch (GeneralSecurityException e) {
        // not this key (or tampered): try the next
      }
    }
    return null;
  }
}
