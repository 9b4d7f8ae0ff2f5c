#!/usr/bin/env bash
# Installs what the tests need, when missing: redis-server and rsyslog (Debian's apt), the
# Apache Kafka broker jars (Maven Central, into .cache/kafka*/libs), the Kubernetes control plane
# (scripts/install-k8s.sh) and helm (scripts/install-helm.sh), both built from the Go module proxy
# into .cache. Idempotent; fast when done.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

fail() {
  echo "install-servers: $*" >&2
  exit 1
}

ensure_redis() {
  if [ -n "${REDIS_URL:-}" ] || command -v redis-server >/dev/null; then return; fi
  command -v apt-get >/dev/null || fail "redis-server is missing and there is no apt-get to install it (or set REDIS_URL)"
  local sudo=""
  if [ "$(id -u)" != "0" ]; then
    # -n: never prompt, CI has no stdin.
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo="sudo"
    else
      fail "redis-server is missing; installing it needs root or password-less sudo: apt-get install redis-server"
    fi
  fi
  echo "install-servers: installing redis-server with apt-get" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  command -v redis-server >/dev/null || fail "apt-get finished but redis-server is not on PATH"
}

# The syslog sink's tests run a real rsyslogd with a TLS listener (gtls driver, rsyslog-gnutls)
# and make throwaway certificates with openssl. Without them those tests skip, so this only warns.
ensure_rsyslog() {
  if [ -x /usr/sbin/rsyslogd ] && ls /usr/lib/*/rsyslog/lmnsd_gtls.so >/dev/null 2>&1 && command -v openssl >/dev/null; then return; fi
  local sudo=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; else sudo="none"; fi
  fi
  if ! command -v apt-get >/dev/null || [ "$sudo" = "none" ]; then
    echo "install-servers: rsyslog, rsyslog-gnutls or openssl missing and cannot apt-get them; the syslog sink tests will skip" >&2
    return
  fi
  echo "install-servers: installing rsyslog rsyslog-gnutls openssl with apt-get" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rsyslog rsyslog-gnutls openssl >/dev/null
}

# $1: the pom naming the broker, $2: the folder that receives every runtime jar.
ensure_kafka_jars() {
  local pom="$1" libs="$2"
  # The marker is written last, so an interrupted download is fetched again.
  if [ -f "$libs/.complete" ]; then return; fi
  command -v java >/dev/null || fail "Kafka jars are missing in $libs and java is not installed (Java 17+)"
  command -v mvn >/dev/null || fail "Kafka jars are missing in $libs and mvn (Maven) is not installed to fetch them"
  echo "install-servers: fetching Kafka jars for $(basename "$pom") into ${libs#"$root"/}" >&2
  # An absolute outputDirectory: a relative one resolves against the pom's folder, not the cwd.
  # Maven's output is only shown when it fails (even -q prints colour codes).
  local output
  if ! output="$(mvn -B -q -f "$pom" org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs" 2>&1)"; then
    echo "$output" >&2
    fail "mvn could not fetch the Kafka jars (Maven Central reachable? see above)"
  fi
  touch "$libs/.complete"
}

ensure_redis
ensure_rsyslog
ensure_kafka_jars "$root/test/harness/kafka-pom.xml" "$root/.cache/kafka/libs"
ensure_kafka_jars "$root/test/harness/kafka4-pom.xml" "$root/.cache/kafka4/libs"
# etcd, kube-apiserver, kube-controller-manager and kubectl for the `kubernetes` test project
# (skipped when KUBECONFIG names a cluster to test against). Cold: 10-20 min, once per machine.
if [ -z "${KUBECONFIG:-}" ]; then bash "$root/scripts/install-k8s.sh"; fi
# helm for the chart tests (unit and kubernetes projects); the chart tests skip without it.
"$root/scripts/install-helm.sh"
