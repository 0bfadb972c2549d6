package io.portcullis.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The command-line contract both programs share: {@code --name value} or {@code --name=value},
 * each flag also settable through an environment variable ({@code --snapshot-port} ⇔
 * {@code PORTCULLIS_SNAPSHOT_PORT}); the command line wins. An unknown flag or a bad value is a
 * {@link FlagException} whose message is one line naming the flag.
 *
 * <pre>
 * Flags flags = Flags.parse(args, System.getenv(), List.of("snapshot-port", "manifests"));
 * int port = flags.get("snapshot-port", Flags::port, 18000);
 * </pre>
 */
public final class Flags {
  private final Map<String, String> values;

  private Flags(Map<String, String> values) {
    this.values = values;
  }

  /**
   * Parses {@code args} and the environment against the list of known flag names (without
   * dashes).
   *
   * @throws FlagException for an unknown flag, a flag without a value, or a stray argument
   */
  public static Flags parse(String[] args, Map<String, String> env, List<String> known) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : known) {
      String fromEnv = env.get(envName(name));
      if (fromEnv != null && !fromEnv.isEmpty()) {
        values.put(name, fromEnv);
      }
    }
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new FlagException("unexpected argument '" + arg + "' (flags start with --)");
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (!known.contains(name)) {
        throw new FlagException("unknown flag --" + name);
      }
      if (value == null) {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
          throw new FlagException("flag --" + name + " needs a value");
        }
        value = args[++i];
      }
      values.put(name, value);
    }
    return new Flags(values);
  }

  /** The environment variable for a flag: {@code snapshot-port} → {@code PORTCULLIS_SNAPSHOT_PORT}. */
  public static String envName(String flag) {
    return "PORTCULLIS_" + flag.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  /**
   * The flag's value converted by {@code parser}, or {@code fallback} when not given.
   *
   * @throws FlagException naming the flag when {@code parser} rejects the value
   */
  public <T> T get(String name, Function<String, T> parser, T fallback) {
    String raw = values.get(name);
    if (raw == null) {
      return fallback;
    }
    try {
      return parser.apply(raw.trim());
    } catch (RuntimeException e) {
      // A parser's own words, unless they are a JDK message like 'For input string: "x"'.
      String why = e instanceof NumberFormatException || e.getMessage() == null
          ? "not a valid value" : e.getMessage();
      throw new FlagException("bad value '" + raw + "' for --" + name + ": " + why);
    }
  }

  /** A TCP port, 0 to 65535 (0 picks a free one). */
  public static int port(String text) {
    int port;
    try {
      port = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a port number from 0 to 65535");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535");
    }
    return port;
  }

  /** A comma-separated list; empty items are dropped. */
  public static List<String> list(String text) {
    List<String> items = new ArrayList<>();
    for (String item : text.split(",")) {
      if (!item.isBlank()) {
        items.add(item.trim());
      }
    }
    return items;
  }

  /** {@code true} or {@code false}. */
  public static boolean bool(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("expected true or false");
    };
  }

  /** A duration: {@code 250ms}, {@code 15s}, {@code 2m}, {@code 1h}. */
  public static java.time.Duration duration(String text) {
    return Durations.parse(text);
  }

  /** A bad flag: the message is the one line to print before exiting. */
  public static final class FlagException extends RuntimeException {
    public FlagException(String message) {
      super(message);
    }
  }
}
