#!/usr/bin/env bash
# Builds the Kubernetes control plane the `kubernetes` test project starts: etcd, kube-apiserver,
# kube-controller-manager and kubectl, from the Go module proxy, into .cache/k8s/bin (git-ignored).
# Builds only what is missing; the build's output goes to .cache/k8s/build.log.
# A plain `go install pkg@version` is refused for both etcd and Kubernetes (their go.mod files carry
# replace directives), so each is built from a small wrapper module that requires the real one.
# Cold on 2 cores: 10-20 min idle, much longer on a busy machine (run it under `nice -n 19` there);
# Go's module and build caches (~/go, ~/.cache/go-build) then make a rebuild quick.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ETCD_VERSION=v3.6.17
K8S_VERSION=v1.37.2
K8S_CMDS=(kube-apiserver kube-controller-manager kubectl)
cache="$root/.cache/k8s"
bin="$cache/bin"
log="$cache/build.log"
export PATH="$PATH:/usr/local/go/bin"
export CGO_ENABLED=0

fail() {
  echo "install-k8s: $*" >&2
  exit 1
}

# The version file is written last: a binary from an interrupted build or an older pin is rebuilt.
have() {
  [ -x "$bin/$1" ] && [ "$(cat "$bin/$1.version" 2>/dev/null)" = "$2" ]
}

build_etcd() {
  have etcd "$ETCD_VERSION" && return
  local dir="$cache/gobuild/etcd"
  mkdir -p "$dir"
  printf 'module local/etcdbuild\n\ngo 1.26.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >"$dir/tools.go"
  local s=$SECONDS
  (cd "$dir" && go mod tidy && go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3)
  echo "$ETCD_VERSION" >"$bin/etcd.version"
  echo "install-k8s: etcd $ETCD_VERSION built in $((SECONDS - s))s"
}

# Kubernetes' go.mod replaces its staging modules (k8s.io/api, client-go, ...) by ./staging folders;
# the wrapper replaces each by its published tag, v0.X.Y for v1.X.Y.
k8s_wrapper() {
  local dir="$1" staging="v0.${K8S_VERSION#v1.}" modfile
  mkdir -p "$dir"
  printf 'module local/k8sbuild\n\ngo 1.26.0\n\ngodebug default=go1.26\n\nrequire k8s.io/kubernetes %s\n' "$K8S_VERSION" >"$dir/go.mod"
  (cd "$dir" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" >/dev/null)
  modfile="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$K8S_VERSION.mod"
  {
    echo
    echo "replace ("
    sed -n '/^replace (/,/^)/p' "$modfile" | awk -v v="$staging" '/=> \.\/staging/ { print "\t" $1 " => " $1 " " v }'
    echo ")"
  } >>"$dir/go.mod"
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for c in "${K8S_CMDS[@]}"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$c"; done
    printf ')\n'
  } >"$dir/tools.go"
  (cd "$dir" && go mod tidy)
}

build_k8s() {
  local missing=() c
  for c in "${K8S_CMDS[@]}"; do have "$c" "$K8S_VERSION" || missing+=("$c"); done
  [ ${#missing[@]} -eq 0 ] && return
  local dir="$cache/gobuild/k8s" minor ldflags="-s -w" p
  k8s_wrapper "$dir"
  minor="$(echo "$K8S_VERSION" | cut -d. -f2)"
  # Without these the binaries report v0.0.0 and kubectl warns about version skew.
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  for c in "${missing[@]}"; do
    local s=$SECONDS
    (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$bin/$c" "k8s.io/kubernetes/cmd/$c")
    echo "$K8S_VERSION" >"$bin/$c.version"
    echo "install-k8s: $c $K8S_VERSION built in $((SECONDS - s))s"
  done
}

all_present() {
  have etcd "$ETCD_VERSION" || return 1
  local c
  for c in "${K8S_CMDS[@]}"; do have "$c" "$K8S_VERSION" || return 1; done
}

all_present && exit 0
command -v go >/dev/null || fail "Go is not installed; it is needed to build etcd and Kubernetes from the Go module proxy"
mkdir -p "$bin"
echo "install-k8s: building etcd $ETCD_VERSION and Kubernetes $K8S_VERSION into ${bin#"$root"/} (log: ${log#"$root"/}; 10-20 min cold)" >&2
if ! { build_etcd && build_k8s; } >>"$log" 2>&1; then
  tail -n 30 "$log" >&2
  fail "the build failed; see ${log#"$root"/}"
fi
grep '^install-k8s: ' "$log" | tail -n 4 >&2
