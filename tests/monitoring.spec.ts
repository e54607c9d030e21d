// Dashboards and alerts: the pure bodies, the thresholds derived from the capacity model, the config
// keys, and what the aws stack declares under mocks.
import * as assert from "assert";
import fs from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import { capacityFor, sizingFor } from "../model/capacity";
import { ConfigError, parseConfig } from "../model/config";
import {
    ALB_NS,
    CACHE_NS,
    INSIGHTS_FUNCTIONS,
    RDS_NS,
    cloudwatchAlarms,
    cloudwatchDashboard,
    cloudwatchInsightsAlarms,
    targetGroupName,
} from "../components/monitoring/cloudwatch";
import { releaseState } from "../model/releasePlan";
import { cloudMonitoringAlerts, cloudMonitoringDashboard } from "../components/monitoring/cloudMonitoring";
import {
    AGC_NS,
    AGGREGATION,
    AMR_NS,
    AZURE_NAMESPACES,
    PG_NS,
    azureAlerts,
    azurePgDefaultMaxConnections,
    azureWorkbook,
    workbookMetricId,
} from "../components/monitoring/azureMonitor";
import { rdsDefaultMaxConnections, thresholdsFor } from "../model/monitoring/thresholds";
import { buildPlan, renderPlan } from "../scripts/planReport";
import { all, find, ROOT, runStack, stackConfigMap } from "./harness";

// Metric names each namespace publishes, as listed on the providers' pages cited in cloudwatch.ts.
const DOCUMENTED: Record<string, { metrics: string[]; dimensions: string[] }> = {
    [ALB_NS]: {
        metrics: [
            "RequestCount",
            "HTTPCode_Target_5XX_Count",
            "TargetResponseTime",
            "HealthyHostCount",
            "HTTPCode_ELB_5XX_Count",
            "TargetConnectionErrorCount",
        ],
        dimensions: ["LoadBalancer", "TargetGroup"],
    },
    [RDS_NS]: { metrics: ["CPUUtilization", "DatabaseConnections", "FreeStorageSpace"], dimensions: ["DBInstanceIdentifier"] },
    [CACHE_NS]: { metrics: ["DatabaseMemoryUsagePercentage", "Evictions", "CurrConnections"], dimensions: ["CacheClusterId"] },
};

const sizing = capacityFor(10_000, "aws", "warm");
// The usage Pulumi.yaml declares (the edge alert counts its requests).
const usage = parseConfig(stackConfigMap("aws"), "aws").usage;
const input = {
    region: "eu-west-1",
    stackName: "zdp-aws",
    serviceNames: ["app-blue", "app-green"],
    colourFloors: [60, 3],
    dbInstanceIdentifier: "zdp-aws-pg",
    cacheClusterIds: ["zdp-aws-valkey-001", "zdp-aws-valkey-002"],
    thresholds: thresholdsFor(sizing, { emails: [] }, usage),
};

describe("monitoring: thresholds from the capacity model", () => {
    it("RDS max_connections follows LEAST(memory/9531392, 5000)", () => {
        assert.strictEqual(rdsDefaultMaxConnections(32), Math.floor((32 * 2 ** 30) / 9_531_392));
        assert.strictEqual(rdsDefaultMaxConnections(512), 5000);
    });
    it("defaults move with the sizing; config overrides win", () => {
        const big = thresholdsFor(capacityFor(100_000, "aws", "warm"), { emails: [] }, usage);
        assert.ok(big.readyPodFloor > input.thresholds.readyPodFloor);
        assert.ok(big.databaseConnections > input.thresholds.databaseConnections);
        assert.strictEqual(input.thresholds.readyPodFloor, sizing.app.hpaMin);
        assert.strictEqual(thresholdsFor(sizing, { emails: [], errorRatePercent: 5, p99LatencyMs: 250 }, usage).p99LatencyMs, 250);
    });
});

