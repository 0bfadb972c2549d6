package io.portcullis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlagsTest {
  private static final List<String> KNOWN = List.of("snapshot-port", "manifests", "watch-namespaces");

  @Test
  void spaceAndEqualsFormsBothWork() {
    Flags flags = Flags.parse(new String[] {"--snapshot-port", "19000", "--manifests=/tmp/m"}, Map.of(), KNOWN);
    assertEquals(19000, flags.get("snapshot-port", Flags::port, 18000));
    assertEquals("/tmp/m", flags.get("manifests", (String) null));
  }

  @Test
  void environmentVariablesFillFlagsAndTheCommandLineWins() {
    Map<String, String> env = Map.of("PORTCULLIS_SNAPSHOT_PORT", "17000", "PORTCULLIS_MANIFESTS", "/env");
    Flags flags = Flags.parse(new String[] {"--manifests", "/cli"}, env, KNOWN);
    assertEquals(17000, flags.get("snapshot-port", Flags::port, 18000));
    assertEquals("/cli", flags.get("manifests", (String) null));
  }

  @Test
  void absentFlagsTakeTheirDefault() {
    Flags flags = Flags.parse(new String[0], Map.of(), KNOWN);
    assertFalse(flags.has("manifests"));
    assertEquals(18000, flags.get("snapshot-port", Flags::port, 18000));
  }

  @Test
  void anUnknownFlagIsNamedInOneLine() {
    Flags.FlagException e =
        assertThrows(Flags.FlagException.class, () -> Flags.parse(new String[] {"--snapshot-prot", "1"}, Map.of(), KNOWN));
    assertEquals("unknown flag --snapshot-prot", e.getMessage());
  }

  @Test
  void aBadValueNamesTheFlagAndTheValue() {
    Flags flags = Flags.parse(new String[] {"--snapshot-port", "70000"}, Map.of(), KNOWN);
    Flags.FlagException e =
        assertThrows(Flags.FlagException.class, () -> flags.get("snapshot-port", Flags::port, 18000));
    assertTrue(e.getMessage().startsWith("bad value '70000' for --snapshot-port"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void aFlagWithoutValueAndAStrayArgumentAreErrors() {
    assertThrows(Flags.FlagException.class, () -> Flags.parse(new String[] {"--manifests"}, Map.of(), KNOWN));
    assertThrows(Flags.FlagException.class, () -> Flags.parse(new String[] {"--manifests", "--snapshot-port", "1"}, Map.of(), KNOWN));
    assertThrows(Flags.FlagException.class, () -> Flags.parse(new String[] {"stray"}, Map.of(), KNOWN));
  }

  @Test
  void listsDropEmptyItems() {
    assertEquals(List.of("a", "b"), Flags.list("a, ,b,"));
  }

  @Test
  void durationsTakeAUnit() {
    assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
    assertEquals(Duration.ofSeconds(15), Durations.parse("15s"));
    assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
    assertEquals(Duration.ofHours(1), Durations.parse("1h"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("15"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("-1s"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("1.5s"));
  }

  @Test
  void envNamesFollowTheFlag() {
    assertEquals("PORTCULLIS_WATCH_NAMESPACES", Flags.envName("watch-namespaces"));
  }

  @Test
  void aPortThatIsNotANumberSaysSoWithoutJavaWords() {
    Flags flags = Flags.parse(new String[] {"--snapshot-port", "x"}, Map.of(), KNOWN);
    String message = assertThrows(Flags.FlagException.class, () -> flags.get("snapshot-port", Flags::port, 1)).getMessage();
    assertEquals("bad value 'x' for --snapshot-port: expected a port number from 0 to 65535", message);
  }
}
