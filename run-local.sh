#!/usr/bin/env bash
# run-local.sh - Portcullis on your machine, no cluster needed.
#
# Builds the two jars if they are missing or older than the sources, starts the two demo
# backends, the operator reading a directory of Kubernetes YAML (local mode), and one dataplane,
# waits until the dataplane has its first snapshot, and prints what to curl. Ctrl-C stops all
# of it. Logs go to .portcullis/logs/. Needs bash 4.3+ and a JDK 17+ (Maven to build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROG=run-local.sh

usage() {
    cat <<'EOF'
usage: ./run-local.sh [options] [MANIFESTS_DIR]

Starts, on 127.0.0.1:
  the demo backends  hello (19001) and echo (19002): examples/backends/DemoBackend.java
  the operator       --manifests MANIFESTS_DIR (default examples/quickstart), snapshot
                     stream on 127.0.0.1:18000 (plaintext h2c, local mode only)
  one dataplane      HTTP on 8080, admin (/ready /healthz /metrics) on 9901
then waits until /ready answers 200 and prints a curl for every route it serves.
Editing a file in MANIFESTS_DIR changes routing within about a second, without a
restart; a mistake in one is printed with its file and line.

When a manifest names the Secret secure-localhost-tls (the quick start's 40-secure.yaml does),
a throwaway self-signed certificate for secure.localhost is generated (openssl, else keytool)
into MANIFESTS_DIR/generated/: secure-localhost-tls.yaml (the Secret the operator reads; it
holds the private key, keep it out of git) and secure-localhost.crt (for curl --cacert). It is
reused across runs while it stays valid for another day.

options (environment variable in brackets):
  --http-port N          dataplane HTTP port (8080)            [PORTCULLIS_LOCAL_HTTP_PORT]
  --https-port N         dataplane HTTPS port (8443)           [PORTCULLIS_LOCAL_HTTPS_PORT]
  --admin-port N         dataplane admin port (9901)           [PORTCULLIS_LOCAL_ADMIN_PORT]
  --snapshot-port N      operator snapshot stream port (18000) [PORTCULLIS_LOCAL_SNAPSHOT_PORT]
  --metrics-port N       operator metrics port (9090)          [PORTCULLIS_LOCAL_METRICS_PORT]
  --hello-port N         demo backend "hello" (19001)          [PORTCULLIS_LOCAL_HELLO_PORT]
  --echo-port N          demo backend "echo" (19002)           [PORTCULLIS_LOCAL_ECHO_PORT]
                         (the quick-start EndpointSlices point at 19001 and 19002:
                         change them too if you move the backends)
  --no-backends          do not start the demo backends
  --no-build             never run Maven; fail if a jar is missing
  --ready-timeout S      seconds to wait for /ready (90)       [PORTCULLIS_LOCAL_READY_TIMEOUT]
  --log-dir DIR          where the logs go (.portcullis/logs)  [PORTCULLIS_LOCAL_LOG_DIR]
  -h, --help             this text
The operator and the dataplane run with the JVM flags of their images (Dockerfile.operator,
Dockerfile.dataplane), the heap sized as under the chart's default memory limits (operator
512 MiB, dataplane 1 GiB); JAVA_OPTS, when set, replaces both lists.
EOF
}

die() { echo "$PROG: $*" >&2; exit 1; }
say() { echo "$PROG: $*" >&2; }

HTTP_PORT=${PORTCULLIS_LOCAL_HTTP_PORT:-8080}
HTTPS_PORT=${PORTCULLIS_LOCAL_HTTPS_PORT:-8443}
ADMIN_PORT=${PORTCULLIS_LOCAL_ADMIN_PORT:-9901}
SNAPSHOT_PORT=${PORTCULLIS_LOCAL_SNAPSHOT_PORT:-18000}
METRICS_PORT=${PORTCULLIS_LOCAL_METRICS_PORT:-9090}
HELLO_PORT=${PORTCULLIS_LOCAL_HELLO_PORT:-19001}
ECHO_PORT=${PORTCULLIS_LOCAL_ECHO_PORT:-19002}
READY_TIMEOUT=${PORTCULLIS_LOCAL_READY_TIMEOUT:-90}
LOG_DIR=${PORTCULLIS_LOCAL_LOG_DIR:-$ROOT/.portcullis/logs}
BUILD=1
BACKENDS=1
MANIFESTS=""

