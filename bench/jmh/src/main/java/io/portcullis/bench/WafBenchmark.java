package io.portcullis.bench;

import io.portcullis.waf.WafMode;
import io.portcullis.waf.WafPolicy;
import io.portcullis.waf.model.WafRequest;
import io.portcullis.waf.WafRules;
import io.portcullis.waf.model.WafVerdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * WAF time per benign request: the OWASP Core Rule Set at paranoia level 1 (from Debian's
 * modsecurity-crs) over an h1-small-like {@code GET /}, a paginated API {@code GET} and a small
 * JSON {@code POST}. Example: bench/jmh.sh WafBenchmark -f 1 -wi 3 -i 3 -w 2s -r 2s
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WafBenchmark {
  @Param({"GET_ROOT", "GET_API", "POST_JSON"})
  public String request;

  @Param({"/usr/share/modsecurity-crs"})
  public String rules;

  private WafRules crs;
  private WafRequest req;
  private final WafPolicy policy = WafPolicy.defaults(WafMode.BLOCK);

  @Setup
  public void setUp() {
    crs = WafRules.loadCrs(Path.of(rules));
    List<WafRequest.Header> headers = new ArrayList<>(List.of(
        new WafRequest.Header("Host", "shop.example.com"),
        new WafRequest.Header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"),
        new WafRequest.Header("Accept", "*/*"),
        new WafRequest.Header("Accept-Encoding", "gzip, deflate, br")));
    req = switch (request) {
      case "GET_ROOT" -> new WafRequest("GET", "/", "HTTP/1.1", headers, "10.0.0.1", null, false);
      case "GET_API" -> new WafRequest("GET", "/api/v1/users?page=2&limit=50&sort=-created_at", "HTTP/1.1",
          headers, "10.0.0.1", null, false);
      default -> {
        headers.add(new WafRequest.Header("Content-Type", "application/json"));
        yield new WafRequest("POST", "/api/v1/orders", "HTTP/1.1", headers, "10.0.0.1",
            ("{\"customerId\":\"c_8f3a\",\"items\":[{\"sku\":\"SHOE-42-RED\",\"qty\":1,\"price\":89.9}],"
                + "\"currency\":\"EUR\",\"note\":\"Leave at the door\"}").getBytes(StandardCharsets.UTF_8), false);
      }
    };
  }

  @Benchmark
  public WafVerdict inspect() {
    return crs.inspect(req, policy);
  }
}
