package io.portcullis.waf.model;

/**
 * One rule that matched a request.
 *
 * @param ruleId the rule's id
 * @param message its {@code msg}, macros expanded
 * @param variable what matched, as {@code ARGS:q} or {@code REQUEST_HEADERS:User-Agent}
 * @param data its {@code logdata} (usually the matched text), at most 200 chars
 * @param severity CRITICAL, ERROR, WARNING, NOTICE, or empty
 */
public record RuleMatch(int ruleId, String message, String variable, String data, String severity) {}
