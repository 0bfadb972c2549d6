package io.portcullis.operator.pki;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.SslContext;
import io.portcullis.transport.ControlPlaneTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataplane's client TLS files (it lives in the dataplane module; tested here where a CA is
 * at hand to issue certificates).
 */
class ControlPlaneTlsTest {
  private static final CertificateAuthority CA = TlsTestSupport.newCa("operator CA");
  @TempDir Path dir;

  @Test
  void rewrittenFilesAreUsedForTheNextConnection() throws Exception {
    TlsTestSupport.writeFiles(dir, CA.issueClient("a", TlsTestSupport.DAY), CA.certificate());
    try (ControlPlaneTls tls = TlsTestSupport.dataplaneTls(dir, Duration.ofMillis(50))) {
      SslContext first = tls.get();

      TlsTestSupport.writeFiles(dir, CA.issueClient("b", TlsTestSupport.DAY), CA.certificate());

      await().until(() -> tls.get() != first); // the poller noticed
    }
  }

  @Test
  void unchangedFilesKeepTheContext() throws Exception {
    TlsTestSupport.writeFiles(dir, CA.issueClient("a", TlsTestSupport.DAY), CA.certificate());
    try (ControlPlaneTls tls = TlsTestSupport.dataplaneTls(dir, Duration.ofHours(1))) {
      SslContext first = tls.get();
      assertFalse(tls.reload());
      assertSame(first, tls.get());
    }
  }

  @Test
  void aBrokenKeyFileKeepsThePreviousContextUntilItIsFixed() throws Exception {
    TlsTestSupport.writeFiles(dir, CA.issueClient("a", TlsTestSupport.DAY), CA.certificate());
    try (ControlPlaneTls tls = TlsTestSupport.dataplaneTls(dir, Duration.ofHours(1))) {
      SslContext first = tls.get();
      Files.writeString(dir.resolve("tls.key"), "garbage");

      assertFalse(tls.reload());
      assertSame(first, tls.get());

      TlsTestSupport.writeFiles(dir, CA.issueClient("b", TlsTestSupport.DAY), CA.certificate());
      assertTrue(tls.reload());
      assertNotSame(first, tls.get());
    }
  }

  @Test
  void aMissingFileIsAOneLineStartupError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TlsTestSupport.dataplaneTls(dir, Duration.ofHours(1)));
    assertTrue(e.getMessage().startsWith("cannot read " + dir.resolve("tls.crt")), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void aKeyThatDoesNotMatchTheCertificateIsRefused() throws Exception {
    IssuedCertificate a = CA.issueClient("a", TlsTestSupport.DAY);
    IssuedCertificate b = CA.issueClient("b", TlsTestSupport.DAY);
    TlsTestSupport.writeFiles(dir, new IssuedCertificate(b.key(), a.certificate()), CA.certificate());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TlsTestSupport.dataplaneTls(dir, Duration.ofHours(1)));
    assertTrue(e.getMessage().contains("does not match"), e.getMessage());
  }
}
