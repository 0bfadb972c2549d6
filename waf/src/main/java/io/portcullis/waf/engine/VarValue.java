package io.portcullis.waf.engine;

/** One value of a variable: {@code name} as ModSecurity prints it ({@code ARGS:q}), the bytes as chars. */
public record VarValue(String name, String key, String value) {}
