package io.portcullis.operator.chart;

import io.fabric8.kubernetes.api.model.Container;
import io.portcullis.cli.Flags;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The flags each program really knows, read from the {@code FLAGS} list its options class
 * parses against ({@code OperatorOptions.FLAGS}, {@code DataplaneOptions.FLAGS}; package-private,
 * so by reflection). Reading the list the parser uses, rather than a copy, means a renamed or
 * removed flag fails the chart tests instead of being silently ignored by the program (an
 * unknown {@code PORTCULLIS_*} variable is not an error, it just does nothing).
 */
final class ProgramFlags {
  static final String OPERATOR = "io.portcullis.operator.OperatorOptions";
  static final String DATAPLANE = "io.portcullis.dataplane.DataplaneOptions";

  private ProgramFlags() {}

  /** Empty when the class is not on the test classpath. */
  static Optional<List<String>> of(String optionsClass) {
    Class<?> type;
    try {
      type = Class.forName(optionsClass);
    } catch (ClassNotFoundException e) {
      return Optional.empty();
    }
    try {
      Field field = type.getDeclaredField("FLAGS");
      field.setAccessible(true);
      @SuppressWarnings("unchecked")
      List<String> flags = (List<String>) field.get(null);
      return Optional.of(List.copyOf(flags));
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(optionsClass + " has no readable static FLAGS list", e);
    }
  }

  /**
   * Every flag a container passes: {@code PORTCULLIS_*} environment variables mapped back to
   * flag names, and {@code --flag} / {@code --flag=value} arguments. Returns the ones the
   * program does not know, each with how it was passed.
   */
  static List<String> unknown(Container container, List<String> known) {
    List<String> bad = new ArrayList<>();
    for (var env : container.getEnv()) {
      if (env.getName().startsWith("PORTCULLIS_")
          && known.stream().noneMatch(flag -> Flags.envName(flag).equals(env.getName()))) {
        bad.add("env " + env.getName());
      }
    }
    List<String> args = new ArrayList<>();
    if (container.getCommand() != null) {
      args.addAll(container.getCommand());
    }
    if (container.getArgs() != null) {
      args.addAll(container.getArgs());
    }
    for (String arg : args) {
      if (arg.startsWith("--")) {
        String name = arg.substring(2).split("=", 2)[0];
        if (!known.contains(name)) {
          bad.add("arg " + arg);
        }
      }
    }
    return bad;
  }
}
