package io.portcullis.dataplane.tls;

import io.portcullis.dataplane.config.LayeredMap;
import io.portcullis.dataplane.tls.SniTable.Binding;
import io.portcullis.dataplane.tls.SniTable.ContextKey;
import io.portcullis.dataplane.tls.SniTable.Loaded;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy.ClientValidation;
import io.portcullis.snapshot.VirtualHost;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Builds {@link SniTable}s: from a whole snapshot, or from the installed table and the delta that
 * leads from its snapshot to the next one, visiting only the certificates and hosts the delta
 * names. Both give the same lookups (CertificateStoreTest holds them to it).
 */
final class SniTables {
  private SniTables() {}

  /** Every certificate and every TLS host of {@code snapshot}. */
  static SniTable of(Snapshot snapshot, ContextSource contexts) {
    Map<String, Loaded> certificates = new HashMap<>();
    for (TlsCertificate certificate : snapshot.certificates()) {
      LazyContext context = contexts.plain(certificate);
      if (context != null) {
        certificates.put(certificate.name(), new Loaded(certificate, context));
      }
    }
    contexts.throwIfFailed();
    String defaultCertificate = certificates.containsKey(snapshot.defaultCertificate())
        ? snapshot.defaultCertificate() : null;
    Map<String, Binding> exact = new HashMap<>();
    Map<String, Binding> wildcard = new HashMap<>();
    Map<ContextKey, LazyContext> validating = new HashMap<>();
    for (VirtualHost vhost : snapshot.virtualHosts()) {
      Binding binding = binding(vhost, certificates::get, defaultCertificate, contexts, validating);
      if (binding != null) {
        (vhost.isWildcard() ? wildcard : exact).put(key(vhost.host()), binding);
      }
    }
    contexts.throwIfFailed();
    return new SniTable(snapshot.version(), LayeredMap.copyOf(certificates), Map.copyOf(validating),
        LayeredMap.copyOf(exact), LayeredMap.copyOf(wildcard), defaultCertificate,
        List.copyOf(contexts.created()));
  }

  /**
   * Whether {@link #after} can build the table of {@code snapshot} from {@code installed}: the
   * delta leads from the installed table's snapshot to this one, the default certificate stays,
   * and no host checks client certificates (those contexts are per host; such snapshots are
   * rebuilt whole, still reusing every context).
   */
  static boolean canFollow(SniTable installed, Delta change, Snapshot snapshot) {
    return change != null
        && installed.version != null
        && installed.version.equals(change.baseVersion())
        && snapshot.version().equals(change.version())
        && Objects.equals(installed.defaultCertificate, snapshot.defaultCertificate())
        && (installed.defaultCertificate == null
            || !change.removeCertificates().contains(installed.defaultCertificate))
        && installed.validating.isEmpty()
        && change.upsertVirtualHosts().stream()
            .noneMatch(v -> v.tls() != null && v.tls().clientCertificates() != null);
  }

  /** The installed table with the certificates and hosts {@code change} names changed. */
  static SniTable after(
      SniTable installed, Delta change, Snapshot snapshot, ContextSource contexts) {
    LayeredMap<String, Loaded> certificates = installed.certificates;
    if (!change.upsertCertificates().isEmpty() || !change.removeCertificates().isEmpty()) {
      LayeredMap.Editor<String, Loaded> edit = certificates.edit();
      change.removeCertificates().forEach(edit::remove);
      for (TlsCertificate certificate : change.upsertCertificates()) {
        Loaded old = edit.get(certificate.name());
        if (old == null || !old.certificate().equals(certificate)) {
          LazyContext context = contexts.plain(certificate);
          if (context != null) {
            edit.put(certificate.name(), new Loaded(certificate, context));
          }
        }
      }
      contexts.throwIfFailed();
      certificates = edit.build();
    }
    LayeredMap.Editor<String, Binding> exact = installed.exact.edit();
    LayeredMap.Editor<String, Binding> wildcard = installed.wildcard.edit();
    for (String host : change.removeVirtualHosts()) {
      if (!host.equals(VirtualHost.ANY_HOST)) {
        (host.startsWith("*.") ? wildcard : exact).remove(key(host));
      }
    }
    Function<String, Loaded> byName = certificates::get;
    for (VirtualHost vhost : change.upsertVirtualHosts()) {
      if (vhost.host().equals(VirtualHost.ANY_HOST)) {
        continue;
      }
      LayeredMap.Editor<String, Binding> hosts = vhost.isWildcard() ? wildcard : exact;
      // No validating map: canFollow let no host that checks client certificates through.
      Binding binding = binding(vhost, byName, installed.defaultCertificate, contexts, null);
      if (binding == null) {
        hosts.remove(key(vhost.host()));
      } else {
        hosts.put(key(vhost.host()), binding);
      }
    }
    return new SniTable(snapshot.version(), certificates, installed.validating, exact.build(),
        wildcard.build(), installed.defaultCertificate, List.copyOf(contexts.created()));
  }

  /**
   * Where handshakes for {@code vhost} go, or null: it has no TLS, is the host-less host, or has
   * no certificate to present (it names none and there is no default). A host that checks client
   * certificates gets its context here, added to {@code validating}.
   */
  private static Binding binding(VirtualHost vhost, Function<String, Loaded> certificates,
      String defaultCertificate, ContextSource contexts, Map<ContextKey, LazyContext> validating) {
    if (vhost.tls() == null || vhost.host().equals(VirtualHost.ANY_HOST)) {
      return null;
    }
    String name = vhost.tls().certificate();
    String presented = name == null ? defaultCertificate : name;
    Loaded loaded = presented == null ? null : certificates.apply(presented);
    if (loaded == null) {
      return null; // no default either: the handshake fails, as for an unknown name
    }
    ClientValidation validation = vhost.tls().clientCertificates();
    if (validation == null) {
      return new Binding(name, null);
    }
    LazyContext context = contexts.context(loaded.certificate(), validation,
        "virtualHost/" + vhost.host(), "client CA bundle of host " + vhost.host() + " cannot be loaded");
    if (context == null) {
      return null;
    }
    validating.put(ContextKey.of(loaded.certificate(), validation), context);
    return new Binding(name, context);
  }

  /** The key of a host in the exact or the wildcard map (a wildcard's suffix after {@code *.}). */
  private static String key(String host) {
    return host.startsWith("*.") ? host.substring(2) : host;
  }
}
