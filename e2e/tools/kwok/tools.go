//go:build tools

// kwok simulates kubelets: nodes and pods that become Ready (or stay unready) without containers.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
