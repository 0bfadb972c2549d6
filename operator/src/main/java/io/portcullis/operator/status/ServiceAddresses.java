package io.portcullis.operator.status;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --publish-service ns/name}: follows the dataplane Service with an informer of its own (the
 * Service usually lives in the operator's namespace, which {@code --watch-namespaces} may not
 * cover) and derives the Ingress addresses from it the way ingress-nginx does ({@link #of}).
 */
public final class ServiceAddresses implements PublishedAddresses {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceAddresses.class);

  private final AtomicReference<Optional<List<LoadBalancerAddress>>> current =
      new AtomicReference<>(Optional.empty());
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final SharedIndexInformer<Service> informer;

  public ServiceAddresses(KubernetesClient client, String namespace, String name) {
    informer = client.services().inNamespace(namespace).withName(name).inform(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Service service) {
            set(Optional.of(of(service)));
          }

          @Override
          public void onUpdate(Service before, Service after) {
            set(Optional.of(of(after)));
          }

          @Override
          public void onDelete(Service service, boolean unknownFinalState) {
            LOG.warn("publish service {}/{} was deleted: Ingress statuses left as they are",
                namespace, name);
            set(Optional.empty());
          }
        });
  }

  private void set(Optional<List<LoadBalancerAddress>> addresses) {
    Optional<List<LoadBalancerAddress>> before = current.getAndSet(addresses);
    if (!before.equals(addresses)) {
      LOG.info("publish addresses: {}", addresses.map(Object::toString).orElse("unknown"));
      listeners.forEach(Runnable::run);
    }
  }

  @Override
  public Optional<List<LoadBalancerAddress>> current() {
    return current.get();
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  @Override
  public void close() {
    informer.close();
  }

  /**
   * ingress-nginx's rules ({@code statusAddressFromService}): ExternalName publishes its name;
   * ClusterIP its cluster IP; NodePort its external IPs, else its cluster IP; LoadBalancer the
   * addresses of its load balancer plus any external IPs not among them (nothing until the cloud
   * assigned one).
   */
  public static List<LoadBalancerAddress> of(Service service) {
    var spec = service.getSpec();
    String type = spec == null || spec.getType() == null ? "ClusterIP" : spec.getType();
    List<String> externalIps = spec == null || spec.getExternalIPs() == null
        ? List.of() : spec.getExternalIPs();
    List<LoadBalancerAddress> out = new ArrayList<>();
    switch (type) {
      case "ExternalName" -> out.add(LoadBalancerAddress.hostname(spec.getExternalName()));
      case "NodePort" -> {
        if (externalIps.isEmpty()) {
          addClusterIp(spec.getClusterIP(), out);
        } else {
          externalIps.forEach(ip -> out.add(LoadBalancerAddress.ip(ip)));
        }
      }
      case "LoadBalancer" -> {
        if (service.getStatus() != null && service.getStatus().getLoadBalancer() != null
            && service.getStatus().getLoadBalancer().getIngress() != null) {
          for (LoadBalancerIngress lb : service.getStatus().getLoadBalancer().getIngress()) {
            String ip = lb.getIp() == null || lb.getIp().isBlank() ? null : lb.getIp();
            String host =
                lb.getHostname() == null || lb.getHostname().isBlank() ? null : lb.getHostname();
            if (ip != null || host != null) {
              out.add(new LoadBalancerAddress(ip, host));
            }
          }
        }
        for (String ip : externalIps) {
          if (out.stream().noneMatch(a -> ip.equals(a.ip()) || ip.equals(a.hostname()))) {
            out.add(LoadBalancerAddress.ip(ip));
          }
        }
      }
      default -> addClusterIp(spec == null ? null : spec.getClusterIP(), out);
    }
    return LoadBalancerAddress.sorted(out);
  }

  private static void addClusterIp(String clusterIp, List<LoadBalancerAddress> out) {
    // A headless Service has no address to publish.
    if (clusterIp != null && !clusterIp.isBlank() && !"None".equals(clusterIp)) {
      out.add(LoadBalancerAddress.ip(clusterIp));
    }
  }
}
