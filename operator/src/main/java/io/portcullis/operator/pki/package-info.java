/**
 * The mutually authenticated control channel: the operator's own small CA and the certificates of
 * the snapshot stream. Snapshots carry private keys, so in a cluster the stream is always TLS with
 * a client certificate on both sides; plaintext h2c exists only in local mode, bound to loopback.
 *
 * <h2>The CA</h2>
 * {@link io.portcullis.operator.pki.CertificateAuthority}: one self-signed EC P-256 root
 * (SHA256withECDSA, 10 years), built with BouncyCastle's JCA builders over JDK keys.
 * {@link io.portcullis.operator.pki.CaSecretStore} keeps it in an {@code Opaque} Secret
 * ({@code --ca-secret}, default {@code portcullis-system/portcullis-ca}, keys {@code ca.crt} and
 * {@code ca.key}): the first operator creates it, every restart and every other replica reuses it.
 * Creation is create-if-absent; the replica that loses the race gets 409 and reads the winner's.
 * A Secret that exists but holds no usable CA is never overwritten: the operator refuses to start
 * with one line naming the Secret and the problem. Rotating the CA itself is manual: delete the
 * Secret and restart the operators (dataplanes reconnect once their mounted Secret shows the new
 * CA).
 *
 * <h2>The operator's serving certificate</h2>
 * Issued by each operator instance at start for the names of its Service
 * ({@code --snapshot-service ns/name}: {@code name.ns.svc}, {@code name.ns.svc.cluster.local},
 * {@code name.ns}, {@code name}) plus {@code --snapshot-dns-names} (DNS names or IP literals), and
 * never stored. Lifetime {@code --control-cert-validity} (default 30 days); it is replaced after
 * two thirds of it. {@link io.portcullis.operator.pki.ControlChannelPki} hands the stream server
 * a supplier of the current Netty {@code SslContext}; renewal builds a new context and swaps it,
 * so new handshakes get the new certificate and open streams keep theirs (TLS never re-checks a
 * certificate after the handshake).
 *
 * <h2>The dataplanes' client certificate</h2>
 * Option (a) of the design discussion: the operator keeps a {@code kubernetes.io/tls} Secret
 * ({@code --dataplane-cert-secret}, default {@code portcullis-system/portcullis-dataplane-tls})
 * filled with a client certificate ({@code tls.crt}, {@code tls.key} as PKCS#8) and the CA
 * ({@code ca.crt}), and replaces the certificate after two thirds of its lifetime
 * ({@link io.portcullis.operator.pki.DataplaneCertificateSecret}). Dataplanes mount it and run
 * with {@code --control-plane https://<service>.<ns>.svc:18000 --tls-cert .../tls.crt --tls-key
 * .../tls.key --tls-ca .../ca.crt}; they poll the files and use changed ones for the next
 * connection. All dataplanes share the one certificate: they are interchangeable replicas, and
 * the certificate proves only "a dataplane of this installation". This needs no bootstrap
 * protocol, but anyone who can read that Secret can pose as a dataplane: restrict Secret reads in
 * the operator's namespace. A per-dataplane CSR flow can replace it later without changing the
 * stream server.
 *
 * <h2>The handshake</h2>
 * {@link io.portcullis.transport.ControlChannelTls}, shared with the dataplane: TLS 1.3 and 1.2,
 * HTTP/2-safe ciphers, ALPN {@code h2}, BoringSSL (netty-tcnative) where it loads and the JDK provider otherwise (a log line
 * says which). The server requires a client certificate and trusts only the CA (never the JDK's
 * public roots). The dataplane trusts only {@code ca.crt} and verifies that the operator's
 * certificate names the host in its {@code --control-plane} URL. Failed handshakes are counted
 * ({@code StreamServer.refusedHandshakes()}) and logged at debug on the operator (anyone can reach
 * the port) and at warn on the dataplane (a misconfiguration a human must fix).
 *
 * <h2>Plaintext</h2>
 * Only in local mode ({@code --manifests}): the stream is h2c and {@code --snapshot-address} must
 * be a loopback address; the control-channel flags are refused there. The dataplane refuses an
 * {@code http://} control plane unless its host is {@code localhost} or a loopback literal.
 *
 * <p>RBAC: the operator needs {@code get}, {@code create} and {@code update} on Secrets in the
 * namespaces of the two Secrets.
 */
package io.portcullis.operator.pki;
