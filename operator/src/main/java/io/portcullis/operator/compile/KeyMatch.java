package io.portcullis.operator.compile;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * Whether a private key belongs to a certificate's public key, proved the cheap way where the
 * algorithm allows it and by a signature otherwise.
 *
 * <ul>
 *   <li>EC: the public point derived from the private scalar ({@code d·G}, a fixed-base
 *       multiplication with a table per curve) equals the certificate's, on the same curve. A
 *       sign-and-verify took three variable-base multiplications for the same proof, and was most
 *       of a cold compile with thousands of TLS Secrets.
 *   <li>RSA with CRT parameters (what every PEM key holds): the modulus and public exponent equal
 *       the certificate's, and the CRT parameters a signature is computed with are consistent with
 *       them ({@code p·q = n}, {@code e·dP ≡ 1 mod p-1}, {@code e·dQ ≡ 1 mod q-1},
 *       {@code qInv·q ≡ 1 mod p}): then every signature the key makes verifies under the
 *       certificate's key, which is what the sign-and-verify probe showed for one message.
 *   <li>Anything else (EdDSA, RSA without CRT parameters): sign a probe and verify it.
 * </ul>
 *
 * <p>Pure and thread-safe; the per-curve table is computed once per curve and kept.
 */
final class KeyMatch {
  private KeyMatch() {}

  /** A curve by what identifies it: the field, the coefficients, the generator and the order. */
  private record CurveId(java.security.spec.EllipticCurve curve, BigInteger gx, BigInteger gy,
      BigInteger order, int cofactor) {
    static CurveId of(ECParameterSpec spec) {
      return new CurveId(spec.getCurve(), spec.getGenerator().getAffineX(),
          spec.getGenerator().getAffineY(), spec.getOrder(), spec.getCofactor());
    }
  }

  /** Per curve, BouncyCastle's generator point; its comb table is built on first use and kept. */
  private static final ConcurrentHashMap<CurveId, ECPoint> GENERATORS = new ConcurrentHashMap<>();

  static boolean matches(PrivateKey key, PublicKey certificateKey) {
    try {
      if (key instanceof ECPrivateKey ec) {
        return certificateKey instanceof ECPublicKey pub && ec(ec, pub);
      }
      if (key instanceof RSAPrivateCrtKey rsa) {
        return certificateKey instanceof RSAPublicKey pub && rsa(rsa, pub);
      }
      return bySignature(key, certificateKey);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean ec(ECPrivateKey key, ECPublicKey certificateKey) {
    CurveId curve = CurveId.of(key.getParams());
    // EllipticCurve compares field and coefficients; the generator and order complete the curve.
    if (!curve.equals(CurveId.of(certificateKey.getParams()))) {
      return false;
    }
    BigInteger d = key.getS();
    if (d.signum() <= 0 || d.compareTo(curve.order()) >= 0) {
      return false;
    }
    ECPoint g = GENERATORS.computeIfAbsent(curve, KeyMatch::generator);
    ECPoint q = new FixedPointCombMultiplier().multiply(g, d).normalize();
    java.security.spec.ECPoint w = certificateKey.getW();
    return !q.isInfinity()
        && q.getAffineXCoord().toBigInteger().equals(w.getAffineX())
        && q.getAffineYCoord().toBigInteger().equals(w.getAffineY());
  }

  /**
   * The curve's generator in BouncyCastle's arithmetic: its fast implementation for the NIST
   * curves TLS uses, found by name (asking BouncyCastle to convert a JDK curve would build every
   * curve it knows first, a tenth of a second once), else the generic prime-field one.
   */
  private static ECPoint generator(CurveId id) {
    for (String name : NAMED_CURVES) {
      X9ECParameters x9 = CustomNamedCurves.getByName(name);
      ECPoint g = x9.getG().normalize();
      if (x9.getN().equals(id.order())
          && x9.getCurve().getField().getCharacteristic().equals(prime(id))
          && g.getAffineXCoord().toBigInteger().equals(id.gx())
          && g.getAffineYCoord().toBigInteger().equals(id.gy())) {
        return x9.getG();
      }
    }
    ECCurve curve = new ECCurve.Fp(prime(id), id.curve().getA(), id.curve().getB(), id.order(),
        BigInteger.valueOf(id.cofactor()));
    return curve.createPoint(id.gx(), id.gy());
  }

  private static final List<String> NAMED_CURVES = List.of("secp256r1", "secp384r1", "secp521r1");

  /** The field's prime; a binary-field curve is refused (no TLS certificate uses one). */
  private static BigInteger prime(CurveId id) {
    if (!(id.curve().getField() instanceof ECFieldFp fp)) {
      throw new IllegalArgumentException("not a prime-field curve");
    }
    return fp.getP();
  }

  private static boolean rsa(RSAPrivateCrtKey key, RSAPublicKey certificateKey) {
    BigInteger n = certificateKey.getModulus();
    BigInteger e = certificateKey.getPublicExponent();
    BigInteger p = key.getPrimeP();
    BigInteger q = key.getPrimeQ();
    if (!n.equals(key.getModulus()) || !e.equals(key.getPublicExponent())
        || p == null || q == null || p.signum() <= 0 || q.signum() <= 0) {
      return false;
    }
    BigInteger pMinus1 = p.subtract(BigInteger.ONE);
    BigInteger qMinus1 = q.subtract(BigInteger.ONE);
    return p.multiply(q).equals(n)
        && pMinus1.signum() > 0 && qMinus1.signum() > 0
        && e.multiply(key.getPrimeExponentP()).mod(pMinus1).equals(BigInteger.ONE)
        && e.multiply(key.getPrimeExponentQ()).mod(qMinus1).equals(BigInteger.ONE)
        && key.getCrtCoefficient().multiply(q).mod(p).equals(BigInteger.ONE);
  }

  /** The general proof: the key signs what the certificate's public key verifies. */
  static boolean bySignature(PrivateKey key, PublicKey certificateKey) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      case "Ed448" -> "Ed448";
      default -> null;
    };
    if (algorithm == null || !sameFamily(key.getAlgorithm(), certificateKey.getAlgorithm())) {
      return false;
    }
    try {
      byte[] probe = "portcullis key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificateKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static boolean sameFamily(String keyAlgorithm, String certAlgorithm) {
    return family(keyAlgorithm).equals(family(certAlgorithm));
  }

  private static String family(String algorithm) {
    return algorithm.startsWith("EC") ? "EC" : algorithm.startsWith("Ed") ? "Ed" : algorithm;
  }
}
