package io.portcullis.operator.tls;

import io.portcullis.operator.compile.CompilerSettings.DefaultCertificate;
import io.portcullis.snapshot.TlsCertificate;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The self-signed certificate the operator presents for unknown SNI names when no
 * {@code --default-certificate} is given (or it is unusable). Like ingress-nginx's "Fake
 * Certificate": it is not meant to be trusted, only to let a handshake finish so the client sees
 * a clear certificate error instead of a reset. Random, so it lives here in the wiring, not in the
 * pure compiler; in cluster mode {@code GeneratedCertificateSecret} keeps it for all replicas.
 */
public final class GeneratedCertificate {
  /** The name browsers show for it. */
  public static final String COMMON_NAME = "Portcullis Default Certificate";

  /** Valid for a year; renewed a month before it expires. */
  static final Duration VALIDITY = Duration.ofDays(365);

  private GeneratedCertificate() {}

  public static Duration validity() {
    return VALIDITY;
  }

  /** A fresh EC P-256 key and a self-signed certificate for it, valid from {@code now}. */
  public static TlsCertificate create(Instant now) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair keys = generator.generateKeyPair();
      X500Name subject = new X500Name("CN=" + COMMON_NAME + ",O=Portcullis");
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          subject,
          new BigInteger(127, new SecureRandom()).add(BigInteger.ONE),
          Date.from(now.minus(Duration.ofHours(1))), // tolerate clients whose clocks lag a little
          Date.from(now.plus(VALIDITY)),
          subject,
          keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      builder.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.dNSName, "portcullis.invalid")));
      X509CertificateHolder holder =
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
      X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
      return new TlsCertificate(
          DefaultCertificate.GENERATED_NAME,
          pem("CERTIFICATE", certificate.getEncoded()),
          pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    } catch (GeneralSecurityException | OperatorCreationException
        | org.bouncycastle.cert.CertIOException e) {
      throw new IllegalStateException("cannot generate the default certificate", e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
