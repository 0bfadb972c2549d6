package io.portcullis.operator.pki;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The operator's small certificate authority for the snapshot stream: one self-signed EC P-256
 * root that signs the operator's serving certificates and the dataplanes' client certificates.
 * Built with BouncyCastle's JCA builders over JDK keys (no provider registration). Immutable and
 * thread-safe.
 */
public final class CertificateAuthority {
  /** Lifetime of a newly created CA. Rotating the CA itself is manual (delete the Secret). */
  public static final Duration DEFAULT_CA_VALIDITY = Duration.ofDays(3650);

  // Tolerates clocks between operator and dataplane nodes running a little apart.
  static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();
  // Dotted-quad only: anything looser ("999.1.1.1") would make InetAddress ask DNS.
  private static final Pattern IPV4 = Pattern.compile(
      "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

  private final PrivateKey key;
  private final X509Certificate certificate;
  private final Clock clock;

  /** An existing CA (read back from its Secret). */
  public CertificateAuthority(PrivateKey key, X509Certificate certificate, Clock clock) {
    this.key = Objects.requireNonNull(key, "key");
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (certificate.getBasicConstraints() < 0) {
      throw new IllegalArgumentException("certificate is not a CA: " + certificate.getSubjectX500Principal());
    }
  }

  /** Creates a new self-signed CA named {@code commonName}. */
  public static CertificateAuthority create(String commonName, Duration validity, Clock clock) {
    KeyPair pair = newKeyPair();
    X500Name name = name(commonName);
    Instant now = clock.instant();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          name, serial(), Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(validity)),
          name, pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
          .addExtension(Extension.subjectKeyIdentifier, false,
              ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new CertificateAuthority(pair.getPrivate(), sign(builder, pair.getPrivate()), clock);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create CA certificate", e);
    }
  }

  public X509Certificate certificate() {
    return certificate;
  }

  PrivateKey key() {
    return key;
  }

  /**
   * A server certificate for the snapshot stream.
   *
   * @param names DNS names and IP literals for the subjectAltName; the first is also the CN
   */
  public IssuedCertificate issueServer(List<String> names, Duration validity) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a server certificate needs at least one name");
    }
    return issue(names.get(0), names, KeyPurposeId.id_kp_serverAuth, validity);
  }

  /** A client certificate for a dataplane, named {@code commonName}. */
  public IssuedCertificate issueClient(String commonName, Duration validity) {
    return issue(commonName, List.of(), KeyPurposeId.id_kp_clientAuth, validity);
  }

  /** True when {@code leaf} carries this CA's signature. */
  public boolean signed(X509Certificate leaf) {
    try {
      leaf.verify(certificate.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private IssuedCertificate issue(
      String commonName, List<String> altNames, KeyPurposeId purpose, Duration validity) {
    KeyPair pair = newKeyPair();
    Instant now = clock.instant();
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
      // A leaf outliving its CA would fail verification at the CA's expiry anyway.
      notAfter = certificate.getNotAfter().toInstant();
    }
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          certificate, serial(), Date.from(now.minus(CLOCK_SKEW)), Date.from(notAfter),
          name(commonName), pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
          .addExtension(Extension.subjectKeyIdentifier, false,
              ext.createSubjectKeyIdentifier(pair.getPublic()))
          .addExtension(Extension.authorityKeyIdentifier, false,
              ext.createAuthorityKeyIdentifier(certificate));
      if (!altNames.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false, altNames(altNames));
      }
      return new IssuedCertificate(pair.getPrivate(), sign(builder, key));
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue certificate for " + commonName, e);
    }
  }

  private static GeneralNames altNames(List<String> names) {
    List<GeneralName> general = new ArrayList<>();
    for (String name : names) {
      general.add(isIpLiteral(name)
          ? new GeneralName(GeneralName.iPAddress, name)
          : new GeneralName(GeneralName.dNSName, name));
    }
    return new GeneralNames(general.toArray(GeneralName[]::new));
  }

  static boolean isIpLiteral(String name) {
    if (!IPV4.matcher(name).matches() && !(name.contains(":") && name.matches("[0-9a-fA-F:.]+"))) {
      return false;
    }
    try {
      InetAddress.getByName(name); // a literal (a colon means IPv6 to the JDK): never a lookup
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign with " + SIGNATURE, e);
    }
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
  }

  private static BigInteger serial() {
    // Positive, 127 random bits: unique without coordination between operator replicas.
    return new BigInteger(127, RANDOM).setBit(0);
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is not available", e);
    }
  }
}
