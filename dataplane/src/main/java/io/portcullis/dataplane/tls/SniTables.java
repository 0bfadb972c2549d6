package io.portcullis.dataplane.tls;

import io.portcullis.dataplane.config.LayeredMap;
import io.portcullis.dataplane.tls.SniTable.Binding;
import io.portcullis.dataplane.tls.SniTable.Loaded;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy.ClientValidation;
import io.portcullis.snapshot.VirtualHost;
import java.util.Objects;
import java.util.function.Function;

/**
 * Builds {@link SniTable}s: from a whole snapshot, or from the installed table and the delta that
 * leads from its snapshot to the next one, visiting only the certificates and hosts the delta
 * names (hosts that check client certificates among them). Both give the same lookups
 * (CertificateDeltaTest holds them to it).
 */
final class SniTables {
  private SniTables() {}

  /** Every certificate and every TLS host of {@code snapshot}. */
  static SniTable of(Snapshot snapshot, ContextSource contexts) {
    LayeredMap.Editor<String, Loaded> certificates = LayeredMap.<String, Loaded>empty().edit();
    for (TlsCertificate certificate : snapshot.certificates()) {
      LazyContext context = contexts.acquirePlain(certificate);
      if (context != null) {
        certificates.put(certificate.name(), new Loaded(certificate, context));
      }
    }
    contexts.throwIfFailed();
    String defaultCertificate = snapshot.defaultCertificate() != null
        && certificates.get(snapshot.defaultCertificate()) != null
        ? snapshot.defaultCertificate() : null;
    Bindings bindings = new Bindings(LayeredMap.empty(), LayeredMap.empty(), LayeredMap.empty(),
        certificates::get, defaultCertificate, contexts);
    for (VirtualHost vhost : snapshot.virtualHosts()) {
      bindings.put(vhost);
    }
    contexts.throwIfFailed();
    return new SniTable(snapshot.version(), certificates.build(), contexts.contexts(),
        bindings.presented.build(), bindings.exact.build(), bindings.wildcard.build(),
        defaultCertificate, contexts.created());
  }

  /**
   * Whether {@link #after} can build the table of {@code snapshot} from {@code installed}: the
   * delta leads from the installed table's snapshot to this one, the default certificate stays,
   * and it changes no certificate that a host checking client certificates presents (such a
   * host's context holds the certificate's content; those deltas are applied to the whole table,
   * still reusing every context).
   */
  static boolean canFollow(SniTable installed, Delta change, Snapshot snapshot) {
    return change != null
        && installed.version != null
        && installed.version.equals(change.baseVersion())
        && snapshot.version().equals(change.version())
        && Objects.equals(installed.defaultCertificate, snapshot.defaultCertificate())
        && (installed.defaultCertificate == null
            || !change.removeCertificates().contains(installed.defaultCertificate))
        && change.upsertCertificates().stream()
            .noneMatch(c -> installed.presentedWithValidation.get(c.name()) != null)
        && change.removeCertificates().stream()
            .noneMatch(name -> installed.presentedWithValidation.get(name) != null);
  }

  /** The installed table with the certificates and hosts {@code change} names changed. */
  static SniTable after(
      SniTable installed, Delta change, Snapshot snapshot, ContextSource contexts) {
    LayeredMap<String, Loaded> certificates = installed.certificates;
    if (!change.upsertCertificates().isEmpty() || !change.removeCertificates().isEmpty()) {
      LayeredMap.Editor<String, Loaded> edit = certificates.edit();
      for (String name : change.removeCertificates()) {
        Loaded old = edit.get(name);
        if (old != null) {
          contexts.release(old.context());
          edit.remove(name);
        }
      }
      for (TlsCertificate certificate : change.upsertCertificates()) {
        Loaded old = edit.get(certificate.name());
        if (old == null || !old.certificate().equals(certificate)) {
          LazyContext context = contexts.acquirePlain(certificate);
          if (context != null) {
            if (old != null) {
              contexts.release(old.context());
            }
            edit.put(certificate.name(), new Loaded(certificate, context));
          }
        }
      }
      contexts.throwIfFailed();
      certificates = edit.build();
    }
    Bindings bindings = new Bindings(installed.exact, installed.wildcard,
        installed.presentedWithValidation, certificates::get, installed.defaultCertificate, contexts);
    for (String host : change.removeVirtualHosts()) {
      bindings.remove(host);
    }
    for (VirtualHost vhost : change.upsertVirtualHosts()) {
      bindings.remove(vhost.host());
      bindings.put(vhost);
    }
    contexts.throwIfFailed();
    return new SniTable(snapshot.version(), certificates, contexts.contexts(),
        bindings.presented.build(), bindings.exact.build(), bindings.wildcard.build(),
        installed.defaultCertificate, contexts.created());
  }

