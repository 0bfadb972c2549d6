/**
 * Address sets shared by the features that judge a client address (IP rules, trusted proxies):
 * one CIDR grammar ({@link io.portcullis.snapshot.filter.IpPrefix}) and one lookup structure.
 */
package io.portcullis.dataplane.net;
