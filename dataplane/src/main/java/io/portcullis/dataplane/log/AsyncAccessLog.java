package io.portcullis.dataplane.log;

import io.netty.util.concurrent.FastThreadLocal;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: each event loop formats its entries as JSON lines ({@link JsonLines}) into a
 * buffer of its own, right when the response ends, and one daemon thread takes the filled buffers
 * every few milliseconds and writes them out. The event loop never blocks and never writes; when the
 * writer falls behind (stdout piped to a slow collector) a loop's buffer fills and further lines are
 * dropped and counted rather than slowing the proxy down.
 *
 * <p>Why the formatting is on the event loop: an entry handed to another thread to format was
 * read there from memory the event loop had long moved on from (the writer ran every 10 ms over
 * hundreds of entries), and a line cost about three times what formatting it alone costs. Formatted
 * while its strings are still in the cache, a line is a few hundred nanoseconds of the loop's time;
 * what crosses threads is one buffer per loop per turn of the writer, not one object per request.
 *
 * <p>A loop's buffer is guarded by its own monitor, taken by the loop once per line and by the
 * writer once per turn: uncontended nearly always, and it keeps a line from being taken half
 * written without a timer on every loop.
 */
public final class AsyncAccessLog implements AccessLog, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AsyncAccessLog.class);

  /** Lines each event loop may have waiting for the writer; a few seconds of a busy loop. */
  public static final int DEFAULT_CAPACITY = 16_384;

  /**
   * Bytes each event loop may have waiting, whatever the line count: lines carry client headers
   * (a long User-Agent), and the count alone would not bound the memory.
   */
  static final int MAX_WAITING_BYTES = 8 * 1024 * 1024;

  /** Where formatted lines go, one at a time (tests collect them). */
  public interface LineSink {
    void write(String line) throws IOException;

    /** Called after each turn of the writer that wrote something: push buffered lines out. */
    default void flush() throws IOException {}
  }

  /** How long the writer sleeps between turns: the most a line waits before it is written. */
  static final long TURN_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final int capacity;
  private final OutputStream out;
  private final Runnable onDrop;
  private final AtomicLong dropped = new AtomicLong();
  /** Every thread's buffer, in the order the threads first logged; the writer visits each. */
  private final List<LoopLines> loops = new CopyOnWriteArrayList<>();
  private final FastThreadLocal<LoopLines> mine = new FastThreadLocal<>() {
    @Override
    protected LoopLines initialValue() {
      LoopLines lines = new LoopLines();
      loops.add(lines);
      return lines;
    }
  };
  private final Thread writer;
  private volatile boolean closed;

  /**
   * @param capacity lines each logging thread may have waiting
   * @param onDrop called on the logging thread for each line dropped because its buffer was full
   */
  public AsyncAccessLog(LineSink sink, int capacity, Runnable onDrop) {
    this(new LinesOut(sink), capacity, onDrop);
  }

  /**
   * @param out where the UTF-8 JSON lines go, in writes of what each loop gathered in a turn
   * @param capacity lines each logging thread may have waiting
   * @param onDrop called on the logging thread for each line dropped because its buffer was full
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
   * Bytes gathered before a write to stdout: at tens of thousands of lines a second the system
   * calls were about a third of the log's cost with 8 KiB writes, and a 64 KiB write (the size of
   * a pipe's buffer) makes one of eight.
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
    if (!mine.get().add(entry)) {
      dropped.incrementAndGet();
      onDrop.run();
    }
  }

  /** Lines dropped because a buffer was full. */
  public long dropped() {
    return dropped.get();
  }

  private void run() {
    boolean failed = false;
    while (true) {
      boolean last = closed; // read before the turn: a line added before close() is in it
      boolean wrote = false;
      for (LoopLines loop : loops) {
        LoopLines.Taken taken = loop.take();
        if (taken == null) {
          continue;
        }
        try {
          out.write(taken.bytes(), 0, taken.length());
          wrote = true;
          failed = false;
        } catch (IOException | RuntimeException e) {
          failed = warnOnce(failed, e);
        }
      }
      if (wrote) {
        try {
          out.flush(); // one write per turn, not per line
        } catch (IOException | RuntimeException e) {
          failed = warnOnce(failed, e);
        }
      }
      if (last) {
        return;
      }
      LockSupport.parkNanos(this, TURN_NANOS);
    }
  }

  /** Warns once per run of failures, not once per buffer; returns the new "failed" state. */
  private static boolean warnOnce(boolean failed, Exception e) {
    if (!failed) {
      log.warn("cannot write the access log: {}", e.toString());
    }
    return true;
  }

  /** Writes what is waiting (up to a second), then stops the writer thread. */
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

  /**
   * One logging thread's lines: its formatter (touched by that thread only) and the bytes waiting
   * for the writer (under this object's monitor). The writer takes the waiting bytes by swapping
   * arrays: it hands back the one it wrote last turn, so a loop keeps two arrays at most.
   */
  private final class LoopLines {
    /** Room for ~200 lines before the first growth. */
    private static final int INITIAL_BYTES = 64 * 1024;

    private final LineBytes line = new LineBytes();
    private JsonLines format;
    private byte[] waiting = new byte[INITIAL_BYTES];
    private int waitingBytes;
    private int waitingLines;
    /** The array the writer took last; empty again by the writer's next turn. */
    private byte[] spare = new byte[INITIAL_BYTES];

    record Taken(byte[] bytes, int length) {}

    /** Formats the entry and queues its line; false when the line was dropped. */
    boolean add(AccessLogEntry entry) {
      line.reset();
      try {
        if (format == null) {
          format = new JsonLines(line);
        }
        format.write(entry);
        format.flush(); // the generator's buffer into line: one complete line
      } catch (IOException | RuntimeException e) {
        // Writes to memory do not fail; were the generator ever to throw, it could hold half a
        // line: the next entry starts a new one.
        log.warn("cannot format an access log entry: {}", e.toString());
        format = null;
        return false;
      }
      synchronized (this) {
        int needed = waitingBytes + line.size();
        if (waitingLines >= capacity || needed > MAX_WAITING_BYTES) {
          return false;
        }
        if (needed > waiting.length) {
          waiting = Arrays.copyOf(waiting,
              Math.min(MAX_WAITING_BYTES, Math.max(needed, waiting.length * 2)));
        }
        waitingBytes = line.copyTo(waiting, waitingBytes);
        waitingLines++;
        return true;
      }
    }

    /** The writer's turn: what is waiting, or null; this loop then fills the spare array. */
    synchronized Taken take() {
      if (waitingBytes == 0) {
        return null;
      }
      Taken taken = new Taken(waiting, waitingBytes);
      waiting = spare;
      spare = taken.bytes();
      waitingBytes = 0;
      waitingLines = 0;
      return taken;
    }
  }

  /** One formatted line, reused for the next. */
  private static final class LineBytes extends ByteArrayOutputStream {
    LineBytes() {
      super(512);
    }

    /** Copies the line into {@code to} at {@code at}; returns the position after it. */
    int copyTo(byte[] to, int at) {
      System.arraycopy(buf, 0, to, at, count);
      return at + count;
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