describe("monitoring: CloudWatch dashboard body", () => {
    const body = cloudwatchDashboard(input);
    it("has a widget per golden signal, each a documented metric in a documented namespace", () => {
        assert.ok(body.widgets.length >= 11);
        for (const w of body.widgets) {
            // The body structure: type, position and size on the 24-column grid, properties.metrics.
            assert.ok(w.x >= 0 && w.x + w.width <= 24 && w.height > 0, JSON.stringify(w));
            const metrics = w.properties.metrics as unknown[][];
            assert.ok(metrics.length > 0, `${String(w.properties.title)}: no metrics`);
            for (const m of metrics) {
                if (typeof m[0] === "object") {
                    const expr = (m[0] as { expression: string }).expression;
                    const match = /^SEARCH\('\{([^,]+),([^}]+)\} MetricName="([^"]+)" TargetGroup=([A-Za-z0-9]+)', '(\w+)', 60\)$/.exec(expr);
                    assert.ok(match, expr);
                    const [, ns, dims, metric] = match;
                    assert.ok(DOCUMENTED[ns]?.metrics.includes(metric), `${ns} ${metric}`);
                    assert.deepStrictEqual(dims.split(","), DOCUMENTED[ns].dimensions);
                } else {
                    const [ns, metric, dim] = m as string[];
                    assert.ok(DOCUMENTED[ns]?.metrics.includes(metric), `${ns} ${metric}`);
                    assert.ok(DOCUMENTED[ns].dimensions.includes(dim), `${ns} ${dim}`);
                }
            }
        }
    });
    it("splits the ALB signals by colour: one series per Service", () => {
        for (const title of [
            "Requests per minute by colour",
            "5xx (target) per minute by colour",
            "p50 latency by colour (s)",
            "p99 latency by colour (s)",
            "Ready pods (healthy targets) by colour",
        ]) {
            const w = body.widgets.find((x) => x.properties.title === title);
            assert.ok(w, title);
            const labels = (w.properties.metrics as { label: string }[][]).map((m) => m[0].label);
            assert.deepStrictEqual(labels, ["app-blue", "app-green"]);
        }
        assert.strictEqual(targetGroupName("zdp-aws", "app-green"), "zdpawsappgreen");
        const long = targetGroupName("zdp-" + "x".repeat(60), "app-green");
        assert.ok(long.length === 32 && long.endsWith("appgreen") && /^[A-Za-z0-9]+$/.test(long), long);
    });
});

describe("monitoring: CloudWatch alarms", () => {
    it("database and every Valkey node have capacity alarms with the derived thresholds", () => {
        const alarms = cloudwatchAlarms(input);
        const names = alarms.map((a) => a.name);
        assert.deepStrictEqual(names.slice(0, 3), ["db-cpu", "db-connections", "db-storage"]);
        for (const n of ["001", "002"])
            for (const s of ["memory", "evictions", "connections"]) assert.ok(names.includes(`valkey-${n}-${s}`), `valkey-${n}-${s}`);
        assert.strictEqual(alarms.find((a) => a.name === "db-connections")!.threshold, input.thresholds.databaseConnections);
        for (const a of alarms) assert.ok(DOCUMENTED[a.namespace].metrics.includes(a.metricName), a.name);
    });
});

describe("monitoring: CloudWatch Metrics Insights alarm on ready pods (aws)", () => {
    it("one query grouped by target group, a documented metric and function, the lowest colour floor as threshold", () => {
        const [a, ...rest] = cloudwatchInsightsAlarms(input);
        assert.deepStrictEqual(
            rest.map((r) => r.name),
            ["edge-elb-5xx", "edge-target-5xx", "edge-target-connection-errors"],
        );
        const m = /^SELECT (\w+)\((\w+)\) FROM SCHEMA\("([^"]+)", (\w+), (\w+)\) GROUP BY (\w+)$/.exec(a.expression);
        assert.ok(m, a.expression);
        const [, fn, metric, ns, d1, d2, group] = m;
        assert.ok((INSIGHTS_FUNCTIONS as readonly string[]).includes(fn), fn);
        assert.ok(DOCUMENTED[ns].metrics.includes(metric) && [d1, d2].every((d) => DOCUMENTED[ns].dimensions.includes(d)), a.expression);
        assert.strictEqual(group, "TargetGroup");
        assert.deepStrictEqual([a.threshold, a.comparison], [3, "LessThanThreshold"]);
    });
    it("the aws stack declares it with the SNS topic; its threshold follows the stack's colours", async () => {
        const run = await runStack("aws");
        const alarm = all(run, "aws:cloudwatch/metricAlarm:MetricAlarm").find((x) => x.name.endsWith("route-ready-pods"))!;
        assert.ok(alarm, "no ready-pod alarm");
        assert.strictEqual(alarm.inputs.metricQueries.length, 1);
        assert.strictEqual(alarm.inputs.metricQueries[0].returnData, true);
        assert.strictEqual(alarm.inputs.namespace, undefined);
        assert.strictEqual(alarm.inputs.alarmActions.length, 1);
        const floors = releaseState(run.config, sizingFor(run.config)).tracks.map((t) => t.minReplicas);
        assert.ok(floors.length === 2 && floors[0] !== floors[1], `expected the shipped stack to have two different floors: ${floors.join()}`);
        assert.strictEqual(alarm.inputs.threshold, Math.min(...floors));
    });
});