need_value() { (($# >= 2)) || die "$1 needs a value (see --help)"; }
while (($#)); do
    case $1 in
        --http-port)     need_value "$@"; HTTP_PORT=$2; shift 2 ;;
        --https-port)    need_value "$@"; HTTPS_PORT=$2; shift 2 ;;
        --admin-port)    need_value "$@"; ADMIN_PORT=$2; shift 2 ;;
        --snapshot-port) need_value "$@"; SNAPSHOT_PORT=$2; shift 2 ;;
        --metrics-port)  need_value "$@"; METRICS_PORT=$2; shift 2 ;;
        --hello-port)    need_value "$@"; HELLO_PORT=$2; shift 2 ;;
        --echo-port)     need_value "$@"; ECHO_PORT=$2; shift 2 ;;
        --ready-timeout) need_value "$@"; READY_TIMEOUT=$2; shift 2 ;;
        --log-dir)       need_value "$@"; LOG_DIR=$2; shift 2 ;;
        --no-build)      BUILD=0; shift ;;
        --no-backends)   BACKENDS=0; shift ;;
        -h|--help)       usage; exit 0 ;;
        -*)              die "unknown option $1 (see --help)" ;;
        *)               [[ -z $MANIFESTS ]] || die "only one MANIFESTS_DIR, got '$MANIFESTS' and '$1'"
                         MANIFESTS=$1; shift ;;
    esac
done
MANIFESTS=${MANIFESTS:-$ROOT/examples/quickstart}

for v in HTTP_PORT HTTPS_PORT ADMIN_PORT SNAPSHOT_PORT METRICS_PORT HELLO_PORT ECHO_PORT; do
    if ! [[ ${!v} =~ ^[1-9][0-9]{0,4}$ ]] || ((${!v} > 65535)); then
        die "${v,,} must be a port number from 1 to 65535 (got '${!v}')"
    fi
done
[[ $READY_TIMEOUT =~ ^[1-9][0-9]*$ ]] \
    || die "--ready-timeout must be a positive number of seconds (got '$READY_TIMEOUT')"
[[ -d $MANIFESTS ]] || die "manifests directory '$MANIFESTS' does not exist"
MANIFESTS=$(cd "$MANIFESTS" && pwd)
command -v java >/dev/null || die "java not found: install a JDK 17 or newer"

OPERATOR_JAR=$ROOT/operator/target/portcullis-operator.jar
DATAPLANE_JAR=$ROOT/dataplane/target/portcullis-dataplane.jar
BACKEND_SRC=$ROOT/examples/backends/DemoBackend.java

