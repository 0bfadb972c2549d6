package io.portcullis.snapshot.filter;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/**
 * IP allow and deny lists: which client addresses may use a host or route. The client address is
 * the one the dataplane resolved (the TCP peer, or what trusted proxies in front said it is).
 *
 * <ul>
 *   <li>A client in {@code deny} is refused, whatever {@code allow} says: deny wins.
 *   <li>A non-empty {@code allow} refuses every client not in it; an empty one allows everyone
 *       (not denied).
 *   <li>Refused requests get 403 from the proxy and never reach the backend.
 *   <li>An IPv4-mapped IPv6 client ({@code ::ffff:192.0.2.1}) is the IPv4 client it stands for and
 *       matches IPv4 entries only; {@code ::/0} covers IPv6 clients, {@code 0.0.0.0/0} IPv4 ones.
 * </ul>
 *
 * <p>Both lists empty is a valid config: as a route's config it switches its host's IP rules off
 * for that route (a route's config of a kind replaces its host's).
 *
 * @param allow CIDRs or bare addresses ({@code /32}, {@code /128}), normalised (host bits cleared,
 *     RFC 5952 IPv6 text), sorted, without duplicates; omitted from JSON when empty
 * @param deny the same, for refused clients
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record IpRules(List<String> allow, List<String> deny) implements FilterConfig {
  public static final String KIND = "ipRules";
  /** More entries than any block list we know of; a bound keeps a typo from exhausting memory. */
  public static final int MAX_ENTRIES = 100_000;
  /** Every client of both families: what an unusable list fails closed to. */
  public static final IpRules DENY_ALL = new IpRules(List.of(), List.of("0.0.0.0/0", "::/0"));

  public IpRules {
    allow = canonical(allow, "allow");
    deny = canonical(deny, "deny");
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** The allow list parsed (once per snapshot, when the dataplane builds its lookup). */
  @JsonIgnore
  public List<IpPrefix> allowPrefixes() {
    return allow.stream().map(IpPrefix::parse).toList();
  }

  /** The deny list parsed. */
  @JsonIgnore
  public List<IpPrefix> denyPrefixes() {
    return deny.stream().map(IpPrefix::parse).toList();
  }

  /**
   * CIDRs as canonical text, sorted, without duplicates.
   *
   * @throws IllegalArgumentException naming the list and the entry that is not a CIDR
   */
  public static List<String> canonical(List<String> entries, String list) {
    if (entries == null || entries.isEmpty()) {
      return List.of();
    }
    if (entries.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException(
          "ip " + list + " list has " + entries.size() + " entries, at most " + MAX_ENTRIES);
    }
    List<String> out = new ArrayList<>(entries.size());
    for (String entry : entries) {
      try {
        out.add(IpPrefix.parse(entry).toString());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("ip " + list + ": " + e.getMessage());
      }
    }
    return out.stream().distinct().sorted().toList();
  }
}
