package io.portcullis.operator.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.portcullis.operator.compile.ClusterState;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceCacheTest {

  static Service service(String ns, String name, String rv) {
    return new ServiceBuilder()
        .withNewMetadata().withNamespace(ns).withName(name).withResourceVersion(rv).endMetadata()
        .build();
  }

  @Test
  void sameResourceVersionAgainIsNotAChange() {
    ResourceCache cache = new ResourceCache();
    assertTrue(cache.upsert(service("a", "web", "1")));
    assertFalse(cache.upsert(service("a", "web", "1")));
    assertTrue(cache.upsert(service("a", "web", "2")));
    assertTrue(cache.delete(service("a", "web", "2")));
    assertFalse(cache.delete(service("a", "web", "2")));
  }

  @Test
  void aCopyOfTheSameVersionReplacesTheHeldInstanceWithoutBeingAChange() {
    ResourceCache cache = new ResourceCache();
    Service listed = service("a", "web", "1");
    cache.upsert(listed);
    List<Service> before = cache.state().services();
    Service relisted = service("a", "web", "1");

    assertTrue(cache.shareInstance(relisted));

    assertSame(relisted, cache.list(Service.class).get(0));
    assertSame(listed, before.get(0), "a state taken before keeps what it had");
    // Not a change: the handler's later upsert of the same version still says nothing changed.
    assertFalse(cache.upsert(relisted));
    assertFalse(cache.shareInstance(relisted), "already the held instance");
  }

  @Test
  void aCopyOfAnotherVersionOrOfAnUnknownObjectIsNotTaken() {
    ResourceCache cache = new ResourceCache();
    assertFalse(cache.shareInstance(service("a", "web", "1")), "nothing of that kind held");
    cache.upsert(service("a", "web", "1"));
    assertFalse(cache.shareInstance(service("a", "other", "1")), "nothing of that name held");
    Service newer = service("a", "web", "2");
    // Version 2's own event is on the way and must still count as a change when it arrives.
    assertFalse(cache.shareInstance(newer));
    assertEquals("1", cache.list(Service.class).get(0).getMetadata().getResourceVersion());
    assertTrue(cache.upsert(newer));
  }

  @Test
  void stateListsAreSortedByNamespaceThenName() {
    ResourceCache cache = new ResourceCache();
    cache.upsert(service("b", "a", "1"));
    cache.upsert(service("a", "z", "1"));
    cache.upsert(service("a", "b", "1"));
    List<String> names =
        cache.state().services().stream()
            .map(s -> s.getMetadata().getNamespace() + "/" + s.getMetadata().getName())
            .toList();
    assertEquals(List.of("a/b", "a/z", "b/a"), names);
  }

  @Test
  void endpointsBecomeOneSlicePerSubsetWithReadyAndNotReadyAddresses() {
    Endpoints endpoints =
        new EndpointsBuilder()
            .withNewMetadata().withNamespace("shop").withName("web").withResourceVersion("7").endMetadata()
            .addNewSubset()
            .addNewAddress().withIp("10.0.0.1").endAddress()
            .addNewNotReadyAddress().withIp("10.0.0.2").endNotReadyAddress()
            .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
            .endSubset()
            .addNewSubset()
            .addNewAddress().withIp("10.0.0.3").endAddress()
            .addNewPort().withName("metrics").withPort(9000).endPort()
            .endSubset()
            .build();
    ResourceCache cache = new ResourceCache();
    cache.upsert(endpoints);
    ClusterState state = cache.state();
    assertEquals(2, state.endpointSlices().size());
    EndpointSlice first = state.endpointSlices().get(0);
    assertEquals("shop", first.getMetadata().getNamespace());
    assertEquals("web", first.getMetadata().getLabels().get(EndpointsConverter.SERVICE_NAME_LABEL));
    assertEquals("IPv4", first.getAddressType());
    assertEquals("http", first.getPorts().get(0).getName());
    assertEquals(8080, first.getPorts().get(0).getPort());
    assertEquals(List.of("10.0.0.1"), first.getEndpoints().get(0).getAddresses());
    assertTrue(first.getEndpoints().get(0).getConditions().getReady());
    assertEquals(List.of("10.0.0.2"), first.getEndpoints().get(1).getAddresses());
    assertFalse(first.getEndpoints().get(1).getConditions().getReady());
    assertEquals("metrics", state.endpointSlices().get(1).getPorts().get(0).getName());
  }

  @Test
  void replaceAllReportsChangeOnlyWhenContentDiffers() {
    ResourceCache cache = new ResourceCache();
    assertTrue(cache.replaceAll(List.of(service("a", "web", null))));
    assertFalse(cache.replaceAll(List.of(service("a", "web", null))));
    assertTrue(cache.replaceAll(List.of()));
    assertEquals(0, cache.state().services().size());
  }

  @Test
  void anUnchangedKindIsHandedOutAsTheSameListAndAChangedOneIsSortedAfresh() {
    ResourceCache cache = new ResourceCache();
    cache.upsert(service("a", "web", "1"));
    cache.upsert(service("b", "api", "1"));
    cache.upsert(new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata().withNamespace("a").withName("tls").withResourceVersion("1").endMetadata()
        .build());
    ClusterState first = cache.state();
    cache.upsert(service("a", "web", "1")); // a resync: same version, still a new instance
    ClusterState second = cache.state();
    assertSame(first.secrets(), second.secrets());
    assertEquals(first.services(), second.services());
    cache.upsert(service("a", "zzz", "1"));
    cache.delete(service("b", "api", "1"));
    ClusterState third = cache.state();
    assertSame(second.secrets(), third.secrets());
    assertEquals(List.of("a/web", "a/zzz"), third.services().stream()
        .map(s -> s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()).toList());
    assertSame(third.services(), cache.state().services());
  }
}
