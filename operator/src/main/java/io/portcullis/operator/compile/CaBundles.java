package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.Secret;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CA bundles from Secrets (key {@code ca.crt}): for verifying backends (upstream TLS) and client
 * certificates. Each Secret is read and parsed once per compile; what comes out is PEM that holds
 * at least one parsable certificate, so the dataplane never meets a bundle it cannot load.
 */
final class CaBundles {
  static final String CA_KEY = "ca.crt";

  private final Map<String, Secret> secrets = new HashMap<>();
  private final Map<String, Object> parsed = new HashMap<>();

  CaBundles(List<Secret> secretList) {
    for (Secret s : secretList) {
      secrets.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s);
    }
  }

  /**
   * The PEM bundle of Secret {@code namespace/name}.
   *
   * @throws InvalidInputException naming the Secret and what is wrong with it
   */
  String pem(String namespace, String name) throws InvalidInputException {
    String key = namespace + "/" + name;
    Object outcome = parsed.computeIfAbsent(key, k -> {
      try {
        return read(k, secrets.get(k));
      } catch (InvalidInputException e) {
        return e;
      }
    });
    if (outcome instanceof InvalidInputException e) {
      throw new InvalidInputException(Reasons.INVALID_CA_SECRET, e.getMessage());
    }
    return (String) outcome;
  }

  private static String read(String name, Secret secret) throws InvalidInputException {
    if (secret == null) {
      throw new InvalidInputException("CA Secret " + name + " not found");
    }
    String pem = text(name, secret);
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new InvalidInputException("CA Secret " + name + ": " + CA_KEY + " holds no PEM certificate");
    }
    try {
      int count = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
          .size();
      if (count == 0) {
        throw new InvalidInputException("CA Secret " + name + ": " + CA_KEY + " holds no PEM certificate");
      }
    } catch (CertificateException | RuntimeException e) {
      throw new InvalidInputException(
          "CA Secret " + name + ": " + CA_KEY + " is not valid PEM (" + firstLine(e) + ")");
    }
    return pem;
  }

  private static String text(String name, Secret secret) throws InvalidInputException {
    Map<String, String> data = secret.getData();
    String b64 = data == null ? null : data.get(CA_KEY);
    String plain;
    if (b64 != null && !b64.isEmpty()) {
      try {
        plain = new String(Base64.getMimeDecoder().decode(b64), StandardCharsets.US_ASCII);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("CA Secret " + name + ": " + CA_KEY + " is not base64");
      }
    } else {
      // Local-mode manifests may use stringData; the API server folds it into data.
      Map<String, String> stringData = secret.getStringData();
      plain = stringData == null ? null : stringData.get(CA_KEY);
    }
    if (plain == null || plain.isEmpty()) {
      throw new InvalidInputException("CA Secret " + name + " has no " + CA_KEY);
    }
    if (plain.length() > CertificateValidator.MAX_PEM_BYTES) {
      throw new InvalidInputException("CA Secret " + name + ": " + CA_KEY + " is too large");
    }
    return plain;
  }

  private static String firstLine(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String first = m.lines().findFirst().orElse(m);
    return first.length() <= 200 ? first : first.substring(0, 197) + "...";
  }
}
