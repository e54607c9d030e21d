//go:build tools

// pulumi-resource-kubernetes: e2e/build.sh copies its main package out of the module (it embeds a
// schema file that upstream generates at build time) and builds it inside this module.
package tools

import _ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
