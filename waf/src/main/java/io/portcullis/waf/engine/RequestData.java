package io.portcullis.waf.engine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.portcullis.waf.model.WafRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * The request split into ModSecurity's variables: arguments, headers, cookies, the URI's parts,
 * and (at phase 2) what the body processor made of the body. Strings hold one byte per char.
 */
final class RequestData {
  private static final JsonFactory JSON = new JsonFactory();
  static final int MAX_JSON_DEPTH = 64;
  static final int MAX_ARGUMENTS = 1024;
  private int arguments;

  final String method;
  final String uriRaw;
  final String path;
  final String query;
  final String protocol;
  final String remoteAddr;
  final List<VarValue> argsGet = new ArrayList<>();
  final List<VarValue> argsPost = new ArrayList<>();
  final List<VarValue> headers = new ArrayList<>();
  final List<VarValue> cookies = new ArrayList<>();
  final List<VarValue> files = new ArrayList<>();
  final List<VarValue> filesNames = new ArrayList<>();
  final List<VarValue> multipartPartHeaders = new ArrayList<>();
  final List<VarValue> xml = new ArrayList<>();
  final String rawBody;
  /** Only the start of the body is here: a body processor's error at the cut is not the client's. */
  final boolean bodyTruncated;
  String requestBody = "";
  String bodyProcessor = "";
  String bodyError = "0";
  String bodyErrorMsg = "";
  String multipartStrictError = "0";
  boolean bodyParsed;

  RequestData(WafRequest request) {
    this.method = request.method();
    this.uriRaw = latin1(request.uri());
    int q = uriRaw.indexOf('?');
    this.path = q < 0 ? uriRaw : uriRaw.substring(0, q);
    this.query = q < 0 ? "" : uriRaw.substring(q + 1);
    this.protocol = request.protocol();
    this.remoteAddr = request.clientAddress();
    parseUrlEncoded(query, "ARGS", argsGet);
    graphQl(argsGet, "query");
    for (WafRequest.Header h : request.headers()) {
      String name = latin1(h.name());
      String value = latin1(h.value());
      headers.add(new VarValue("REQUEST_HEADERS:" + name, name.toLowerCase(Locale.ROOT), value));
      if (name.equalsIgnoreCase("cookie")) {
        for (String c : value.split(";")) {
          String t = c.strip();
          if (t.isEmpty()) {
            continue;
          }
          int eq = t.indexOf('=');
          String k = eq < 0 ? t : t.substring(0, eq);
          String v = eq < 0 ? "" : t.substring(eq + 1);
          cookies.add(new VarValue("REQUEST_COOKIES:" + k, k.toLowerCase(Locale.ROOT), v));
        }
      }
    }
    this.rawBody = new String(request.body(), StandardCharsets.ISO_8859_1);
    this.bodyTruncated = request.bodyTruncated();
    String ct = header("content-type").toLowerCase(Locale.ROOT);
    if (ct.startsWith("application/x-www-form-urlencoded")) {
      bodyProcessor = "URLENCODED";
    } else if (ct.startsWith("multipart/form-data")) {
      bodyProcessor = "MULTIPART";
    } else if (ct.startsWith("application/json") || ct.contains("+json")) {
      bodyProcessor = "JSON";
    } else if (ct.contains("xml")) {
      bodyProcessor = "XML";
    }
  }

