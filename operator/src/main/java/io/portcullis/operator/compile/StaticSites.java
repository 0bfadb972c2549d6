package io.portcullis.operator.compile;

import io.portcullis.operator.crd.ActionSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.StaticBlob;
import io.portcullis.snapshot.StaticFile;
import io.portcullis.snapshot.StaticSource;
import io.portcullis.snapshot.VirtualHost;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Static content for ProxyRoute routes ({@code static: {configMap | directory, index,
 * spaFallback}}). A ConfigMap's files ({@code data} as UTF-8 text, {@code binaryData} as bytes)
 * go into the snapshot as content-addressed blobs, so a ConfigMap that did not change costs a
 * delta nothing, and a changed one costs only its changed files. A site that cannot be served
 * (the ConfigMap is missing, or larger than {@link #MAX_SITE_BYTES}) answers 503 and says why in
 * {@code ResolvedRefs}, like a backend that does not resolve.
 */
final class StaticSites {
  /**
   * Largest site from one ConfigMap, all files decoded. The API server stops a ConfigMap at about
   * 1 MiB anyway; local-mode manifests have no such limit, and every dataplane holds every site.
   */
  static final long MAX_SITE_BYTES = 1024 * 1024;

  /** ResolvedRefs=False: the ConfigMap a static route names does not exist. */
  static final String CONFIG_MAP_NOT_FOUND = "ConfigMapNotFound";
  /** ResolvedRefs=False: the ConfigMap is larger than {@link #MAX_SITE_BYTES}. */
  static final String CONFIG_MAP_TOO_LARGE = "ConfigMapTooLarge";

  private final Map<String, ConfigMap> configMaps = new HashMap<>();
  private final Map<String, StaticBlob> blobs = new HashMap<>();

  StaticSites(List<ConfigMap> configMaps) {
    for (ConfigMap cm : configMaps) {
      this.configMaps.put(cm.getMetadata().getNamespace() + "/" + cm.getMetadata().getName(), cm);
    }
  }

  /** The action of a static route; an unresolvable ConfigMap is reported in {@code unresolved}. */
  RouteAction translate(String namespace, ActionSpec.StaticContent spec,
      List<BackendResolver.Resolution> unresolved) throws InvalidInputException {
    boolean fromConfigMap = spec.configMap != null && !spec.configMap.isEmpty();
    boolean fromDirectory = spec.directory != null && !spec.directory.isEmpty();
    if (fromConfigMap == fromDirectory) {
      throw new InvalidInputException("static needs exactly one of configMap or directory");
    }
    StaticSource source;
    try {
      source = fromDirectory
          ? new StaticSource.Directory(spec.directory)
          : files(namespace, spec.configMap, unresolved);
      if (source == null) {
        return new RouteAction.DirectResponse(503, "static content unavailable\n");
      }
      return new RouteAction.Static(source, spec.index, Boolean.TRUE.equals(spec.spaFallback));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(e.getMessage());
    }
  }

  private StaticSource.Files files(String namespace, String name,
      List<BackendResolver.Resolution> unresolved) throws InvalidInputException {
    ConfigMap cm = configMaps.get(namespace + "/" + name);
    if (cm == null) {
      unresolved.add(new BackendResolver.Resolution(null, CONFIG_MAP_NOT_FOUND,
          "ConfigMap " + namespace + "/" + name + " for static content does not exist"));
      return null;
    }
    Map<String, byte[]> contents = new TreeMap<>();
    if (cm.getData() != null) {
      cm.getData().forEach((k, v) -> contents.put(k, (v == null ? "" : v).getBytes(StandardCharsets.UTF_8)));
    }
    if (cm.getBinaryData() != null) {
      for (Map.Entry<String, String> e : cm.getBinaryData().entrySet()) {
        try {
          contents.put(e.getKey(), Base64.getMimeDecoder().decode(e.getValue() == null ? "" : e.getValue()));
        } catch (IllegalArgumentException bad) {
          throw new InvalidInputException("ConfigMap " + name + " binaryData." + e.getKey()
              + " is not base64");
        }
      }
    }
    long total = contents.values().stream().mapToLong(b -> b.length).sum();
    if (total > MAX_SITE_BYTES) {
      unresolved.add(new BackendResolver.Resolution(null, CONFIG_MAP_TOO_LARGE,
          "ConfigMap " + namespace + "/" + name + " holds " + total + " bytes of files, more than "
              + MAX_SITE_BYTES + " a static site may"));
      return null;
    }
    List<StaticFile> files = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : contents.entrySet()) {
      StaticBlob blob = StaticBlob.of(e.getValue());
      blobs.putIfAbsent(blob.digest(), blob);
      files.add(new StaticFile(e.getKey(), blob.digest(), e.getValue().length));
    }
    return new StaticSource.Files(files, lastModified(cm));
  }

  /**
   * The blobs the routes of {@code virtualHosts} name: routes that lost a conflict leave nothing
   * behind.
   */
  List<StaticBlob> blobs(List<VirtualHost> virtualHosts) {
    Map<String, StaticBlob> used = new TreeMap<>();
    for (VirtualHost vhost : virtualHosts) {
      for (Route route : vhost.routes()) {
        if (route.action() instanceof RouteAction.Static s
            && s.source() instanceof StaticSource.Files f) {
          for (StaticFile file : f.files()) {
            used.put(file.digest(), blobs.get(file.digest()));
          }
        }
      }
    }
    return List.copyOf(used.values());
  }

  /**
   * When the ConfigMap's content last changed, as well as its metadata tells: the latest
   * managed-fields time (every write records one), else its creation. 0 when neither is known.
   */
  static long lastModified(ConfigMap cm) {
    long latest = seconds(cm.getMetadata().getCreationTimestamp());
    if (cm.getMetadata().getManagedFields() != null) {
      for (ManagedFieldsEntry m : cm.getMetadata().getManagedFields()) {
        latest = Math.max(latest, seconds(m.getTime()));
      }
    }
    return latest;
  }

  private static long seconds(String timestamp) {
    if (timestamp == null || timestamp.isEmpty()) {
      return 0;
    }
    try {
      return Instant.parse(timestamp).getEpochSecond();
    } catch (DateTimeParseException e) {
      return 0;
    }
  }
}
