package io.portcullis.operator.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cheap key match says what the sign-and-verify proof says, for every key kind a Secret can
 * hold: the same answer, only without three elliptic-curve multiplications per Secret.
 */
class KeyMatchTest {
  private static final KeyPair P256 = generate("EC", new ECGenParameterSpec("secp256r1"));
  private static final KeyPair P256_OTHER = generate("EC", new ECGenParameterSpec("secp256r1"));
  private static final KeyPair P384 = generate("EC", new ECGenParameterSpec("secp384r1"));
  private static final KeyPair P521 = generate("EC", new ECGenParameterSpec("secp521r1"));
  private static final KeyPair RSA = TestCertificates.rsaKeys();
  private static final KeyPair RSA_OTHER = TestCertificates.rsaKeys();
  private static final KeyPair ED25519 = generate("Ed25519", null);
  private static final KeyPair ED25519_OTHER = generate("Ed25519", null);

  static Stream<Arguments> pairs() {
    RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) RSA.getPrivate();
    return Stream.of(
        Arguments.of("an EC P-256 key and its own public key", P256.getPrivate(), P256.getPublic(), true),
        Arguments.of("an EC P-256 key and another P-256 public key", P256_OTHER.getPrivate(), P256.getPublic(), false),
        Arguments.of("an EC P-384 key and its own public key", P384.getPrivate(), P384.getPublic(), true),
        Arguments.of("an EC P-521 key and its own public key", P521.getPrivate(), P521.getPublic(), true),
        Arguments.of("an EC P-384 key and a P-256 public key", P384.getPrivate(), P256.getPublic(), false),
        Arguments.of("an RSA key and its own public key", RSA.getPrivate(), RSA.getPublic(), true),
        Arguments.of("an RSA key and another RSA public key", RSA_OTHER.getPrivate(), RSA.getPublic(), false),
        Arguments.of("an RSA key whose CRT exponent dP is wrong", rsaKey(rsa.getPrimeExponentP().add(BigInteger.ONE),
            rsa.getPrimeExponentQ(), rsa.getCrtCoefficient()), RSA.getPublic(), false),
        Arguments.of("an RSA key whose CRT exponent dQ is wrong", rsaKey(rsa.getPrimeExponentP(),
            rsa.getPrimeExponentQ().add(BigInteger.TWO), rsa.getCrtCoefficient()), RSA.getPublic(), false),
        Arguments.of("an RSA key whose CRT coefficient is wrong", rsaKey(rsa.getPrimeExponentP(),
            rsa.getPrimeExponentQ(), rsa.getCrtCoefficient().add(BigInteger.ONE)), RSA.getPublic(), false),
        Arguments.of("an Ed25519 key and its own public key", ED25519.getPrivate(), ED25519.getPublic(), true),
        Arguments.of("an Ed25519 key and another public key", ED25519_OTHER.getPrivate(), ED25519.getPublic(), false),
        Arguments.of("an EC key and an RSA public key", P256.getPrivate(), RSA.getPublic(), false),
        Arguments.of("an RSA key and an EC public key", RSA.getPrivate(), P256.getPublic(), false),
        Arguments.of("an Ed25519 key and an EC public key", ED25519.getPrivate(), P256.getPublic(), false));
  }

  @ParameterizedTest(name = "{0}: match {3}")
  @MethodSource("pairs")
  void agreesWithTheSignatureProof(String situation, PrivateKey key, PublicKey certificateKey, boolean belongs) {
    assertEquals(belongs, KeyMatch.matches(key, certificateKey), situation);
    assertEquals(belongs, KeyMatch.bySignature(key, certificateKey), situation + " (signature proof)");
  }

  private static PrivateKey rsaKey(BigInteger dP, BigInteger dQ, BigInteger qInv) {
    RSAPrivateCrtKey k = (RSAPrivateCrtKey) RSA.getPrivate();
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(new RSAPrivateCrtKeySpec(k.getModulus(),
          k.getPublicExponent(), k.getPrivateExponent(), k.getPrimeP(), k.getPrimeQ(), dP, dQ, qInv));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair generate(String algorithm, ECGenParameterSpec spec) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
      if (spec != null) {
        g.initialize(spec);
      }
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
