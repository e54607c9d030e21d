//go:build tools

// The Pulumi CLI e2e/build.sh builds from this module. pkg/v3's own go.mod points sdk/v3 at ../sdk and
// swaps github.com/atotto/clipboard for a fork; go install ignores a dependency's replace directives, so
// this module requires the released sdk/v3 of the same version and repeats the clipboard replace.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
