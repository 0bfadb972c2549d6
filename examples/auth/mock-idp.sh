#!/usr/bin/env bash
# Starts mock-oauth2-server, a real OpenID Connect provider meant for tests, on 127.0.0.1:8090
# (PORT=... for another port). Issuer: http://localhost:8090/default. Its login page takes any
# user name and optional JSON claims, such as {"groups": ["staff"]}. Ctrl-C stops it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
port="${PORT:-8090}"
cp_file="$here/mock-idp/target/classpath.txt"
if [[ ! -s "$cp_file" ]]; then
  mvn -q -f "$here/mock-idp/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp_file"
fi
echo "mock OpenID provider: issuer http://localhost:$port/default" >&2
exec env SERVER_PORT="$port" SERVER_HOSTNAME=127.0.0.1 \
  JSON_CONFIG='{"interactiveLogin": true}' \
  java -cp "$(cat "$cp_file")" no.nav.security.mock.oauth2.StandaloneMockOAuth2ServerKt
