package io.portcullis.operator.chart;

import static io.portcullis.operator.chart.Chart.one;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** dataplane.staticContent mounts volumes for {@code static: {directory: PATH}} routes. */
class StaticContentChartTest {
  private static final String DATAPLANE = "pc-portcullis-dataplane";

  @Test
  void staticContentVolumesAreMountedReadOnlyIntoTheDataplane() {
    List<HasMetadata> objects = Chart.render(Map.of(
        "dataplane.staticContent[0].name", "docs",
        "dataplane.staticContent[0].mountPath", "/srv/docs",
        "dataplane.staticContent[0].volume.persistentVolumeClaim.claimName", "docs-pvc"));
    PodSpec pod = one(objects, Deployment.class, DATAPLANE).getSpec().getTemplate().getSpec();
    Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals("docs")).findFirst()
        .orElseThrow();
    assertEquals("docs-pvc", volume.getPersistentVolumeClaim().getClaimName());
    VolumeMount mount = pod.getContainers().get(0).getVolumeMounts().stream()
        .filter(m -> m.getName().equals("docs")).findFirst().orElseThrow();
    assertEquals("/srv/docs", mount.getMountPath());
    assertTrue(mount.getReadOnly());
  }

  @Test
  void noStaticContentByDefault() {
    PodSpec pod = one(Chart.render(Map.of()), Deployment.class, DATAPLANE).getSpec().getTemplate()
        .getSpec();
    assertEquals(List.of("tmp", "control-tls"), pod.getVolumes().stream().map(Volume::getName).toList());
  }
}
