package io.portcullis.waf.libinjection;

public final class Xss {
  private Xss() {}

  public static boolean isXss(String input) {
    return false;
  }
}
