package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.portcullis.operator.crd.ProxyRoute;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The TLS pass. For now it only checks that every TLS section names a {@code kubernetes.io/tls}
 * Secret in the object's namespace and tells the owner when not; routing is unaffected. Issue 3
 * grows it to put certificates into the snapshot (listeners, SNI), reusing this Secret index.
 */
final class TlsPass {
  static final String TLS_SECRET_TYPE = "kubernetes.io/tls";

  private final Map<String, Secret> secrets = new HashMap<>();
  private final StatusCollector status;

  TlsPass(List<Secret> secretList, StatusCollector status) {
    for (Secret s : secretList) {
      secrets.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s);
    }
    this.status = status;
  }

  void run(List<Ingress> ingresses, List<ProxyRoute> proxyRoutes) {
    for (Ingress ingress : ingresses) {
      List<IngressTLS> tls = ingress.getSpec() == null ? null : ingress.getSpec().getTls();
      if (tls == null) {
        continue;
      }
      ObjectRef ref = ObjectAge.ref(IngressPass.KIND, ingress);
      for (IngressTLS entry : tls) {
        check(ref, entry == null ? null : entry.getSecretName());
      }
    }
    for (ProxyRoute route : proxyRoutes) {
      if (route.getSpec() != null && route.getSpec().tls != null) {
        check(ObjectAge.ref(ProxyRoutePass.KIND, route), route.getSpec().tls.secretName);
      }
    }
  }

  private void check(ObjectRef ref, String secretName) {
    if (secretName == null || secretName.isEmpty()) {
      status.event(ref, true, Reasons.INVALID_TLS_SECRET, "a TLS section names no secretName");
      return;
    }
    Secret secret = secrets.get(ref.namespace() + "/" + secretName);
    if (secret == null) {
      status.event(ref, true, Reasons.INVALID_TLS_SECRET,
          "TLS Secret " + ref.namespace() + "/" + secretName + " not found");
    } else if (!TLS_SECRET_TYPE.equals(secret.getType())) {
      status.event(ref, true, Reasons.INVALID_TLS_SECRET,
          "TLS Secret " + ref.namespace() + "/" + secretName + " is not of type " + TLS_SECRET_TYPE);
    }
  }
}
