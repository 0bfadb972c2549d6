package io.portcullis.operator;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.reflect.Field;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Waits after each test until fabric8's mock API server answers again, so that its own shutdown
 * (which gives up after 10 s with "Unable to close MockWebServer") does not fail the test.
 *
 * <p>The mock can stall for up to 30 s when a watch closes while an event to it is in flight (see
 * {@link MockApiServer#DEADLINE}); tests that stop operator replicas while others still write make
 * that likely at their very end. Declare it after {@code @EnableKubernetesMockClient}: extensions'
 * after-each callbacks run in reverse order, so this one runs before the mock server is shut down.
 * It uses the test's {@link KubernetesClient} field, which the mock's extension sets.
 */
public final class MockApiServerSettled implements AfterEachCallback {
  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Object test = context.getRequiredTestInstance();
    KubernetesClient client = clientOf(test);
    if (client == null) {
      return;
    }
    // Any request: it is answered only once the server's event loop is free again.
    await().atMost(MockApiServer.DEADLINE).ignoreExceptions()
        .until(() -> {
          client.namespaces().withName("default").get();
          return true;
        });
  }

  private static KubernetesClient clientOf(Object test) throws IllegalAccessException {
    for (Class<?> type = test.getClass(); type != null; type = type.getSuperclass()) {
      for (Field field : type.getDeclaredFields()) {
        if (KubernetesClient.class.isAssignableFrom(field.getType())) {
          field.setAccessible(true);
          return (KubernetesClient) field.get(test);
        }
      }
    }
    return null;
  }
}
