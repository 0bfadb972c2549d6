package io.portcullis.operator.source;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.portcullis.operator.cache.ResourceCache;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.crd.ProxyRoute;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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
 * <p>A file that does not parse is reported in one log line and keeps serving the objects it had
 * when it last parsed; every other file is unaffected. Objects get what the API server would have
 * given them: namespace {@code default}, a creation time in file order (so "oldest wins" is
 * deterministic), and a generation that goes up when the object's content changes.
 */
public final class ManifestsSource implements ClusterSource {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestsSource.class);

  /** Files larger than this are refused: manifests are hand-written, not data dumps. */
  public static final long MAX_FILE_BYTES = 8L * 1024 * 1024;

  /** Re-scan at least this often, for file systems where the WatchService misses events. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

  /** Creation times count up from here, one second per object in file order. */
  private static final Instant EPOCH = Instant.parse("2000-01-01T00:00:00Z");

  private final Path dir;
  private final Duration pollInterval;
  private final Consumer<String> problemLog;
  private final KubernetesSerialization serialization = new KubernetesSerialization();
  private final ResourceCache cache = new ResourceCache();
  /** Per file: the hash of its bytes when last read, and its last good objects. */
  private final Map<Path, FileState> files = new TreeMap<>();
  /** Per object key: its content hash and generation, so a changed object gets a new generation. */
  private final Map<String, Generation> generations = new HashMap<>();

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
    return cache.replaceAll(stamp());
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

  /** @return true when the file's objects changed */
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
    String hash = sha256(bytes);
    FileState before = files.get(file);
    if (before != null && hash.equals(before.hash())) {
      return false;
    }
    List<HasMetadata> objects;
    try {
      objects = parse(bytes);
    } catch (RuntimeException e) {
      return reportBroken(file, hash, oneLine(e));
    }
    files.put(file, new FileState(hash, objects));
    LOG.info("manifests: read {} ({} objects)", dir.relativize(file), objects.size());
    return true;
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
    files.put(file, new FileState(goodHash, lastGood, hash));
    return false;
  }

  private List<HasMetadata> parse(byte[] bytes) {
    Object parsed = serialization.unmarshal(new ByteArrayInputStream(bytes));
    List<Object> documents = new ArrayList<>();
    flatten(parsed, documents);
    List<HasMetadata> objects = new ArrayList<>();
    for (Object document : documents) {
      if (!(document instanceof HasMetadata object)) {
        throw new IllegalArgumentException(
            "a document that is not a Kubernetes object (missing apiVersion or kind?)");
      }
      if (!ResourceCache.accepts(object)) {
        rejectMistypedKind(object);
        LOG.debug("manifests: skipping {} {}", object.getKind(), object.getMetadata().getName());
        continue;
      }
      if (object.getMetadata() == null || blank(object.getMetadata().getName())) {
        throw new IllegalArgumentException(object.getKind() + " without metadata.name");
      }
      objects.add(object);
    }
    return objects;
  }

  /**
   * A document the deserializer did not recognise is someone else's kind (skipped) unless it has
   * no apiVersion/kind at all or names one of our kinds under an API version we do not read
   * (say, extensions/v1beta1 Ingress): those are mistakes worth reporting.
   */
  private static void rejectMistypedKind(HasMetadata generic) {
    if (blank(generic.getApiVersion()) || blank(generic.getKind())) {
      throw new IllegalArgumentException("a document without apiVersion or kind");
    }
    for (Class<? extends HasMetadata> kind : ResourceCache.KINDS) {
      if (kind.getSimpleName().equals(generic.getKind())) {
        throw new IllegalArgumentException(
            generic.getKind() + " " + generic.getApiVersion() + " is not supported, use "
                + HasMetadata.getApiVersion(kind));
      }
    }
  }

  private static void flatten(Object parsed, List<Object> into) {
    if (parsed == null) {
      return;
    }
    if (parsed instanceof List<?> list) {
      list.forEach(item -> flatten(item, into));
    } else if (parsed instanceof KubernetesResourceList<?> list) {
      list.getItems().forEach(item -> flatten(item, into));
    } else {
      into.add(parsed);
    }
  }

  /** Copies every good object and fills what the API server would have set. */
  private List<HasMetadata> stamp() {
    List<HasMetadata> stamped = new ArrayList<>();
    Map<String, Generation> seen = new HashMap<>();
    long order = 0;
    for (FileState state : files.values()) {
      for (HasMetadata original : state.objects()) {
        HasMetadata object = serialization.clone(original);
        ObjectMeta meta = object.getMetadata();
        if (object instanceof Namespaced && blank(meta.getNamespace())) {
          meta.setNamespace("default");
        }
        if (meta.getCreationTimestamp() == null) {
          meta.setCreationTimestamp(EPOCH.plusSeconds(order).toString());
        }
        order++;
        String key = object.getKind() + "/" + meta.getNamespace() + "/" + meta.getName();
        if (seen.containsKey(key)) {
          problemLog.accept(
              "manifests: " + key + " is defined more than once; the last definition in file order wins");
        }
        String content = sha256(serialization.asJson(original).getBytes());
        Generation previous = generations.get(key);
        long generation =
            previous == null ? 1 : previous.hash().equals(content) ? previous.value() : previous.value() + 1;
        if (meta.getGeneration() == null) {
          meta.setGeneration(generation);
        }
        seen.put(key, new Generation(content, generation));
        stamped.add(object);
      }
    }
    generations.keySet().retainAll(seen.keySet());
    generations.putAll(seen);
    return stamped;
  }

  private static String oneLine(RuntimeException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.replaceAll("\\s+", " ").trim();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * @param hash of the bytes {@code objects} came from
   * @param brokenHash of the newest bytes that did not parse, so they are reported once
   */
  private record FileState(String hash, List<HasMetadata> objects, String brokenHash) {
    FileState(String hash, List<HasMetadata> objects) {
      this(hash, objects, null);
    }
  }

  private record Generation(String hash, long value) {}
}
