package io.portcullis.dataplane.log;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log behind a bounded queue: event loops only {@code offer} (never block, never
 * format, never write); one daemon thread formats the entries as JSON lines into one buffer
 * ({@link JsonLines}) and writes it out when it fills or the queue runs empty. When
 * the writer falls behind (stdout piped to a slow collector) entries are dropped and counted
 * rather than slowing the proxy down.
 *
 * <p>The queue is lock-free and the writer polls it, sleeping a few milliseconds when it runs
 * empty, instead of being woken per entry: with a blocking queue every request paid a lock and,
 * whenever the writer was idle, a futex wake-up on the event loop, which cost a measurable share
 * of throughput on a small machine.
 */
public final class AsyncAccessLog implements AccessLog, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AsyncAccessLog.class);

  /** Entries waiting to be written; a few seconds of a busy proxy. */
  public static final int DEFAULT_CAPACITY = 16_384;

  /** Where formatted lines go, one at a time (tests collect them). */
  public interface LineSink {
    void write(String line) throws IOException;

    /** Called when the queue ran empty: push buffered lines out. */
    default void flush() throws IOException {}
  }

  /** How long the writer sleeps when there is nothing to write: the most a line waits. */
  static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final Queue<AccessLogEntry> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final int capacity;
  private final OutputStream out;
  private final Runnable onDrop;
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  /**
   * @param onDrop called on the event loop for each entry dropped because the queue was full
   */
  public AsyncAccessLog(LineSink sink, int capacity, Runnable onDrop) {
    this(new LinesOut(sink), capacity, onDrop);
  }

  /**
   * @param out where the UTF-8 JSON lines go, in writes of up to a few KiB
   * @param onDrop called on the event loop for each entry dropped because the queue was full
   */
  public AsyncAccessLog(OutputStream out, int capacity, Runnable onDrop) {
    this.capacity = capacity;
    this.out = out;
    this.onDrop = onDrop;
    this.writer = new Thread(this::run, "access-log");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Bytes gathered before a write to stdout. The JSON generator hands on 8,000 bytes at a time (~20
   * lines); at tens of thousands of lines a second the system calls for those writes were about a
   * third of the log's cost, and a 64 KiB write (the size of a pipe's buffer) makes one of eight.
   */
  static final int STDOUT_WRITE_BYTES = 64 * 1024;

  /** One JSON line per request on the process's stdout. */
  public static AsyncAccessLog toStdout(Runnable onDrop) {
    return new AsyncAccessLog(
        new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), STDOUT_WRITE_BYTES),
        DEFAULT_CAPACITY,
        onDrop);
  }

  @Override
  public void log(AccessLogEntry entry) {
    if (queued.incrementAndGet() > capacity) {
      queued.decrementAndGet();
      dropped.incrementAndGet();
      onDrop.run();
      return;
    }
    queue.offer(entry);
  }

  /** Entries dropped because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  private void run() {
    boolean failed = false;
    boolean unflushed = false;
    JsonLines lines = null;
    while (true) {
      AccessLogEntry entry = queue.poll();
      try {
        if (lines == null) {
          lines = new JsonLines(out);
        }
        if (entry == null) {
          if (unflushed) { // one write per burst, not per line
            unflushed = false;
            lines.flush();
          }
          if (closed) {
            return;
          }
          LockSupport.parkNanos(this, IDLE_PARK_NANOS);
          continue;
        }
        queued.decrementAndGet();
        lines.write(entry);
        unflushed = true;
        failed = false;
      } catch (IOException | RuntimeException e) {
        if (!failed) { // once per run of failures, not once per line
          log.warn("cannot write the access log: {}", e.toString());
          failed = true;
        }
        lines = null; // it may hold half a line: the next entry starts a clean one
        unflushed = false;
      }
    }
  }

  /** Writes what is queued (up to a second), then stops the writer thread. */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(writer);
    try {
      writer.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Cuts the byte stream into lines for a {@link LineSink}. */
  private static final class LinesOut extends OutputStream {
    private final LineSink sink;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    LinesOut(LineSink sink) {
      this.sink = sink;
    }

    @Override
    public void write(int b) throws IOException {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        sink.write(text);
      } else {
        line.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }

    @Override
    public void flush() throws IOException {
      sink.flush();
    }
  }
}
