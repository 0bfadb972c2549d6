/**
 * Leader election among operator replicas: one Lease per IngressClass, one leader that writes
 * statuses, every replica serving snapshot streams.
 */
package io.portcullis.operator.leader;
