package io.portcullis.dataplane.tls;

import io.netty.handler.ssl.SslContext;
import io.portcullis.dataplane.config.CertificateTable;
import io.portcullis.dataplane.config.LayeredMap;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy.ClientValidation;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The SNI lookups of one snapshot; immutable. A host is bound to its certificate by name (or to
 * the default certificate), not to a context, so a changed certificate replaces one entry of
 * {@link #certificates} and every host naming it follows, without visiting the hosts. Hosts that
 * check client certificates are bound to a context of their own (certificate plus validation).
 * Contexts are {@link LazyContext}s: the table holds what to build, the first handshake builds.
 */
public final class SniTable implements CertificateTable {
  static final SniTable EMPTY = new SniTable(null, LayeredMap.empty(), LayeredMap.empty(),
      LayeredMap.empty(), LayeredMap.empty(), LayeredMap.empty(), null, List.of());

  /** A certificate of the snapshot and the context that presents it (shared by equal content). */
  record Loaded(TlsCertificate certificate, LazyContext context) {}

  /**
   * Where handshakes for a host go.
   *
   * @param certificate the certificate's name; null for the snapshot's default certificate
   * @param validating the context that also checks client certificates; null when none are asked
   */
  record Binding(String certificate, LazyContext validating) {}

  /** What a context is built from: content, never the name (copies of a Secret share one). */
  record ContextKey(String certificateChain, String privateKey, ClientValidation validation) {
    static ContextKey of(TlsCertificate certificate, ClientValidation validation) {
      return new ContextKey(certificate.certificateChain(), certificate.privateKey(), validation);
    }
  }

  /**
   * A context in use and how many use it: certificate names for a plain context, bindings of
   * hosts that check client certificates for a validating one. Gone when none does.
   */
  record Shared(LazyContext context, int users) {}

  /** The snapshot version this table was built for; null for the empty table. */
  final String version;
  /** Every certificate of the snapshot, by name. */
  final LayeredMap<String, Loaded> certificates;
  /** Every context in use, plain and validating, by what it is built from. */
  final LayeredMap<ContextKey, Shared> contexts;
  /**
   * For each certificate that hosts checking client certificates present (usually none), how many
   * do: their contexts hold its content, so a delta that changes it is applied to the whole table.
   */
  final LayeredMap<String, Integer> presentedWithValidation;
  final LayeredMap<String, Binding> exact;
  /** By the suffix after {@code *.}. */
  final LayeredMap<String, Binding> wildcard;
  /** The default certificate's name, or null. */
  final String defaultCertificate;
  /** The contexts this table made (read, none built), for the pre-build once it is applied. */
  final List<LazyContext> created;

  SniTable(String version, LayeredMap<String, Loaded> certificates,
      LayeredMap<ContextKey, Shared> contexts, LayeredMap<String, Integer> presentedWithValidation,
      LayeredMap<String, Binding> exact, LayeredMap<String, Binding> wildcard, String defaultCertificate,
      List<LazyContext> created) {
    this.version = version;
    this.certificates = certificates;
    this.contexts = contexts;
    this.presentedWithValidation = presentedWithValidation;
    this.exact = exact;
    this.wildcard = wildcard;
    this.defaultCertificate = defaultCertificate;
    this.created = created;
  }

  /** The server context for an SNI name, built now if it was not yet; null: none to offer. */
  @Override
  public SslContext lookup(String sniName) {
    LazyContext context = context(sniName);
    return context == null ? null : context.join();
  }

  /** The (maybe not yet built) server context for an SNI name (null: none sent), or null. */
  LazyContext context(String sniName) {
    if (sniName != null) {
      String host = sniName.toLowerCase(Locale.ROOT);
      if (host.endsWith(".")) {
        host = host.substring(0, host.length() - 1);
      }
      LazyContext context = context(exact.get(host));
      if (context != null) {
        return context;
      }
      int dot = host.indexOf('.');
      if (dot > 0) {
        context = context(wildcard.get(host.substring(dot + 1)));
        if (context != null) {
          return context;
        }
      }
    }
    return plain(defaultCertificate);
  }

  private LazyContext context(Binding binding) {
    if (binding == null) {
      return null;
    }
    if (binding.validating() != null) {
      return binding.validating();
    }
    return plain(binding.certificate() == null ? defaultCertificate : binding.certificate());
  }

  private LazyContext plain(String certificate) {
    Loaded loaded = certificate == null ? null : certificates.get(certificate);
    return loaded == null ? null : loaded.context();
  }

  /** Every built context that checks no client certificate, once each (ticket key rotation). */
  Set<SslContext> plainContexts() {
    Set<SslContext> contexts = Collections.newSetFromMap(new IdentityHashMap<>());
    certificates.forEach((name, loaded) -> {
      SslContext built = loaded.context().ifBuilt();
      if (built != null) {
        contexts.add(built);
      }
    });
    return contexts;
  }

  /**
   * Number of distinct contexts in use, built or not (certificate contents, and
   * content-validation pairs).
   */
  public int size() {
    return contexts.size();
  }
}
