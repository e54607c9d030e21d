//go:build tools

// The etcd server e2e/build.sh builds from this module (server/main.go of go.etcd.io/etcd/server/v3).
package tools

import _ "go.etcd.io/etcd/server/v3"
