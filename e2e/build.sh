#!/usr/bin/env bash
# Builds the real systems the e2e suite runs (Pulumi CLI, the Kubernetes resource provider,
# kube-apiserver, kubelet and friends, etcd, kwok, Traefik) and the images of the real nodes (the app and
# the pod sandbox) from their own Go modules, pinned by e2e/tools/*/go.mod and e2e/images/go.mod.
# Binaries go to $ZDP_E2E_CACHE/bin (default ~/.cache/zdp-e2e) and are rebuilt only when a module's
# go.mod/go.sum, packages or link flags change. Nothing here is committed as a binary.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${ZDP_E2E_CACHE:-$HOME/.cache/zdp-e2e}"
bin="$cache/bin"
mkdir -p "$bin" "$cache/stamps"
command -v go >/dev/null || { echo "e2e/build.sh: Go is needed (go1.26+) to build the real Pulumi CLI and Kubernetes; install it and re-run" >&2; exit 1; }

# build DIR "PKG..." [LDFLAGS] [ENV...] — the main packages of module DIR (relative to e2e/) in one
# `go build`, each binary named after its package's last element (NAME=PKG names it), skipped when its
# stamp is current. One invocation for several commands of a module compiles and links them in parallel.
build() {
  local dir="$1" pkgs="$2" ldflags="${3:-}"
  shift 3 || shift $#
  local sum=""; [[ -f "$here/$dir/go.sum" ]] && sum="$(cat "$here/$dir/go.sum")"
  local stamp; stamp="$( (cat "$here/$dir/go.mod"; echo "$sum"; echo "$pkgs $ldflags $*"; [[ "$dir" != images ]] || cat "$here"/images/*/*.go) | sha256sum | cut -c1-16)"
  local names=() paths=() p
  for p in $pkgs; do
    if [[ "$p" == *=* ]]; then names+=("${p%%=*}"); paths+=("${p#*=}"); else names+=("$(basename "$p")"); paths+=("$p"); fi
  done
  local missing=0 name
  for name in "${names[@]}"; do
    [[ -x "$bin/$name" && "$(cat "$cache/stamps/$name" 2>/dev/null)" == "$stamp" ]] || missing=1
  done
  [[ $missing == 1 ]] || return 0
  echo "e2e/build.sh: building ${names[*]}" >&2
  local t0=$SECONDS out="$bin/"
  [[ ${#paths[@]} == 1 ]] && out="$bin/${names[0]}"
  (cd "$here/$dir" && env GOFLAGS=-mod=mod "$@" go build -trimpath -ldflags "-s -w $ldflags" -o "$out" "${paths[@]}")
  for name in "${names[@]}"; do echo "$stamp" >"$cache/stamps/$name"; done
  echo "e2e/build.sh: built ${names[*]} in $((SECONDS - t0)) s" >&2
}

# On a new machine much of the time is module downloads: fetch every module's in the background while
# the first commands compile (the module cache locks what two downloads share). Nothing when warm.
for d in "$here"/tools/* "$here/images"; do (cd "$d" && GOFLAGS=-mod=mod go mod download >/dev/null 2>&1 || true) & done

build tools/pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.274.1"
build tools/etcd etcd=go.etcd.io/etcd/server/v3
build tools/kwok sigs.k8s.io/kwok/cmd/kwok
# Stamp the release version into the binaries as Kubernetes' own build does (hack/lib/version.sh);
# clients such as pulumi-kubernetes read it from /version.
k8s_ver="$(cd "$here/tools/kubernetes" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"
k8s_minor="$(echo "$k8s_ver" | cut -d. -f2)"
k8s_ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$k8s_ver -X $pkg.gitMajor=1 -X $pkg.gitMinor=$k8s_minor -X $pkg.gitTreeState=clean"
done
k8s_cmds=""
for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet; do k8s_cmds+=" k8s.io/kubernetes/cmd/$cmd"; done
build tools/kubernetes "$k8s_cmds" "$k8s_ldflags"
# The traffic suite's Gateway API data plane.
build tools/traefik github.com/traefik/traefik/v3/cmd/traefik
# The real nodes' images: static binaries (no libc in an image of one file).
build images "./app ./pause" "" CGO_ENABLED=0

# The provider's main package embeds schema files its Makefile generates; the module ships their
# sources (schema.json, terraform-mapping.json), so copy the package out and build it here.
# `go list -m` names the module's directory only once it is in the module cache: on a new machine it is not.
(cd "$here/tools/kubernetes-provider" && go mod download github.com/pulumi/pulumi-kubernetes/provider/v4)
kp_mod="$(cd "$here/tools/kubernetes-provider" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)"
[[ -n "$kp_mod" ]] || { echo "e2e/build.sh: github.com/pulumi/pulumi-kubernetes/provider/v4 is not in the Go module cache after go mod download" >&2; exit 1; }
kp_ver="$(cd "$here/tools/kubernetes-provider" && go list -m -f '{{.Version}}' github.com/pulumi/pulumi-kubernetes/provider/v4)"
main="$here/tools/kubernetes-provider/cmd/pulumi-resource-kubernetes"
rm -rf "$main" && mkdir -p "$main"
cp "$kp_mod/cmd/pulumi-resource-kubernetes/main.go" "$main/"
cp "$kp_mod/cmd/pulumi-resource-kubernetes/schema.json" "$main/schema-embed.json"
cp "$kp_mod/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$main/terraform-mapping-embed.json"
chmod -R u+w "$main"
build tools/kubernetes-provider ./cmd/pulumi-resource-kubernetes \
  "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$kp_ver"
rm -rf "$main"
wait
echo "$bin"
