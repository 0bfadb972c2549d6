package io.portcullis.operator.source;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.portcullis.operator.cache.ResourceCache;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.crd.ProxyRoute;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local mode ({@code --manifests DIR}): cluster state from the YAML files under a directory,
 * re-read when they change. Every {@code *.yaml}/{@code *.yml} file, recursively, may hold several
 * documents of the kinds the operator reads; other kinds (Deployments next to the Ingresses, say)
 * are skipped.
 *
 * <p>Files are read document by document. A document that cannot be read is reported in one
 * line naming its file, line, object, field path and reason ({@link FieldError}, in YAML terms,
 * no Java class names); the file's other documents are still read, and the objects the file
 * defined before that no good document defines now keep serving (last known good); every other
 * file is unaffected. A kind nobody knows is warned about and skipped, a near miss of one of
 * ours ({@code Ingres}) refused; unknown fields of Kubernetes' own kinds are warned about and
 * ignored ({@link UnknownFields}), as an API server would drop them. {@link #locate} tells where
 * an object is defined, for problems the compiler finds later. Objects get what the API server would have
 * given them: namespace {@code default}, a creation time in file order (so "oldest wins" is
 * deterministic), and a generation that goes up when the object's content changes.
 */
public final class ManifestsSource implements ClusterSource {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestsSource.class);

  /** Files larger than this are refused: manifests are hand-written, not data dumps. */
  public static final long MAX_FILE_BYTES = 8L * 1024 * 1024;

  /** Re-scan at least this often, for file systems where the WatchService misses events. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

  /** For the warning about a kind we skip. */
  private static final String READ_KINDS = ResourceCache.KINDS.stream().map(Class::getSimpleName).sorted()
      .collect(java.util.stream.Collectors.joining(", "));

  private final Path dir;
  private final Duration pollInterval;
  private final Consumer<String> problemLog;
  private final KubernetesSerialization serialization = new KubernetesSerialization();
  private final ResourceCache cache = new ResourceCache();
  /** Per file: the hash of its bytes when last read, and its last good objects. */
  private final Map<Path, FileState> files = new TreeMap<>();
  private final ObjectStamps stamps = new ObjectStamps(serialization);

  private volatile boolean synced;
  private volatile boolean closed;
  private volatile Runnable onChange = () -> {};
  private WatchService watcher;
  private Thread watchThread;

  public ManifestsSource(Path dir) {
    this(dir, DEFAULT_POLL_INTERVAL);
  }

  public ManifestsSource(Path dir, Duration pollInterval) {
    this(dir, pollInterval, LOG::warn);
  }

  /**
   * @param problemLog receives the one line per broken file (the log in production)
   */
  public ManifestsSource(Path dir, Duration pollInterval, Consumer<String> problemLog) {
    this.dir = dir;
    this.pollInterval = pollInterval;
    this.problemLog = problemLog;
    serialization.registerKubernetesResource(ProxyRoute.class);
  }

  @Override
  public void start(Runnable listener) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("manifests directory " + dir + " does not exist");
    }
    this.onChange = listener;
    watcher = FileSystems.getDefault().newWatchService();
    rescan();
    synced = true;
    LOG.info("manifests source synced: {} files in {}", files.size(), dir);
    listener.run();
    watchThread = new Thread(this::watchLoop, "manifests-watch");
    watchThread.setDaemon(true);
    watchThread.start();
  }

  @Override
  public boolean synced() {
    return synced;
  }

  @Override
  public ClusterState state() {
    return cache.state();
  }

  @Override
  public void close() {
    closed = true;
    try {
      if (watcher != null) {
        watcher.close();
      }
    } catch (IOException e) {
      LOG.debug("closing watch service", e);
    }
    if (watchThread != null) {
      watchThread.interrupt();
    }
  }

  private void watchLoop() {
    while (!closed) {
      try {
        var key = watcher.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        if (key != null) {
          key.pollEvents();
          key.reset();
          // Editors write in several steps (truncate, write, rename): let the burst settle.
          drainFor(Duration.ofMillis(50));
        }
        if (rescan()) {
          onChange.run();
        }
      } catch (ClosedWatchServiceException | InterruptedException e) {
        return;
      } catch (RuntimeException | IOException e) {
        LOG.warn("manifests: rescan of {} failed: {}", dir, e.toString());
      }
    }
  }

  /**
   * Waits until no event came for {@code quiet}, but at most a second: a file rewritten nonstop
   * must not stall reloads.
   */
  private void drainFor(Duration quiet) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    var key = watcher.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
    while (key != null && System.nanoTime() < deadline) {
      key.pollEvents();
      key.reset();
      key = watcher.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Reads every changed file and rebuilds the cache from all files' good objects.
   *
   * @return true when what the compiler sees changed
   */
  synchronized boolean rescan() throws IOException {
    List<Path> present = listManifests();
    boolean filesChanged = files.keySet().retainAll(present);
    for (Path file : present) {
      filesChanged |= readIfChanged(file);
    }
    if (!filesChanged) {
      return false;
    }
    return cache.replaceAll(stamps.stamp(
        files.values().stream().map(FileState::objects).toList(), problemLog));
  }

  private List<Path> listManifests() throws IOException {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(p -> !hidden(dir.relativize(p)))
          .forEach(
              p -> {
                if (Files.isDirectory(p)) {
                  register(p);
                } else if (isManifest(p) && Files.isRegularFile(p)) {
                  found.add(p);
                }
              });
    }
    found.sort(null);
    return found;
  }

  private static boolean isManifest(Path p) {
    String name = p.getFileName().toString();
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }

  /**
   * Anything under a dot-named file or directory is skipped: editors' swap files, and the
   * {@code ..2026_01_01...} directories behind a mounted ConfigMap, which would otherwise be read
   * a second time next to the {@code ..data} symlinks.
   */
  private static boolean hidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private void register(Path directory) {
    try {
      directory.register(
          watcher,
          StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException | ClosedWatchServiceException e) {
      // The poll still sees its changes, a little later.
      LOG.debug("cannot watch {}: {}", directory, e.toString());
    }
  }

  /**
   * Reads a changed file document by document. A document that cannot be read is reported with
   * its file, line, field and reason; the file's other documents are still read, and the objects
   * the file had before that no good document defines now are kept (last known good), as an
   * API server keeps an object whose update it refused.
   *
   * @return true when the file's objects changed
   */
  private boolean readIfChanged(Path file) {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        return reportBroken(file, null, "larger than " + MAX_FILE_BYTES + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      return reportBroken(file, null, "cannot read: " + e.getMessage());
    }
    String hash = ManifestDocuments.sha256(bytes);
    FileState before = files.get(file);
    if (before != null && hash.equals(before.hash())) {
      return false;
    }
    String name = dir.relativize(file).toString();
    List<HasMetadata> objects = new ArrayList<>();
    Map<String, Integer> lines = new HashMap<>();
    boolean failed = false;
    for (YamlDocuments.Document document : YamlDocuments.split(new String(bytes, StandardCharsets.UTF_8))) {
      failed |= !readDocument(name, document, objects, lines);
    }
    if (failed && before != null) {
      Set<String> defined = new HashSet<>();
      objects.forEach(o -> defined.add(ManifestDocuments.key(o)));
      for (HasMetadata old : before.objects()) {
        if (defined.add(ManifestDocuments.key(old))) {
          objects.add(old);
          Integer line = before.lines().get(ManifestDocuments.key(old));
          if (line != null) {
            lines.put(ManifestDocuments.key(old), line);
          }
        }
      }
    }
    files.put(file, new FileState(hash, objects, null, lines));
    LOG.info("manifests: read {} ({} objects)", name, objects.size());
    return true;
  }

  /**
   * Adds the objects of one document to {@code into}, or reports why it cannot.
   *
   * @return false when the document was refused (the file's last good objects then stay)
   */
  private boolean readDocument(
      String file, YamlDocuments.Document document, List<HasMetadata> into, Map<String, Integer> lines) {
    String subject = ManifestDocuments.subject(document);
    Optional<String> syntax = document.syntaxError();
    if (syntax.isPresent()) {
      return refuse(file, document.syntaxErrorLine().orElse(document.firstLine()), subject, syntax.get());
    }
    Object parsed;
    try {
      parsed = serialization.unmarshal(new ByteArrayInputStream(document.text().getBytes(StandardCharsets.UTF_8)));
    } catch (RuntimeException e) {
      FieldError error = FieldError.from(e).orElse(new FieldError(List.of(), ManifestDocuments.oneLine(e)));
      String field = error.dotted();
      return refuse(file, document.lineOf(error.path()), subject,
          (field.isEmpty() ? "" : field + ": ") + error.reason());
    }
    List<Object> documents = new ArrayList<>();
    ManifestDocuments.flatten(parsed, documents);
    boolean ok = true;
    for (Object item : documents) {
      int line = document.lineOf(List.of());
      if (!(item instanceof HasMetadata object)) {
        ok &= refuse(file, line, subject, "not a Kubernetes object (missing apiVersion or kind?)");
        continue;
      }
      if (!ResourceCache.accepts(object)) {
        Optional<String> problem = ManifestDocuments.mistypedKind(object);
        if (problem.isPresent()) {
          ok &= refuse(file, line, subject, problem.get());
        } else if (object instanceof GenericKubernetesResource) {
          // Not a kind fabric8 knows either: most likely a typo, or another project's CRD.
          problemLog.accept(location(file, line) + ManifestDocuments.describe(object) + ": kind " + object.getKind()
              + " (" + object.getApiVersion() + ") is not one Portcullis reads, skipped; it reads "
              + READ_KINDS);
        } else {
          LOG.debug("manifests: skipping {} {}", object.getKind(), object.getMetadata().getName());
        }
        continue;
      }
      if (object.getMetadata() == null || ManifestDocuments.blank(object.getMetadata().getName())) {
        ok &= refuse(file, line, subject, "metadata.name is missing");
        continue;
      }
      for (FieldError unknown : UnknownFields.of(object)) {
        problemLog.accept(location(file, document.lineOf(unknown.path())) + ManifestDocuments.describe(object) + ": "
            + unknown.dotted() + ": " + unknown.reason());
      }
      into.add(object);
      lines.put(ManifestDocuments.key(object), line);
    }
    return ok;
  }

  private boolean refuse(String file, int line, String subject, String reason) {
    problemLog.accept(location(file, line) + (subject.isEmpty() ? "" : subject + ": ") + reason
        + "; keeping its last good objects");
    return false;
  }

  private static String location(String file, int line) {
    return "manifests: " + file + ":" + line + ": ";
  }

  /** Logs once per broken content and keeps the file's last good objects. */
  private boolean reportBroken(Path file, String hash, String problem) {
    FileState before = files.get(file);
    if (before != null && hash != null && hash.equals(before.brokenHash())) {
      return false;
    }
    problemLog.accept(
        "manifests: " + dir.relativize(file) + ": " + problem + "; keeping its last good objects");
    List<HasMetadata> lastGood = before == null ? List.of() : before.objects();
    String goodHash = before == null ? null : before.hash();
    files.put(file, new FileState(goodHash, lastGood, hash, before == null ? Map.of() : before.lines()));
    return false;
  }

  /**
   * Where an object was defined: {@code manifests: FILE:LINE: }, for problems the compiler finds
   * later. Empty when no file defines it.
   *
   * @param namespace as the compiler reports it ({@code default} for an object written without one)
   */
  public synchronized Optional<String> locate(String kind, String namespace, String name) {
    String key = kind + "/" + (namespace == null ? "" : namespace) + "/" + name;
    for (Map.Entry<Path, FileState> entry : files.entrySet()) {
      Integer line = entry.getValue().lines().get(key);
      if (line != null) {
        return Optional.of(location(dir.relativize(entry.getKey()).toString(), line));
      }
    }
    return Optional.empty();
  }

  /**
   * @param hash of the bytes {@code objects} came from
   * @param brokenHash of the newest bytes that could not be read, so they are reported once
   * @param lines the line each object's document starts on, by {@link ManifestDocuments#key}
   */
  private record FileState(
      String hash, List<HasMetadata> objects, String brokenHash, Map<String, Integer> lines) {}
}