# ------------------------------------------------------------------ build
# A jar is stale when any source or pom of its module or of the modules it depends on is newer.
stale() {
    local jar=$1; shift
    [[ -f $jar ]] || return 0
    [[ -n $(find "$ROOT/pom.xml" "$@" -newer "$jar" -type f -print -quit 2>/dev/null) ]]
}
needs_build() {
    stale "$OPERATOR_JAR" "$ROOT/cli/src/main" "$ROOT/cli/pom.xml" \
        "$ROOT/snapshot/src/main" "$ROOT/snapshot/pom.xml" \
        "$ROOT/transport/src/main" "$ROOT/transport/pom.xml" \
        "$ROOT/operator/src/main" "$ROOT/operator/pom.xml" ||
    stale "$DATAPLANE_JAR" "$ROOT/cli/src/main" "$ROOT/cli/pom.xml" \
        "$ROOT/snapshot/src/main" "$ROOT/snapshot/pom.xml" \
        "$ROOT/transport/src/main" "$ROOT/transport/pom.xml" \
        "$ROOT/dataplane/src/main" "$ROOT/dataplane/pom.xml"
}
if needs_build; then
    if ((BUILD)); then
        command -v mvn >/dev/null || die "the jars need building but mvn is not installed (install Maven 3.8+)"
        say "building the jars (mvn -B -q package -DskipTests; a first build downloads dependencies) ..."
        # Maven 3.8 writes colour codes even in batch mode with -Dstyle.color=never: keep them
        # for a terminal, strip them from a pipe or a file.
        if [[ -t 2 ]]; then
            (cd "$ROOT" && mvn -B -q package -DskipTests) >&2 || die "the build failed (see above)"
        else
            (cd "$ROOT" && mvn -B -q -Dstyle.color=never package -DskipTests 2>&1 | sed $'s/\e\\[[0-9;]*m//g' >&2) \
                || die "the build failed (see above)"
        fi
    else
        for jar in "$OPERATOR_JAR" "$DATAPLANE_JAR"; do
            [[ -f $jar ]] || die "--no-build given but $jar is missing (run: mvn -B package -DskipTests)"
        done
        say "--no-build: using the existing jars even though some sources are newer"
    fi
fi

# ------------------------------------------------------------------ certificate
TLS_SECRET=secure-localhost-tls
TLS_HOST=secure.localhost
TLS_DIR=$MANIFESTS/generated
TLS_CERT=$TLS_DIR/secure-localhost.crt
TLS_SECRET_FILE=$TLS_DIR/$TLS_SECRET.yaml
TLS_DAYS=30

wants_certificate() {
    grep -rqs --include='*.yaml' --include='*.yml' -E "secretName:[[:space:]]*\"?$TLS_SECRET\"?[[:space:]]*$" "$MANIFESTS"
}
# Valid for at least another day. Without openssl, judged by the file's age (it was made for
# TLS_DAYS days).
certificate_fresh() {
    [[ -s $TLS_CERT && -s $TLS_SECRET_FILE ]] || return 1
    if command -v openssl >/dev/null; then
        openssl x509 -noout -checkend 86400 -in "$TLS_CERT" >/dev/null 2>&1
    else
        [[ -n $(find "$TLS_CERT" -mtime -$((TLS_DAYS - 1)) -print 2>/dev/null) ]]
    fi
}
# Writes cert.pem and key.pem (PKCS#8) for TLS_HOST into the directory $1.
generate_with_openssl() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -days "$TLS_DAYS" -subj "/CN=$TLS_HOST" -addext "subjectAltName=DNS:$TLS_HOST" \
        -keyout "$1/key.pem" -out "$1/cert.pem" >/dev/null 2>&1
}
generate_with_keytool() {
    local store=$1/store.p12 pass=throwaway
    keytool -genkeypair -alias tls -keyalg EC -groupname secp256r1 -validity "$TLS_DAYS" \
        -dname "CN=$TLS_HOST" -ext "san=dns:$TLS_HOST" -storetype PKCS12 \
        -keystore "$store" -storepass "$pass" >/dev/null 2>&1 || return 1
    keytool -exportcert -rfc -alias tls -keystore "$store" -storepass "$pass" \
        -file "$1/cert.pem" >/dev/null 2>&1 || return 1
    # keytool cannot export a private key; the JDK can, in a few lines.
    cat >"$1/ExportKey.java" <<'JAVA'
import java.io.FileInputStream;
import java.security.KeyStore;
import java.util.Base64;
public class ExportKey {
  public static void main(String[] a) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(a[0])) { ks.load(in, a[1].toCharArray()); }
    byte[] pkcs8 = ks.getKey("tls", a[1].toCharArray()).getEncoded();
    System.out.print("-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8)
        + "\n-----END PRIVATE KEY-----\n");
  }
}
JAVA
    java "$1/ExportKey.java" "$store" "$pass" >"$1/key.pem"
}
indent() { sed 's/^/    /' "$1"; }
ensure_certificate() {
    if certificate_fresh; then
        say "reusing the certificate for $TLS_HOST in $TLS_DIR"
        return
    fi
    local work
    work=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-cert.XXXXXX")
    chmod 700 "$work"
    if command -v openssl >/dev/null; then
        generate_with_openssl "$work" || { rm -rf "$work"; die "openssl could not generate a certificate"; }
    elif command -v keytool >/dev/null; then
        generate_with_keytool "$work" || { rm -rf "$work"; die "keytool could not generate a certificate"; }
    else
        rm -rf "$work"; die "a manifest names Secret $TLS_SECRET but neither openssl nor keytool is installed"
    fi
    mkdir -p "$TLS_DIR"
    # Written under a temporary name and renamed, so the operator never reads half a Secret.
    # The name starts with a dot: the operator skips dot-named files until the rename.
    local tmp=$TLS_DIR/.$TLS_SECRET.yaml.tmp
    (
        umask 077
        {
            echo "# Generated by run-local.sh: a throwaway self-signed certificate for $TLS_HOST."
            echo "# Holds a private key: keep it out of git (the quick start's generated/ is in .gitignore)."
            echo "apiVersion: v1"
            echo "kind: Secret"
            echo "metadata:"
            echo "  name: $TLS_SECRET"
            echo "  namespace: default"
            echo "type: kubernetes.io/tls"
            echo "stringData:"
            echo "  tls.crt: |"
            indent "$work/cert.pem"
            echo "  tls.key: |"
            indent "$work/key.pem"
        } >"$tmp"
    )
    cp "$work/cert.pem" "$TLS_CERT"
    mv -f "$tmp" "$TLS_SECRET_FILE"
    rm -rf "$work"
    say "generated a self-signed certificate for $TLS_HOST (valid $TLS_DAYS days) in $TLS_DIR"
}
TLS=0
if wants_certificate; then
    TLS=1
    ensure_certificate
