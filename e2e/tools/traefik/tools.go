//go:build tools

// Traefik is the Gateway API data plane of the traffic suite: it reads Gateways and HTTPRoutes from the
// e2e API server and proxies to the pods' EndpointSlice addresses, weights included.
package tools

import _ "github.com/traefik/traefik/v3/cmd/traefik"
