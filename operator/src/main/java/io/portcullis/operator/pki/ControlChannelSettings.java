package io.portcullis.operator.pki;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Where the control channel's certificates live and how long they last.
 *
 * @param caSecret {@code --ca-secret}: the CA's key and certificate (created on first start)
 * @param dataplaneSecret {@code --dataplane-cert-secret}: a {@code kubernetes.io/tls} Secret the
 *     operator keeps filled with a current dataplane client certificate ({@code tls.crt},
 *     {@code tls.key}) and the CA ({@code ca.crt}); dataplanes mount it
 * @param service {@code --snapshot-service}: the operator's Service; its cluster DNS names go into
 *     the serving certificate
 * @param extraNames {@code --snapshot-dns-names}: further DNS names or IP literals for the
 *     serving certificate
 * @param certValidity {@code --control-cert-validity}: lifetime of serving and client
 *     certificates (default 30 days); each is replaced after two thirds of it
 * @param checkInterval how often renewals are checked (default 1 minute)
 */
public record ControlChannelSettings(
    NamespacedName caSecret,
    NamespacedName dataplaneSecret,
    NamespacedName service,
    List<String> extraNames,
    Duration certValidity,
    Duration checkInterval) {

  public static final NamespacedName DEFAULT_CA_SECRET =
      new NamespacedName("portcullis-system", "portcullis-ca");
  public static final NamespacedName DEFAULT_DATAPLANE_SECRET =
      new NamespacedName("portcullis-system", "portcullis-dataplane-tls");
  public static final NamespacedName DEFAULT_SERVICE =
      new NamespacedName("portcullis-system", "portcullis-operator");
  public static final Duration DEFAULT_CERT_VALIDITY = Duration.ofDays(30);
  public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofMinutes(1);

  public ControlChannelSettings {
    Objects.requireNonNull(caSecret, "caSecret");
    Objects.requireNonNull(dataplaneSecret, "dataplaneSecret");
    Objects.requireNonNull(service, "service");
    extraNames = List.copyOf(extraNames);
    if (certValidity.compareTo(Duration.ofSeconds(3)) < 0) {
      throw new IllegalArgumentException("certificate validity must be at least 3s");
    }
    if (checkInterval.isNegative() || checkInterval.isZero()) {
      throw new IllegalArgumentException("check interval must be positive");
    }
  }

  public static ControlChannelSettings defaults() {
    return new ControlChannelSettings(DEFAULT_CA_SECRET, DEFAULT_DATAPLANE_SECRET, DEFAULT_SERVICE,
        List.of(), DEFAULT_CERT_VALIDITY, DEFAULT_CHECK_INTERVAL);
  }

  public ControlChannelSettings withExtraNames(List<String> names) {
    return new ControlChannelSettings(
        caSecret, dataplaneSecret, service, names, certValidity, checkInterval);
  }

  public ControlChannelSettings withValidity(Duration validity, Duration interval) {
    return new ControlChannelSettings(
        caSecret, dataplaneSecret, service, extraNames, validity, interval);
  }

  /** The serving certificate's names: the Service's cluster DNS names, then the extra ones. */
  public List<String> serverNames() {
    String svc = service.name();
    String ns = service.namespace();
    Set<String> names = new LinkedHashSet<>(List.of(
        svc + "." + ns + ".svc",
        svc + "." + ns + ".svc.cluster.local",
        svc + "." + ns,
        svc));
    names.addAll(extraNames);
    return List.copyOf(names);
  }
}