  /** Java strings from the proxy are UTF-16; the engine wants bytes: re-encode non-ASCII as UTF-8. */
  static String latin1(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0xff) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
      }
    }
    return s;
  }

  String header(String lowerName) {
    for (VarValue h : headers) {
      if (h.key().equals(lowerName)) {
        return h.value();
      }
    }
    return "";
  }

  /** Runs the body processor once, at the start of phase 2. */
  void parseBody() {
    if (bodyParsed) {
      return;
    }
    bodyParsed = true;
    if (rawBody.isEmpty()) {
      return;
    }
    switch (bodyProcessor) {
      case "URLENCODED" -> {
        requestBody = rawBody;
        parseUrlEncoded(rawBody, "ARGS", argsPost);
      }
      case "MULTIPART" -> parseMultipart();
      case "JSON" -> {
        parseJson();
        graphQl(argsPost, "json.query");
      }
      case "XML" -> parseXml();
      default -> requestBody = rawBody;
    }
  }

  void parseUrlEncoded(String s, String prefix, List<VarValue> out) {
    if (s.isEmpty()) {
      return;
    }
    for (String pair : s.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      if (!roomForArgument()) {
        return;
      }
      int eq = pair.indexOf('=');
      String k = Decoding.urlDecode(eq < 0 ? pair : pair.substring(0, eq), false);
      String v = eq < 0 ? "" : Decoding.urlDecode(pair.substring(eq + 1), false);
      out.add(new VarValue(prefix + ":" + k, k.toLowerCase(Locale.ROOT), v));
    }
  }

  /**
   * On a GraphQL endpoint, replaces the document argument by its string literals (see {@link
   * GraphQl}).
   */
  private void graphQl(List<VarValue> args, String argName) {
    if (!path.toLowerCase(Locale.ROOT).contains("graphql")) {
      return;
    }
    for (int i = 0; i < args.size(); i++) {
      VarValue v = args.get(i);
      if (!v.key().equals(argName)) {
        continue;
      }
      List<String> literals = GraphQl.literals(v.value());
      if (literals == null) {
        continue;
      }
      args.remove(i);
      for (String lit : literals) {
        args.add(i++, new VarValue(v.name(), v.key(), lit));
      }
      i--;
    }
  }

  private void parseMultipart() {
    String ct = header("content-type");
    int b = ct.toLowerCase(Locale.ROOT).indexOf("boundary=");
    if (b < 0) {
      bodyError("multipart: no boundary");
      return;
    }
    String boundary = ct.substring(b + 9).split(";")[0].trim();
    if (boundary.startsWith("\"") && boundary.endsWith("\"") && boundary.length() >= 2) {
      boundary = boundary.substring(1, boundary.length() - 1);
    }
    String delimiter = "--" + boundary;
    int pos = rawBody.indexOf(delimiter);
    if (pos < 0) {
      bodyError("multipart: boundary not found");
      return;
    }
    while (true) {
      int partStart = pos + delimiter.length();
      if (rawBody.startsWith("--", partStart)) {
        return; // closing delimiter
      }
      int next = rawBody.indexOf(delimiter, partStart);
      if (next < 0) {
        multipartStrictError = "1";
        next = rawBody.length();
      }
      String part = rawBody.substring(partStart, next);
      if (part.startsWith("\r\n")) {
        part = part.substring(2);
      } else if (part.startsWith("\n")) {
        part = part.substring(1);
      }
      int headerEnd = part.indexOf("\r\n\r\n");
      int sepLen = 4;
      if (headerEnd < 0) {
        headerEnd = part.indexOf("\n\n");
        sepLen = 2;
      }
      if (headerEnd < 0) {
        multipartStrictError = "1";
        if (next >= rawBody.length()) {
          return;
        }
        pos = next;
        continue;
      }
      String head = part.substring(0, headerEnd);
      String content = part.substring(headerEnd + sepLen);
      if (content.endsWith("\r\n")) {
        content = content.substring(0, content.length() - 2);
      } else if (content.endsWith("\n")) {
        content = content.substring(0, content.length() - 1);
      }
      String name = null;
      String filename = null;
      for (String line : head.split("\r?\n")) {
        multipartPartHeaders.add(new VarValue("MULTIPART_PART_HEADERS", "", line));
        if (line.toLowerCase(Locale.ROOT).startsWith("content-disposition:")) {
          name = param(line, "name");
          filename = param(line, "filename");
        }
      }
      if (name != null) {
        if (!roomForArgument()) {
          return;
        }
        if (filename != null) {
          files.add(new VarValue("FILES:" + name, name.toLowerCase(Locale.ROOT), filename));
          filesNames.add(new VarValue("FILES_NAMES:" + name, name.toLowerCase(Locale.ROOT), name));
        } else {
          argsPost.add(new VarValue("ARGS:" + name, name.toLowerCase(Locale.ROOT), content));
        }
      }
      if (next >= rawBody.length()) {
        return;
      }
      pos = next;
    }
  }

  private static String param(String line, String name) {
    String lower = line.toLowerCase(Locale.ROOT);
    int i = 0;
    while ((i = lower.indexOf(name + "=", i)) >= 0) {
      char before = i == 0 ? ';' : lower.charAt(i - 1);
      if (before == ';' || before == ' ' || before == '\t') {
        int start = i + name.length() + 1;
        if (start < line.length() && line.charAt(start) == '"') {
          int end = line.indexOf('"', start + 1);
          return line.substring(start + 1, end < 0 ? line.length() : end);
        }
        int end = line.indexOf(';', start);
        return line.substring(start, end < 0 ? line.length() : end).trim();
      }
      i++;
    }
    return null;
  }

  private void parseJson() {
    byte[] bytes = rawBody.getBytes(StandardCharsets.ISO_8859_1);
    try (JsonParser p = JSON.createParser(bytes)) {
      Deque<String> path = new ArrayDeque<>();
      Deque<int[]> arrayIndex = new ArrayDeque<>();
      path.push("json");
      String field = null;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        switch (t) {
          case FIELD_NAME -> field = p.currentName();
          case START_OBJECT, START_ARRAY -> {
            String name = elementName(path, arrayIndex, field);
            if (path.size() > MAX_JSON_DEPTH) {
              bodyError("JSON: nested too deep");
              return;
            }
            path.push(name);
            arrayIndex.push(t == JsonToken.START_ARRAY ? new int[] {0} : new int[] {-1});
            field = null;
          }
          case END_OBJECT, END_ARRAY -> {
            path.pop();
            arrayIndex.pop();
          }
          default -> {
            String name = elementName(path, arrayIndex, field);
            String value = t == JsonToken.VALUE_NULL ? "" : p.getText();
            String utf8 = latin1(value);
            String argName = name;
            if (!roomForArgument()) {
              return;
            }
            argsPost.add(new VarValue("ARGS:" + argName, argName.toLowerCase(Locale.ROOT), utf8));
            field = null;
          }
        }
      }
    } catch (IOException e) {
      bodyError("JSON: " + e.getMessage());
    }
  }

  /** ModSecurity's JSON argument names: {@code json.a.b}, array items {@code json.list.array_0}. */
  private static String elementName(Deque<String> path, Deque<int[]> arrayIndex, String field) {
    String parent = path.peek();
    if (arrayIndex.isEmpty()) {
      return parent;
    }
    int[] idx = arrayIndex.peek();
    if (idx[0] >= 0) {
      return parent + ".array_" + idx[0]++;
    }
    return parent + "." + (field == null ? "" : latin1(field));
  }

  private void parseXml() {
    // Enough for XML:/* (all text) and XML://@* (attribute values), without a DOM or entities.
    String body = rawBody;
    StringBuilder text = new StringBuilder();
    int i = 0;
    while (i < body.length()) {
      int lt = body.indexOf('<', i);
      if (lt < 0) {
        text.append(body, i, body.length());
        break;
      }
      text.append(body, i, lt);
      int gt = body.indexOf('>', lt);
      if (gt < 0) {
        bodyError("XML: unterminated tag");
        break;
      }
      String tag = body.substring(lt + 1, gt);
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("([\\w:.-]+)\\s*=\\s*(\"[^\"]*\"|'[^']*')").matcher(tag);
      while (m.find()) {
        String v = m.group(2);
        xml.add(new VarValue("XML://@*", "//@*", v.substring(1, v.length() - 1)));
      }
      i = gt + 1;
    }
    xml.add(new VarValue("XML:/*", "/*", text.toString().strip()));
  }

  /**
   * Every rule runs over every argument, so their number bounds the work per request (as
   * ModSecurity's SecArgumentsLimit does): past {@link #MAX_ARGUMENTS} the request is reported as
   * a processing error, which rule 99170 condemns, rather than inspected in part.
   */
  private boolean roomForArgument() {
    if (++arguments <= MAX_ARGUMENTS) {
      return true;
    }
    bodyError = "1";
    bodyErrorMsg = "more than " + MAX_ARGUMENTS + " arguments";
    return false;
  }

  private void bodyError(String msg) {
    if (bodyTruncated) {
      return;
    }
    bodyError = "1";
    bodyErrorMsg = msg;
  }
}
