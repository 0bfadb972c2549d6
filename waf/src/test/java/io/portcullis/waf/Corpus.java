package io.portcullis.waf;

import io.portcullis.waf.model.WafRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the request corpora under src/test/resources/corpus (format in attacks.http). */
final class Corpus {
  record Case(String name, WafRequest request) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> load(String resource) {
    String text;
    try (InputStream in = Corpus.class.getResourceAsStream("/corpus/" + resource)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    List<Case> out = new ArrayList<>();
    String[] chunks = text.split("(?m)^=== ");
    for (int i = 1; i < chunks.length; i++) {
      out.add(parse(chunks[i]));
    }
    return out;
  }

  private static Case parse(String chunk) {
    String[] lines = chunk.split("\n", -1);
    String name = lines[0].strip();
    String[] requestLine = lines[1].split(" ");
    List<WafRequest.Header> headers = new ArrayList<>();
    int i = 2;
    for (; i < lines.length && !lines[i].isEmpty(); i++) {
      int colon = lines[i].indexOf(':');
      headers.add(new WafRequest.Header(lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip()));
    }
    StringBuilder body = new StringBuilder();
    for (i = i + 1; i < lines.length; i++) {
      body.append(lines[i]).append('\n');
    }
    String b = body.toString().stripTrailing();
    boolean multipart = headers.stream().anyMatch(h -> h.value().startsWith("multipart/"));
    if (multipart) {
      b = b.replace("\n", "\r\n") + "\r\n";
    }
    addDefault(headers, "Host", "shop.example.com");
    addDefault(headers, "User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0");
    addDefault(headers, "Accept", "*/*");
    byte[] bytes = b.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > 0) {
      addDefault(headers, "Content-Length", Integer.toString(bytes.length));
    }
    WafRequest r = new WafRequest(requestLine[0], requestLine[1], requestLine[2], headers, "203.0.113.7", bytes, false);
    return new Case(name, r);
  }

  private static void addDefault(List<WafRequest.Header> headers, String name, String value) {
    if (headers.stream().noneMatch(h -> h.name().equalsIgnoreCase(name))) {
      headers.add(0, new WafRequest.Header(name, value));
    }
  }
}
