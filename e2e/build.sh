#!/usr/bin/env bash
# Builds the real systems the e2e suite runs (Pulumi CLI, the Kubernetes resource provider,
# kube-apiserver and friends, etcd, kwok) from their own Go modules, pinned by e2e/tools/*/go.mod.
# Binaries go to $ZDP_E2E_CACHE/bin (default ~/.cache/zdp-e2e) and are rebuilt only when a tool's
# go.mod/go.sum, package or link flags change. Nothing here is committed as a binary.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${ZDP_E2E_CACHE:-$HOME/.cache/zdp-e2e}"
bin="$cache/bin"
mkdir -p "$bin" "$cache/stamps"
command -v go >/dev/null || { echo "e2e/build.sh: Go is needed (go1.26+) to build the real Pulumi CLI and Kubernetes; install it and re-run" >&2; exit 1; }

# build TOOL OUT PKG [LDFLAGS] — one binary from e2e/tools/TOOL, skipped when its stamp is current.
build() {
  local tool="$1" out="$2" pkg="$3" ldflags="${4:-}"
  local stamp; stamp="$( (cat "$here/tools/$tool/go.mod" "$here/tools/$tool/go.sum"; echo "$pkg $ldflags") | sha256sum | cut -c1-16)"
  if [[ -x "$bin/$out" && "$(cat "$cache/stamps/$out" 2>/dev/null)" == "$stamp" ]]; then return; fi
  echo "e2e/build.sh: building $out ($pkg)" >&2
  local t0=$SECONDS
  (cd "$here/tools/$tool" && GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w $ldflags" -o "$bin/$out" "$pkg")
  echo "$stamp" >"$cache/stamps/$out"
  echo "e2e/build.sh: $out built in $((SECONDS - t0)) s" >&2
}

build pulumi pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.274.1"
build etcd etcd go.etcd.io/etcd/server/v3
build kwok kwok sigs.k8s.io/kwok/cmd/kwok
# Stamp the release version into the binaries as Kubernetes' own build does (hack/lib/version.sh);
# clients such as pulumi-kubernetes read it from /version.
k8s_ver="$(cd "$here/tools/kubernetes" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"
k8s_minor="$(echo "$k8s_ver" | cut -d. -f2)"
k8s_ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$k8s_ver -X $pkg.gitMajor=1 -X $pkg.gitMinor=$k8s_minor -X $pkg.gitTreeState=clean"
done
for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  build kubernetes "$cmd" "k8s.io/kubernetes/cmd/$cmd" "$k8s_ldflags"
done

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
build kubernetes-provider pulumi-resource-kubernetes ./cmd/pulumi-resource-kubernetes \
  "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$kp_ver"
rm -rf "$main"
echo "$bin"
