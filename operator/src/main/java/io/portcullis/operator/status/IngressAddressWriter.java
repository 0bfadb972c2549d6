package io.portcullis.operator.status;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.portcullis.operator.compile.ObjectRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Keeps {@code status.loadBalancer.ingress} of our Ingresses equal to the published addresses,
 * writing an Ingress only when what it shows differs. "What it shows" is what we last wrote, else
 * the status the informer saw: right after a write the informer may still hold the old status,
 * and trusting it would write again.
 *
 * <p>An Ingress that leaves our class is left as it is, as ingress-nginx does: its new controller
 * overwrites the status, and clearing it here could race with that write and wipe the new
 * controller's address. Used on the status writer's thread only.
 */
final class IngressAddressWriter {
  private final StatusSink sink;
  private final StatusWriter.WriteCounter counter;
  private final Map<String, List<LoadBalancerAddress>> written = new HashMap<>();

  IngressAddressWriter(StatusSink sink, StatusWriter.WriteCounter counter) {
    this.sink = sink;
    this.counter = counter;
  }

  /**
   * The write that makes {@code ref} show {@code desired}, or null when it already does. The
   * caller sends it and reports back through {@link #written}.
   *
   * @param live the Ingress as the informer last saw it, or null; asked only when nothing was
   *     written to it yet
   */
  StatusWrites.Write plan(ObjectRef ref, String key, Supplier<Ingress> live, List<LoadBalancerAddress> desired) {
    List<LoadBalancerAddress> shown = written.get(key);
    Ingress seen = shown == null ? live.get() : null;
    if (seen != null) {
      shown = seen.getStatus() == null || seen.getStatus().getLoadBalancer() == null
          ? List.of()
          : LoadBalancerAddress.of(seen.getStatus().getLoadBalancer().getIngress());
    }
    if (desired.equals(shown)) {
      written.put(key, shown);
      return null;
    }
    StatusWrites.Rank rank = shown == null || shown.isEmpty()
        ? StatusWrites.Rank.NEW_INGRESS : StatusWrites.Rank.CHANGED_INGRESS;
    return new StatusWrites.Write(ref, rank, () -> sink.writeIngressLoadBalancer(ref, desired));
  }

  /** A planned write went out ({@code ok}) or failed. */
  void written(String key, List<LoadBalancerAddress> desired, boolean ok) {
    if (ok) {
      written.put(key, desired);
    }
    counter.written("Ingress", ok);
  }

  /** Forgets an Ingress no longer ours (or gone). */
  void forget(String key) {
    written.remove(key);
  }

  /** After a leadership change: compare with the objects again. */
  void forget() {
    written.clear();
  }
}
