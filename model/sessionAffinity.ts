// Cookie affinity between colours (Gateway API session persistence, GEP-1619), per Gateway
// implementation the stacks run. Pure (no Pulumi import). Every stack refuses `cookie` today; each
// reason below is what was found, with its source, and docs/releasing.md ("Sessions across colours")
// says the app must be stateless across colours.
import type { Cloud } from "./stackConfig";

// A pin that outlives a rollback keeps users on the colour the rollback leaves: an implementation is
// only acceptable if a rollback (weight 0) moves pinned clients, and if what we declare can be checked
// against the CRDs in crds/ and proven by the traffic suite.
const WHY: Record<Cloud, string> = {
    // HTTPRoute rules[].sessionPersistence exists only in Gateway API's experimental channel: the
    // standard v1.6.0 CRDs in crds/ (which the e2e cluster and Traefik v3.6 run) have no such field.
    // Envoy Gateway's chart installs the experimental channel and implements it
    // (gateway.envoyproxy.io/docs/tasks/traffic/session-persistence), but the traffic suite cannot prove it.
    local: "the HTTPRoute field sessionPersistence is in Gateway API's experimental channel only, not in the standard v1.6.0 CRDs this project validates against and the traffic suite runs",
    // ALB target-group stickiness (gateway.k8s.aws ListenerRuleConfiguration forwardConfig.targetGroupStickinessConfig)
    // pins a client to a colour, but "stickiness takes precedence over adjusting Weight" until the
    // cookie expires, even with no healthy target (repost.aws/questions/QUugYm4uzWSI2af5mnmMjlZQ).
    aws: "ALB target-group stickiness (ListenerRuleConfiguration) outranks the route's weights until the cookie expires, so a rollback would leave pinned users on the colour it leaves",
    // Application Gateway for Containers pins to a pod with a RoutePolicy sessionAffinity
    // (learn.microsoft.com/azure/application-gateway/for-containers/session-affinity); what it does when
    // a colour's weight drops to 0 is not documented, and its CRDs are not public (crds/README.md).
    azure: "Application Gateway for Containers' RoutePolicy sessionAffinity is not documented for weighted colours at weight 0, and its CRDs cannot be validated here (crds/README.md)",
    // GCPBackendPolicy sessionAffinity (crds/gke-gateway-api) is a backend service setting: it picks
    // a pod inside one colour's Service, while the URL map's weights pick the colour per request.
    gcp: "GKE's GCPBackendPolicy sessionAffinity pins a client to a pod inside one colour's backend service; the URL map still picks the colour by weight on every request",
};

/** Why `sessionAffinity` is refused on `cloud`, or undefined when it is allowed. */
export function sessionAffinityProblem(value: string, cloud: Cloud): string | undefined {
    if (value !== "cookie") return undefined;
    return `is not available on cloud ${cloud}: ${WHY[cloud]}. Set sessionAffinity none and keep sessions out of the pods (PostgreSQL or Redis), so that any colour can serve any request (docs/releasing.md, "Sessions across colours")`;
}
