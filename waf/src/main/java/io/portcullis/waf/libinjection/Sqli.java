package io.portcullis.waf.libinjection;

public final class Sqli {
  private Sqli() {}

  public static String fingerprintIfSqli(String input) {
    return null;
  }
}
