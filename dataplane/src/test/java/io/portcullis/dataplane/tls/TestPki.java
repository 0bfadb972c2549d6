package io.portcullis.dataplane.tls;

import io.portcullis.snapshot.TlsCertificate;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway CA made at test time, and server certificates it signs (no private key is ever
 * checked in). Clients trust {@link #clientContext()}.
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(100);

  private final KeyPair caKeys = ecKeys();
  private final X500Name caName;
  private final X509Certificate ca;

  public TestPki() {
    // Each CA its own name, so a certificate of one never seems to come from another.
    caName = new X500Name("CN=Portcullis Test CA " + SERIAL.incrementAndGet());
    ca = sign(caName, caKeys, caName, caKeys.getPublic(), true);
  }

  public X509Certificate ca() {
    return ca;
  }

  /** A leaf for {@code dnsNames} signed by the CA, as it travels in a snapshot. */
  public TlsCertificate issue(String snapshotName, String... dnsNames) {
    KeyPair keys = ecKeys();
    X509Certificate leaf =
        sign(new X500Name("CN=" + dnsNames[0]), caKeys, caName, keys.getPublic(), false, dnsNames);
    return new TlsCertificate(snapshotName, pem("CERTIFICATE", encoded(leaf)) + pem("CERTIFICATE", encoded(ca)),
        pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
  }

  /**
   * A Netty server context for {@code certificate}, offering {@code alpn} (e.g. {@code h2}) when
   * given: for test backends that speak TLS.
   */
  public static io.netty.handler.ssl.SslContext serverContext(TlsCertificate certificate, String... alpn) {
    try {
      var builder = io.netty.handler.ssl.SslContextBuilder.forServer(
          new java.io.ByteArrayInputStream(certificate.certificateChain().getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
          new java.io.ByteArrayInputStream(certificate.privateKey().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      if (alpn.length > 0) {
        builder.applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
            io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
            io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            alpn));
      }
      return builder.build();
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client certificate and its key. */
  public record ClientIdentity(X509Certificate certificate, java.security.PrivateKey key) {}

  /**
   * A client certificate signed by this CA with subject {@code subject} (e.g. {@code CN=alice,O=Shop}),
   * a URI SAN when {@code uri} is not null, and DNS SANs.
   */
  public ClientIdentity issueClient(String subject, String uri, String... dnsNames) {
    KeyPair keys = ecKeys();
    X509Certificate leaf = sign(new X500Name(subject), caKeys, caName, keys.getPublic(), false,
        uri, dnsNames);
    return new ClientIdentity(leaf, keys.getPrivate());
  }

  /**
   * An SSLContext that trusts only this CA and presents {@code identity} whenever the server asks
   * for a certificate, whatever CAs the server says it accepts (so a server's verification, not
   * the client's choice, decides).
   */
  public SSLContext clientContext(ClientIdentity identity) {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      javax.net.ssl.X509ExtendedKeyManager km = new javax.net.ssl.X509ExtendedKeyManager() {
        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
          return new String[] {"client"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
          return "client";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers,
            javax.net.ssl.SSLEngine engine) {
          return "client";
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
          return null;
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
          return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
          return new X509Certificate[] {identity.certificate()};
        }

        @Override
        public java.security.PrivateKey getPrivateKey(String alias) {
          return identity.key();
        }
      };
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new javax.net.ssl.KeyManager[] {km}, tmf.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An SSLContext that trusts only this CA. */
  public SSLContext clientContext() {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The CA as PEM, for curl's --cacert. */
  public String caPem() {
    return pem("CERTIFICATE", encoded(ca));
  }

  private static X509Certificate sign(X500Name subject, KeyPair issuerKeys, X500Name issuer,
      java.security.PublicKey subjectKey, boolean isCa, String... dnsNames) {
    return sign(subject, issuerKeys, issuer, subjectKey, isCa, null, dnsNames);
  }

  private static X509Certificate sign(X500Name subject, KeyPair issuerKeys, X500Name issuer,
      java.security.PublicKey subjectKey, boolean isCa, String uri, String... dnsNames) {
    try {
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(2))), subject, subjectKey);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      java.util.List<GeneralName> names = new java.util.ArrayList<>();
      if (uri != null) {
        names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
      }
      for (String dns : dnsNames) {
        names.add(new GeneralName(GeneralName.dNSName, dns));
      }
      if (!names.isEmpty()) {
        b.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(names.toArray(new GeneralName[0])));
      }
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ecKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