  /**
   * The hosts' bindings being edited, with the users of the contexts they hold and the
   * certificates hosts that check client certificates present, kept in step.
   */
  private static final class Bindings {
    final LayeredMap.Editor<String, Binding> exact;
    final LayeredMap.Editor<String, Binding> wildcard;
    final LayeredMap.Editor<String, Integer> presented;
    private final Function<String, Loaded> certificates;
    private final String defaultCertificate;
    private final ContextSource contexts;

    Bindings(LayeredMap<String, Binding> exact, LayeredMap<String, Binding> wildcard,
        LayeredMap<String, Integer> presented, Function<String, Loaded> certificates,
        String defaultCertificate, ContextSource contexts) {
      this.exact = exact.edit();
      this.wildcard = wildcard.edit();
      this.presented = presented.edit();
      this.certificates = certificates;
      this.defaultCertificate = defaultCertificate;
      this.contexts = contexts;
    }

    /** Drops the binding of {@code host} (a name or {@code *.suffix}), if it has one. */
    void remove(String host) {
      if (host.equals(VirtualHost.ANY_HOST)) {
        return;
      }
      LayeredMap.Editor<String, Binding> hosts = host.startsWith("*.") ? wildcard : exact;
      Binding old = hosts.get(key(host));
      if (old == null) {
        return;
      }
      hosts.remove(key(host));
      if (old.validating() != null) {
        contexts.release(old.validating());
        String name = presented(old.certificate());
        int users = presented.get(name);
        if (users <= 1) {
          presented.remove(name);
        } else {
          presented.put(name, users - 1);
        }
      }
    }

    /**
     * Binds {@code vhost} (which has no binding now): nothing when it has no TLS, is the
     * host-less host, or has no certificate to present (it names none and there is no default:
     * the handshake fails, as for an unknown name). A host that checks client certificates gets
     * its context here.
     */
    void put(VirtualHost vhost) {
      if (vhost.tls() == null || vhost.host().equals(VirtualHost.ANY_HOST)) {
        return;
      }
      String name = vhost.tls().certificate();
      String presentedName = presented(name);
      Loaded loaded = presentedName == null ? null : certificates.apply(presentedName);
      if (loaded == null) {
        return;
      }
      LayeredMap.Editor<String, Binding> hosts = vhost.isWildcard() ? wildcard : exact;
      ClientValidation validation = vhost.tls().clientCertificates();
      if (validation == null) {
        hosts.put(key(vhost.host()), new Binding(name, null));
        return;
      }
      LazyContext context = contexts.acquire(loaded.certificate(), validation,
          "virtualHost/" + vhost.host(), "client CA bundle of host " + vhost.host() + " cannot be loaded");
      if (context == null) {
        return;
      }
      hosts.put(key(vhost.host()), new Binding(name, context));
      Integer users = presented.get(presentedName);
      presented.put(presentedName, users == null ? 1 : users + 1);
    }

    private String presented(String name) {
      return name == null ? defaultCertificate : name;
    }
  }

  /** The key of a host in the exact or the wildcard map (a wildcard's suffix after {@code *.}). */
  private static String key(String host) {
    return host.startsWith("*.") ? host.substring(2) : host;
  }
}
