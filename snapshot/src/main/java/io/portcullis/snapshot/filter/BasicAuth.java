package io.portcullis.snapshot.filter;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP Basic authentication (RFC 7617) against password hashes from an htpasswd Secret.
 *
 * @param realm the realm named in {@code WWW-Authenticate}
 * @param users user name to password hash: bcrypt ({@code $2a$}, {@code $2b$}, {@code $2y$}) or
 *     SHA-crypt ({@code $5$} SHA-256, {@code $6$} SHA-512); plain text and MD5 are refused by the
 *     operator
 * @param userHeader the request header the authenticated user name goes upstream in (a value the
 *     client sent in it is removed first), lower case
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record BasicAuth(String realm, Map<String, String> users, String userHeader)
    implements AuthMechanism {
  public BasicAuth {
    if (realm == null || realm.isEmpty() || realm.indexOf('"') >= 0 || realm.indexOf('\\') >= 0
        || realm.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException(
          "basic auth realm must be non-empty printable text without quotes or backslashes");
    }
    TreeMap<String, String> sorted = new TreeMap<>(users == null ? Map.of() : users);
    sorted.forEach((user, hash) -> {
      if (user.isEmpty() || user.indexOf(':') >= 0) {
        throw new IllegalArgumentException("basic auth user names are non-empty and have no ':'");
      }
      if (!supportedHash(hash)) {
        throw new IllegalArgumentException("basic auth user " + user
            + ": only bcrypt ($2a$, $2b$, $2y$) and SHA-crypt ($5$, $6$) hashes are supported");
      }
    });
    users = Collections.unmodifiableMap(sorted);
    userHeader = AuthMechanism.headerName(userHeader, "basic auth userHeader");
  }

  /** True for the hash schemes the dataplane verifies. */
  public static boolean supportedHash(String hash) {
    return hash != null && (hash.startsWith("$2a$") || hash.startsWith("$2b$")
        || hash.startsWith("$2y$") || hash.startsWith("$5$") || hash.startsWith("$6$"));
  }

  @Override
  public String name() {
    return "basic";
  }
}