describe("monitoring: edge errors and database storage (aws)", () => {
    it("counts the ALB's own 5xx, the targets' 5xx and target connection errors, each against the error budget", () => {
        const edge = cloudwatchInsightsAlarms(input).filter((a) => a.name.startsWith("edge-"));
        const metricOf = (a: { expression: string }) => /SUM\((\w+)\)/.exec(a.expression)![1];
        assert.deepStrictEqual(edge.map(metricOf), ["HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "TargetConnectionErrorCount"]);
        for (const a of edge) {
            const m = /^SELECT SUM\((\w+)\) FROM SCHEMA\("([^"]+)", ([\w, ]+)\) GROUP BY (\w+)$/.exec(a.expression);
            assert.ok(m, a.expression);
            const [, metric, ns, dims, group] = m;
            assert.ok(DOCUMENTED[ns].metrics.includes(metric) && dims.split(", ").every((d) => DOCUMENTED[ns].dimensions.includes(d)), a.expression);
            assert.ok(dims.split(", ").includes(group), a.expression);
            assert.deepStrictEqual([a.comparison, a.threshold], ["GreaterThanThreshold", input.thresholds.edgeErrorsPer5Min]);
        }
        // Connection errors are per target group (a colour), the 5xx per load balancer.
        assert.match(edge[2].expression, /GROUP BY TargetGroup$/);
        // 1 % of 1,000 requests/s (10,000 users, one request per user every 10 s) over 5 minutes.
        assert.strictEqual(input.thresholds.edgeErrorsPer5Min, 3000);
        assert.strictEqual(thresholdsFor(sizing, { emails: [], errorRatePercent: 2 }, usage).edgeErrorsPer5Min, 6000);
        // The stack's own usage, not a default: twice the requests per user, twice the errors that are 1 %.
        assert.strictEqual(thresholdsFor(sizing, { emails: [] }, { ...usage, requestsPerUserPerMinute: 12 }).edgeErrorsPer5Min, 6000);
    });

    it("does not start in ALARM: the free-storage threshold is below what autoscaling keeps free on a new, empty database", () => {
        const db = sizing.database;
        const alarm = cloudwatchAlarms(input).find((a) => a.name === "db-storage")!;
        const gib = alarm.threshold / 2 ** 30;
        // Storage autoscaling grows the disk at 10 % free of the allocation, which starts at storageGiB and only grows.
        assert.ok(gib > 0 && gib < db.storageGiB * 0.1, `${gib} GiB threshold, ${db.storageGiB} GiB allocated at creation`);
        assert.ok(db.maxStorageGiB * 0.1 >= db.storageGiB, "the old threshold (10 % of the ceiling) was at or above the initial size");
    });

    it("the aws stack subscribes its SNS topic to the database's low-storage and failure events, after the instance exists", async () => {
        const run = await runStack("aws");
        const sub = find(run, "aws:rds/eventSubscription:EventSubscription");
        const topic = find(run, "aws:sns/topic:Topic");
        assert.ok(sub.dependsOn.includes(topic.urn));
        assert.strictEqual(sub.inputs.sourceType, "db-instance");
        const rds = find(run, "aws:rds/instance:Instance");
        assert.deepStrictEqual(sub.inputs.sourceIds, [rds.inputs.identifier]);
        assert.deepStrictEqual(sub.inputs.eventCategories, ["low storage", "failure"]);
        const db = run.resources.find((r) => r.type === "zdp:aws:Database")!;
        assert.ok(sub.dependsOn.includes(db.urn) || sub.dependsOn.includes(rds.urn), "subscription after the instance");
    });
});

describe("monitoring: config keys", () => {
    const parse = (o: Record<string, string>) => parseConfig(stackConfigMap("dev", o), "dev");
    it("reads emails, webhook and threshold overrides", () => {
        const cfg = parse({ alertEmails: "a@example.com,b@example.org", alertWebhook: "https://hooks.example.com/x", alertP99LatencyMs: "300" });
        assert.deepStrictEqual(cfg.monitoring.emails, ["a@example.com", "b@example.org"]);
        assert.strictEqual(cfg.monitoring.webhook, "https://hooks.example.com/x");
        assert.strictEqual(cfg.monitoring.p99LatencyMs, 300);
    });
    it("refuses a bad email, a plain-http webhook and an out-of-range threshold, naming each key", () => {
        assert.throws(
            () => parse({ alertEmails: "oncall", alertWebhook: "http://hooks.example.com", alertErrorRatePercent: "80" }),
            (e: unknown) =>
                e instanceof ConfigError && ["alertEmails", "alertWebhook", "alertErrorRatePercent"].every((k) => e.issues.some((i) => i.key === k)),
        );
    });
});

describe("monitoring: the aws stack declares its dashboard and alarms", function () {
    it("one dashboard, an SNS topic with email and https subscriptions, alarms on the stack's own resources", async () => {
        const run = await runStack("aws", { alertEmails: "oncall@example.com", alertWebhook: "https://hooks.example.com/zdp" });
        const dashboards = all(run, "aws:cloudwatch/dashboard:Dashboard");
        assert.strictEqual(dashboards.length, 1);
        const rds = all(run, "aws:rds/instance:Instance")[0];
        const valkey = all(run, "aws:elasticache/replicationGroup:ReplicationGroup")[0];
        const body = dashboards[0].inputs.dashboardBody as string;
        assert.ok(body.includes(`"DBInstanceIdentifier","${rds.inputs.identifier}"`), "dashboard does not name the stack's RDS instance");
        assert.ok(body.includes(`"CacheClusterId","${valkey.inputs.replicationGroupId}-001"`), "dashboard does not name the stack's Valkey nodes");
        const subs = all(run, "aws:sns/topicSubscription:TopicSubscription")
            .map((s) => `${s.inputs.protocol}:${s.inputs.endpoint}`)
            .sort();
        assert.deepStrictEqual(subs, ["email:oncall@example.com", "https:https://hooks.example.com/zdp"]);
        const alarms = all(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.ok(alarms.some((a) => a.inputs.dimensions?.DBInstanceIdentifier === rds.inputs.identifier));
        for (const a of alarms) assert.ok(a.inputs.alarmActions?.length === 1, `${a.name} notifies nobody`);
        // Each colour's target group on the live route carries the name the dashboard searches for.
        const tgNames = all(run, "kubernetes:gateway.k8s.aws/v1:TargetGroupConfiguration")
            .map((t) => t.inputs.spec.routeConfigurations.find((c: any) => c.routeIdentifier.name === "app").targetGroupProps.targetGroupName)
            .sort();
        assert.deepStrictEqual(tgNames, ["zdpawsappblue", "zdpawsappgreen"]);
        for (const n of tgNames) assert.ok(body.includes(`TargetGroup=${n}'`), `dashboard does not search for ${n}`);
    });
});

describe("monitoring: the offline plan lists what each stack declares", function () {
    it("aws: the dashboard, every alarm and the notification targets; azure: the workbook; dev: Prometheus and Grafana", async () => {
        const aws = renderPlan(await buildPlan("aws", { alertEmails: "oncall@example.com" }, false));
        const section = aws.slice(aws.indexOf("Monitoring:"), aws.indexOf("\nPolicy"));
        assert.match(section, /^Monitoring: 1 dashboard\(s\), (\d+) alert\(s\), 1 notification target\(s\)/);
        assert.match(section, /dashboard zdp-aws-golden-signals \(11 widgets\)/);
        assert.match(section, /alert zdp-aws-db-connections: Database connections above \d+/);
        assert.match(section, /notify email oncall@example.com/);
        const dev = renderPlan(await buildPlan("dev", {}, false));
        assert.match(
            dev,
            /Monitoring: 1 dashboard\(s\), 0 alert\(s\), 0 notification target\(s\)\n {2}prometheus scraping zdp-app, envoy \(in the cluster\)\n {2}grafana dashboard dev golden signals \(6 panels\)\n {2}\(no alert declared for this stack\)/,
        );
        // With its own GatewayClass the dev stack has no Envoy Gateway to scrape.
        assert.match(renderPlan(await buildPlan("dev", { gatewayClass: "e2e" }, false)), /prometheus scraping zdp-app \(in the cluster\)/);
        const azure = renderPlan(await buildPlan("azure", {}, false));
        assert.match(azure, /workbook zdp-azure golden signals \(10 widgets\)/);
        assert.match(azure, /alert zdp-azure-monitoring-redis-evictions: Redis evicting keys/);
    });
});

describe("monitoring: Cloud Monitoring dashboard and alerts (gcp)", function () {
    // Metric types with their monitored resource, as listed on the pages cited in cloudMonitoring.ts.
    const GCP_DOCUMENTED: Record<string, string> = {
        "loadbalancing.googleapis.com/https/backend_request_count": "https_lb_rule",
        "loadbalancing.googleapis.com/https/backend_latencies": "https_lb_rule",
        "cloudsql.googleapis.com/database/cpu/utilization": "cloudsql_database",
        "cloudsql.googleapis.com/database/postgresql/num_backends": "cloudsql_database",
        "cloudsql.googleapis.com/database/disk/utilization": "cloudsql_database",
        "redis.googleapis.com/stats/memory/usage_ratio": "redis_instance",
        "redis.googleapis.com/stats/evicted_keys": "redis_instance",
        "redis.googleapis.com/clients/connected": "redis_instance",
    };
    const gin = { projectId: "p1", region: "europe-west1", sqlInstance: "pg-1", redisInstance: "redis-1", thresholds: input.thresholds };

    it("every tile is a documented metric on its resource, on the 48-column grid; LB tiles split by backend (colour)", () => {
        const d = cloudMonitoringDashboard(gin, "x");
        assert.strictEqual(d.mosaicLayout.tiles.length, 10);
        for (const t of d.mosaicLayout.tiles) {
            assert.ok(t.xPos + t.width <= 48);
            const q = t.widget.xyChart.dataSets[0].timeSeriesQuery.timeSeriesFilter;
            const [, type, resource] = /metric\.type="([^"]+)" resource\.type="([^"]+)"/.exec(q.filter)!;
            assert.strictEqual(GCP_DOCUMENTED[type], resource, q.filter);
            if (resource === "https_lb_rule")
                assert.deepStrictEqual((q.aggregation as { groupByFields?: string[] }).groupByFields, ["resource.label.backend_target_name"]);
        }
        assert.ok(JSON.stringify(d).includes('database_id=\\"p1:pg-1\\"'));
        assert.ok(JSON.stringify(d).includes("instances/redis-1"));
        for (const a of cloudMonitoringAlerts(gin).filter((x) => !x.name.startsWith("route-")))
            assert.ok(a.filter.includes("pg-1") || a.filter.includes("redis-1"), a.name);
    });

    it("alerts on the live route per colour: the 5xx share and p99 over the config's thresholds", () => {
        const alerts = cloudMonitoringAlerts({ ...gin, thresholds: { ...gin.thresholds, errorRatePercent: 2, p99LatencyMs: 450 } });
        const errors = alerts.find((a) => a.name === "route-5xx")!;
        assert.strictEqual(errors.threshold, 0.02);
        assert.match(errors.filter, /backend_request_count" resource.type="https_lb_rule" metric.label.response_code_class="500"$/);
        assert.match(errors.denominatorFilter!, /backend_request_count" resource.type="https_lb_rule"$/);
        assert.deepStrictEqual(errors.reducer, { crossSeriesReducer: "REDUCE_SUM", groupByFields: ["resource.label.backend_target_name"] });
        const p99 = alerts.find((a) => a.name === "route-p99")!;
        assert.strictEqual(p99.threshold, 450);
        assert.deepStrictEqual([p99.aligner, p99.reducer?.crossSeriesReducer], ["ALIGN_DELTA", "REDUCE_PERCENTILE_99"]);
    });

    it("the gcp stack declares the dashboard for its own instances and alert policies that notify", async () => {
        const run = await runStack("gcp", { alertEmails: "oncall@example.com", alertWebhook: "https://hooks.example.com/zdp" });
        const dash = all(run, "gcp:monitoring/dashboard:Dashboard");
        assert.strictEqual(dash.length, 1);
        const sqlName = all(run, "gcp:sql/databaseInstance:DatabaseInstance")[0];
        assert.ok(sqlName, "no Cloud SQL instance recorded");
        const policies = all(run, "gcp:monitoring/alertPolicy:AlertPolicy");
        assert.strictEqual(policies.length, 6);
        const ratio = policies.find((p) => p.name.endsWith("route-5xx"))!.inputs.conditions[0].conditionThreshold;
        assert.strictEqual(ratio.thresholdValue, 0.01);
        assert.ok(ratio.denominatorFilter && ratio.denominatorAggregations[0].crossSeriesReducer === "REDUCE_SUM");
        for (const p of policies) assert.strictEqual(p.inputs.notificationChannels.length, 2, p.name);
        const channels = all(run, "gcp:monitoring/notificationChannel:NotificationChannel")
            .map((c) => c.inputs.type)
            .sort();
        assert.deepStrictEqual(channels, ["email", "webhook_tokenauth"]);
    });
});

describe("monitoring: Azure Monitor workbook and alerts (azure)", function () {
    // REST API metric names per namespace, from Microsoft's supported-metrics tables cited in azureMonitor.ts.
    const AZURE_DOCUMENTED: Record<string, { metrics: string[]; dimensions: string[] }> = {
        [AGC_NS]: {
            metrics: ["BackendHTTPResponseStatus", "BackendHealthyTargets", "BackendConnectionTimeouts"],
            dimensions: ["BackendService", "HttpResponseCode"],
        },
        [PG_NS]: { metrics: ["cpu_percent", "active_connections", "storage_percent"], dimensions: [] },
        [AMR_NS]: { metrics: ["usedmemorypercentage", "evictedkeys", "connectedclients"], dimensions: [] },
    };
    const ids = { trafficControllerId: "/subscriptions/s/tc", databaseServerId: "/subscriptions/s/pg", redisClusterId: "/subscriptions/s/redis" };
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "schemas", "azure-workbook.schema.json"), "utf8"));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

    it("the workbook is valid against Microsoft's published schema", () => {
        const wb = azureWorkbook("zdp-azure", ids);
        assert.ok(validate(wb), JSON.stringify(validate.errors));
        // The check bites: a chart whose metric lacks its aggregation is refused. (The schema checks a
        // chart's first metric only, tuple form; every chart here has exactly one.)
        const broken = structuredClone(wb) as any;
        delete broken.items[1].content.metrics[0].aggregation;
        assert.ok(!validate(broken));
        assert.ok(wb.items.every((i: any) => i.type !== 10 || i.content.metrics.length === 1));
    });

    it("each chart is a documented metric on the stack's own resource; AGC charts split per colour", () => {
        const charts = azureWorkbook("zdp-azure", ids).items.filter((i) => i.type === 10) as any[];
        assert.strictEqual(charts.length, 10);
        const scopeOf: Record<string, string> = { [AGC_NS]: ids.trafficControllerId, [PG_NS]: ids.databaseServerId, [AMR_NS]: ids.redisClusterId };
        for (const c of charts) {
            const [m] = c.content.metrics;
            const ns = Object.keys(AZURE_DOCUMENTED).find((n) => n.toLowerCase() === m.namespace)!;
            assert.ok(ns, m.namespace);
            const name = m.metric.slice(workbookMetricId(ns, "").length);
            assert.strictEqual(m.metric, workbookMetricId(ns, name));
            assert.ok(AZURE_DOCUMENTED[ns].metrics.includes(name), `${ns} ${name}`);
            if (m.splitBy) assert.ok(AZURE_DOCUMENTED[ns].dimensions.includes(m.splitBy), m.splitBy);
            assert.ok(Object.values(AGGREGATION).includes(m.aggregation));
            assert.deepStrictEqual(c.content.resourceIds, [scopeOf[ns]]);
        }
        const byColour = charts.filter((c) => c.content.metrics[0].splitBy === "BackendService").map((c) => c.content.metrics[0].metric);
        assert.ok(byColour.some((m) => m.endsWith("--BackendHTTPResponseStatus")) && byColour.some((m) => m.endsWith("--BackendHealthyTargets")));
    });

    it("alerts: documented metrics; the database's connections follow Azure's max_connections formula", () => {
        assert.deepStrictEqual([2, 4, 8, 32, 64].map(azurePgDefaultMaxConnections), [50, 429, 859, 3437, 5000]);
        const alerts = azureAlerts(input.thresholds, 32, 3, 300_000);
        for (const a of alerts) assert.ok(AZURE_DOCUMENTED[AZURE_NAMESPACES[a.scope]].metrics.includes(a.metric), a.name);
        for (const a of alerts.filter((x) => x.only)) assert.ok(AZURE_DOCUMENTED[AZURE_NAMESPACES[a.scope]].dimensions.includes(a.only!.dimension), a.name);
        // The edge error rate: 5xx backend responses above errorRatePercent (1 by default) of the requests sized for.
        const edge = alerts.find((a) => a.name === "edge-5xx")!;
        assert.deepStrictEqual([edge.metric, edge.threshold, edge.timeAggregation, edge.windowSize], ["BackendHTTPResponseStatus", 3000, "Total", "PT5M"]);
        assert.ok(edge.only!.values.every((v) => /^5\d\d$/.test(v)) && edge.only!.values.includes("503"));
        assert.strictEqual(alerts.find((a) => a.name === "db-connections")!.threshold, Math.floor(3437 * 0.8));
        assert.strictEqual(alerts.find((a) => a.name === "ready-pods")!.threshold, 3);
        // Azure Managed Redis publishes PT5M at the finest: a shorter window could never evaluate.
        for (const a of alerts.filter((x) => x.scope === "redis")) assert.strictEqual(a.evaluationFrequency, "PT5M");
    });

    it("the azure stack declares the workbook and the alerts on its own resources, notifying the config's targets", async () => {
        const run = await runStack("azure", { alertEmails: "oncall@example.com", alertWebhook: "https://hooks.example.com/zdp" });
        const groups = all(run, "azure-native:monitor:ActionGroup");
        assert.strictEqual(groups.length, 1);
        assert.deepStrictEqual(
            groups[0].inputs.emailReceivers.map((e: any) => e.emailAddress),
            ["oncall@example.com"],
        );
        assert.deepStrictEqual(
            groups[0].inputs.webhookReceivers.map((w: any) => w.serviceUri),
            ["https://hooks.example.com/zdp"],
        );
        assert.ok(groups[0].inputs.groupShortName.length <= 12);
        const alerts = all(run, "azure-native:monitor:MetricAlert");
        assert.deepStrictEqual(alerts.map((a) => a.name.replace(/^.*monitoring-/, "")).sort(), [
            "db-connections",
            "db-cpu",
            "db-storage",
            "edge-5xx",
            "ready-pods",
            "redis-evictions",
            "redis-memory",
        ]);
        const edge = alerts.find((a) => a.name.endsWith("edge-5xx"))!.inputs;
        assert.match(edge.scopes[0], /trafficControllers\//);
        assert.strictEqual(edge.criteria.allOf[0].metricName, "BackendHTTPResponseStatus");
        assert.deepStrictEqual(edge.criteria.allOf[0].dimensions[0].name, "HttpResponseCode");
        // 10,000 users at a request every 10 s is 300,000 requests in 5 minutes; 1% of them.
        assert.strictEqual(edge.criteria.allOf[0].threshold, 3000);
        const ready = alerts.find((a) => a.name.endsWith("ready-pods"))!;
        const c = ready.inputs.criteria.allOf[0];
        assert.strictEqual(c.metricName, "BackendHealthyTargets");
        assert.deepStrictEqual(c.dimensions, [{ name: "BackendService", operator: "Include", values: ["*"] }]);
        // The stack ships inactiveScale minimal: the idle colour's floor (one pod per zone) is the lowest.
        assert.strictEqual(run.config.release.inactiveScale, "minimal");
        assert.ok(
            c.threshold < thresholdsFor(sizingFor(run.config), { emails: [] }, usage).readyPodFloor,
            `ready-pods threshold ${c.threshold} would alert on the idle colour`,
        );
        for (const a of alerts) assert.strictEqual(a.inputs.actions.length, 1, a.name);
        const books = all(run, "azure-native:applicationinsights:Workbook");
        assert.strictEqual(books.length, 1);
        assert.match(books[0].inputs.resourceName, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        const wb = JSON.parse(books[0].inputs.serializedData);
        assert.ok(validate(wb), JSON.stringify(validate.errors));
        const redis = all(run, "azure-native:redisenterprise:RedisEnterprise")[0];
        assert.ok(redis, "no Azure Managed Redis recorded");
        assert.ok(alerts.filter((a) => a.name.includes("redis-")).every((a) => a.inputs.scopes.length === 1));
    });
});
