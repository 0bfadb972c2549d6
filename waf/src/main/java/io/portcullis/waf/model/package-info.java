/**
 * The WAF's value types, shared by its public entry ({@code io.portcullis.waf}) and its engine
 * ({@code io.portcullis.waf.engine}): a request to inspect, the verdict, the rule matches, rule id
 * sets. They depend on nothing else of the WAF, so the engine depends on them and not on the
 * entry point (no package cycle).
 */
package io.portcullis.waf.model;
