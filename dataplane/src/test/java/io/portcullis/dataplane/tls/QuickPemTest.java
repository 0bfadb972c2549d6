package io.portcullis.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.ssl.SslContextBuilder;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy.ClientValidation;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The quick PEM reading accepts the common shape and leaves everything else to Netty's reader;
 * whatever it accepts, Netty's reader (what a context build runs) accepts too.
 */
class QuickPemTest {
  private static final TestPki PKI = new TestPki();
  private static final TlsCertificate EC = PKI.issue("default/ec", "ec.example.com");

  private static String rsaKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(
              generator.generateKeyPair().getPrivate().getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TlsCertificate with(String chain, String key) {
    return new TlsCertificate("default/x", chain, key);
  }

  static Stream<Arguments> cases() {
    String chain = EC.certificateChain();
    String key = EC.privateKey();
    String firstBlock = chain.substring(0, chain.indexOf("-----END CERTIFICATE-----") + 26);
    return Stream.of(
        Arguments.of("an EC certificate chain and its PKCS#8 key", with(chain, key), true),
        Arguments.of("an RSA PKCS#8 key", with(chain, rsaKey()), true),
        Arguments.of("CRLF line ends", with(chain.replace("\n", "\r\n"), key.replace("\n", "\r\n")), true),
        Arguments.of("openssl's bag attributes before the blocks",
            with("Bag Attributes\n    friendlyName: shop\n" + chain, key), true),
        Arguments.of("a leaf without its issuer", with(firstBlock, key), true),
        Arguments.of("a certificate that is not DER",
            with("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", key), false),
        Arguments.of("a key that is not PKCS#8",
            with(chain, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), false),
        Arguments.of("a PKCS#1 key header", with(chain, key.replace("PRIVATE KEY", "RSA PRIVATE KEY")), false),
        Arguments.of("lower-case headers", with(chain.toLowerCase(java.util.Locale.ROOT), key), false),
        Arguments.of("another kind of block in the chain",
            with(chain + "-----BEGIN TRUSTED CERTIFICATE-----\nAAAA\n-----END TRUSTED CERTIFICATE-----\n", key),
            false),
        Arguments.of("a header with fewer dashes",
            with(chain + "-BEGIN CERTIFICATE-\nAAAA\n-END CERTIFICATE-\n", key), false),
        Arguments.of("a header without its line break",
            with(chain.replace("-----BEGIN CERTIFICATE-----\n", "-----BEGIN CERTIFICATE-----"), key), false),
        Arguments.of("a space in the base64", with(chain.replaceFirst("\n(.)", "\n $1"), key), false),
        Arguments.of("padding in the middle", with(chain, key.replaceFirst("\n(....)", "\n=$1")), false),
        Arguments.of("two keys", with(chain, key + key), false),
        Arguments.of("no certificate at all", with("nothing here", key), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void readsOnlyWhatNettyReads(String name, TlsCertificate certificate, boolean quick) {
    assertEquals(quick, QuickPem.reads(certificate, null), name);
    if (quick) {
      assertDoesNotThrow(() -> SslContextBuilder.forServer(stream(certificate.certificateChain()),
          stream(certificate.privateKey())), name);
    }
  }

  @ParameterizedTest(name = "as a client CA bundle: {0}")
  @MethodSource("cases")
  void caBundlesReadOnlyWhatNettyReads(String name, TlsCertificate certificate, boolean quick) {
    ClientValidation validation = new ClientValidation(certificate.certificateChain(), false);
    if (QuickPem.reads(EC, validation)) {
      assertDoesNotThrow(() -> SslContextBuilder.forServer(stream(EC.certificateChain()),
          stream(EC.privateKey())).trustManager(stream(validation.caCertificatesPem())), name);
    }
  }

  @org.junit.jupiter.api.Test
  void theCommonCaBundleReadsQuickly() {
    assertEquals(true, QuickPem.reads(EC, new ClientValidation(PKI.caPem(), true)));
  }

  private static ByteArrayInputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }
}
