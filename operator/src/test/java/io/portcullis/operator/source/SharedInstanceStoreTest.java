package io.portcullis.operator.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.portcullis.operator.cache.ResourceCache;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The informers' store: one slimmed copy of each object, shared with the cache. */
class SharedInstanceStoreTest {
  private final ResourceCache cache = new ResourceCache();
  private final SharedInstanceStore<Service> store = new SharedInstanceStore<>(cache);

  private static Service service(String version) {
    return new ServiceBuilder()
        .withNewMetadata().withNamespace("shop").withName("web").withResourceVersion(version).endMetadata()
        .build();
  }

  /** As the informer stores an object and then its handler hands it to the cache. */
  private void listed(Service service) {
    store.put(store.getKey(service), service);
    cache.upsert(service);
  }

  @Test
  void aRelistOfAnUnchangedObjectLeavesOneCopyInMemory() {
    listed(service("5"));
    // A relist (or a replayed watch event) decodes the same version again; fabric8 stores it
    // without telling any handler.
    Service relisted = service("5");
    store.put("shop/web", relisted);

    assertSame(relisted, store.get("shop/web"));
    assertSame(relisted, cache.list(Service.class).get(0), "the cache holds the store's instance, not a second copy");
  }

  @Test
  void aNewVersionIsLeftToItsEvent() {
    Service old = service("5");
    listed(old);
    store.put("shop/web", service("6"));
    // The handler's update brings version 6 and must still be seen as a change.
    assertSame(old, cache.list(Service.class).get(0));
  }

  @Test
  void managedFieldsAndKubectlsCopyAreDroppedOtherAnnotationsKept() {
    SharedInstanceStore<Secret> secrets = new SharedInstanceStore<>(cache);
    Secret applied = new SecretBuilder()
        .withNewMetadata().withNamespace("shop").withName("tls").withResourceVersion("3")
        .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl").withOperation("Update").build())
        .withAnnotations(Map.of(
            SlimObjects.LAST_APPLIED, "{\"data\":{\"tls.key\":\"a second copy of the key\"}}",
            "portcullis.io/note", "kept"))
        .endMetadata()
        .withType("kubernetes.io/tls")
        .addToData("tls.key", "a2V5")
        .build();

    secrets.put("shop/tls", applied);

    Secret stored = secrets.get("shop/tls");
    assertNull(stored.getMetadata().getManagedFields());
    assertEquals(Map.of("portcullis.io/note", "kept"), stored.getMetadata().getAnnotations());
    assertEquals(Map.of("tls.key", "a2V5"), stored.getData());
  }
}