fi

# ------------------------------------------------------------------ helpers
# HTTP status of a GET on 127.0.0.1 (000 when nothing answers). curl when present, else bash's
# /dev/tcp, so the launcher needs nothing beyond bash and a JDK.
http_status() {
    local port=$1 path=$2
    if command -v curl >/dev/null; then
        curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$port$path" 2>/dev/null || true
        return
    fi
    local line=""
    if exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
        printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
        IFS= read -r -t 2 line <&3 || true
        exec 3<&- 3>&-
    fi
    [[ $line =~ ^HTTP/1\.[01]\ ([0-9]{3}) ]] && echo "${BASH_REMATCH[1]}" || echo 000
}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# The body of a GET on 127.0.0.1 (empty when nothing answers), curl or /dev/tcp as above.
http_get() {
    local port=$1 path=$2
    if command -v curl >/dev/null; then
        curl -s -m 2 "http://127.0.0.1:$port$path" 2>/dev/null || true
        return
    fi
    if exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
        printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3
        sed '1,/^\r\{0,1\}$/d' <&3 || true
        exec 3<&- 3>&-
    fi
}

declare -a PIDS=() NAMES=()
STOPPING=0
stop_all() {
    ((STOPPING)) && return
    STOPPING=1
    ((${#PIDS[@]})) || return 0
    say "stopping ..."
    local i pid deadline
    # Dataplane first, backends last: the reverse of the start order.
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        kill -TERM "${PIDS[i]}" 2>/dev/null || true
    done
    deadline=$((SECONDS + 15))
    for pid in "${PIDS[@]}"; do
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            say "pid $pid did not stop within 15 s: killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

start() {
    local name=$1; shift
    "$@" </dev/null >"$LOG_DIR/$name.log" 2>&1 &
    PIDS+=("$!")
    NAMES+=("$name")
}
# The operator's stdout stays on the terminal: in local mode it prints there, one line each, what
# the user must fix in the manifests (file:line: object: field: reason). Its log goes to the file.
start_with_stdout() {
    local name=$1; shift
    "$@" </dev/null 2>"$LOG_DIR/$name.log" &
    PIDS+=("$!")
    NAMES+=("$name")
}
# Fails with the tail of a child's log when it exited.
check_alive() {
    local i
    for i in "${!PIDS[@]}"; do
        if ! kill -0 "${PIDS[i]}" 2>/dev/null; then
            local rc=0 status=""
            wait "${PIDS[i]}" 2>/dev/null || rc=$?
            ((rc == 127)) || status=" (status $rc)"   # 127: already reaped by `wait -n`
            say "${NAMES[i]} exited$status; last lines of $LOG_DIR/${NAMES[i]}.log:"
            tail -n 20 "$LOG_DIR/${NAMES[i]}.log" >&2 || true
            exit 1
        fi
    done
}

# ------------------------------------------------------------------ start
PORTS=("$HTTP_PORT" "$HTTPS_PORT" "$ADMIN_PORT" "$SNAPSHOT_PORT" "$METRICS_PORT")
((BACKENDS)) && PORTS+=("$HELLO_PORT" "$ECHO_PORT")
[[ $(printf '%s\n' "${PORTS[@]}" | sort | uniq -d) == "" ]] || die "two services on one port: ${PORTS[*]}"
for port in "${PORTS[@]}"; do
    ! port_in_use "$port" || die "port $port on 127.0.0.1 is already in use (see --help to pick others)"
done

mkdir -p "$LOG_DIR"
# The images' JVM flags (JDK_JAVA_OPTIONS in Dockerfile.operator / Dockerfile.dataplane; a test
# keeps these copies equal), with -XX:MaxRAM standing in for the chart's memory limits: outside
# a container the heap percentages would otherwise be of the whole machine.
OPERATOR_JVM_OPTIONS="-XX:MaxRAM=512m -XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=5.0 -XX:+UseSerialGC -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError -XX:+PerfDisableSharedMem -Djava.io.tmpdir=/tmp"
DATAPLANE_JVM_OPTIONS="-XX:MaxRAM=1g -XX:MaxRAMPercentage=40.0 -XX:InitialRAMPercentage=8.0 -XX:NewRatio=1 -XX:+UseSerialGC -XX:TrimNativeHeapInterval=5000 -Dio.netty.allocator.maxOrder=7 -Dio.netty.allocator.maxCachedBufferCapacity=65536 -XX:+ExitOnOutOfMemoryError -XX:+PerfDisableSharedMem -Djava.io.tmpdir=/tmp"
if [[ -n ${JAVA_OPTS:-} ]]; then
    OPERATOR_JVM_OPTIONS=$JAVA_OPTS DATAPLANE_JVM_OPTIONS=$JAVA_OPTS
elif ! java -XX:TrimNativeHeapInterval=5000 -version >/dev/null 2>&1; then
    # Older JDK 17 and 21 updates lack the native heap trimmer (or keep it experimental); it only
    # returns memory, so such a JDK runs without it rather than refusing to start.
    OPERATOR_JVM_OPTIONS=${OPERATOR_JVM_OPTIONS/ -XX:TrimNativeHeapInterval=5000/}
    DATAPLANE_JVM_OPTIONS=${DATAPLANE_JVM_OPTIONS/ -XX:TrimNativeHeapInterval=5000/}
fi
read -r -a OPERATOR_JVM <<<"$OPERATOR_JVM_OPTIONS"
read -r -a DATAPLANE_JVM <<<"$DATAPLANE_JVM_OPTIONS"

if ((BACKENDS)); then
    start hello java "$BACKEND_SRC" --port "$HELLO_PORT" --name hello
    start echo java "$BACKEND_SRC" --port "$ECHO_PORT" --name echo
fi
start_with_stdout operator java "${OPERATOR_JVM[@]}" -jar "$OPERATOR_JAR" --manifests "$MANIFESTS" \
    --snapshot-port "$SNAPSHOT_PORT" --metrics-port "$METRICS_PORT"
# Start the dataplane once the operator listens: it would connect anyway (it retries with
# back-off), but not having to back off makes the first snapshot arrive sooner.
deadline=$((SECONDS + READY_TIMEOUT))
until port_in_use "$SNAPSHOT_PORT"; do
    check_alive
    ((SECONDS < deadline)) || die "the operator did not open port $SNAPSHOT_PORT within ${READY_TIMEOUT} s (see $LOG_DIR/operator.log)"
    sleep 0.2
done
start dataplane java "${DATAPLANE_JVM[@]}" -jar "$DATAPLANE_JAR" \
    --control-plane "http://127.0.0.1:$SNAPSHOT_PORT" --node-id local \
    --http-port "$HTTP_PORT" --https-port "$HTTPS_PORT" --admin-port "$ADMIN_PORT" --bind-address 127.0.0.1
say "started ${NAMES[*]}; logs in $LOG_DIR"

until [[ $(http_status "$ADMIN_PORT" /ready) == 200 ]]; do
    check_alive
    if ((SECONDS >= deadline)); then
        say "the dataplane was not ready after ${READY_TIMEOUT} s (it has no snapshot from the operator)."
        for name in operator dataplane; do
            say "last lines of $LOG_DIR/$name.log:"
            tail -n 15 "$LOG_DIR/$name.log" >&2 || true
        done
        exit 1
    fi
    sleep 0.2
done
if ((BACKENDS)); then
    until [[ $(http_status "$HELLO_PORT" /) == 200 && $(http_status "$ECHO_PORT" /) == 200 ]]; do
        check_alive
        ((SECONDS < deadline)) || die "the demo backends did not answer within ${READY_TIMEOUT} s"
        sleep 0.2
    done
fi

# What the manifests route, one curl each, from the operator's /routes (see RouteListing):
# fields host, scheme, match, path, headers, action, route name, tab-separated.
print_routes() {
    local routes host scheme kind path headers action name target command h
    routes=$(http_get "$METRICS_PORT" /routes)
    if [[ -z $routes ]]; then
        echo "  (no routes yet: add an Ingress or a ProxyRoute to $MANIFESTS)"
        return
    fi
    while IFS=$'\t' read -r host scheme kind path headers action name; do
        [[ -n $host ]] || continue
        if [[ $kind == regex ]]; then
            printf '  %-74s # %s\n' "# $host, path matching $path" "$action"
            continue
        fi
        target=$host
        [[ $target == '*.'* ]] && target=any${target#\*}
        command="curl"
        [[ $action == forward* ]] || command+=" -i"
        if [[ $scheme == https && $host != '*' ]]; then
            command+=" -k --resolve $target:$HTTPS_PORT:127.0.0.1"
        elif [[ $host != '*' ]]; then
            command+=" -H 'Host: $target'"
        fi
        if [[ $headers != - ]]; then
            local -a pairs=()
            IFS=';' read -r -a pairs <<<"$headers"
            for h in "${pairs[@]}"; do command+=" -H '$h'"; done
        fi
        if [[ $scheme == https && $host != '*' ]]; then
            command+=" https://$target:$HTTPS_PORT$path"
        else
            command+=" http://localhost:$HTTP_PORT$path"
        fi
        printf '  %-74s # %s\n' "$command" "$action"
    done <<<"$routes"
}

echo
echo "Portcullis is ready (manifests: $MANIFESTS). What it routes:"
echo
print_routes
printf '  %-74s # %s\n' "curl http://localhost:$ADMIN_PORT/metrics" "the dataplane's Prometheus metrics" \
    "curl http://localhost:$METRICS_PORT/routes" "this list, from the operator"
if ((TLS)); then
    cat <<EOF
  (for $TLS_HOST, --cacert $TLS_CERT instead of -k verifies the certificate)
EOF
fi
cat <<EOF

Edit a file in $MANIFESTS and routing changes within about a second, no restart;
a mistake is printed here with its file and line ("manifests: FILE:LINE: ...").
Logs: $LOG_DIR/{operator,dataplane,hello,echo}.log. Ctrl-C stops everything.
EOF

# Run until Ctrl-C / SIGTERM, or until one of the programs dies.
while true; do
    wait -n 2>/dev/null || true
    ((STOPPING)) && break
    check_alive
done
