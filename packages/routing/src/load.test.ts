import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadRoutes } from "./load.ts";
import { RoutesError, type RoutesProblem } from "./errors.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

function problems(yamlText: string): RoutesProblem[] {
  try {
    loadRoutes(yamlText, { fileName: "routes.yaml" });
  } catch (e) {
    if (e instanceof RoutesError) return e.problems;
    throw e;
  }
  throw new Error("expected a RoutesError");
}

const RECEIVERS = `receivers:
  - name: default
    slack_configs:
      - api_url_env: SLACK_WEBHOOK_URL
`;

describe("loadRoutes", () => {
  it("loads the example file", () => {
    const config = loadRoutes(readFileSync(path.join(repoRoot, "examples/routes.yaml"), "utf8"));
    expect(config.route.receiver).toBe("security-slack");
    expect([...config.receivers.keys()]).toContain("soc");
    expect(config.receivers.get("soc")?.sinks.map((s) => s.kind)).toEqual(["splunk_hec", "syslog"]);
  });

  it("applies Alertmanager's defaults and inherits them down the tree", () => {
    const config = loadRoutes(`route:
  receiver: default
  group_by: [namespace]
  group_interval: 10m
  routes:
    - matchers: ['team="a"']
      group_wait: 1h30m
      routes:
        - matchers: ['app="b"']
          group_by: ['...']
${RECEIVERS}`);
    const child = config.route.routes[0]!;
    const grandchild = child.routes[0]!;
    expect(config.route.timing).toEqual({ groupWaitMs: 30_000, groupIntervalMs: 600_000, repeatIntervalMs: 14_400_000 });
    expect(child).toMatchObject({ receiver: "default", groupBy: ["namespace"], path: "route.routes[0]" });
    expect(child.timing).toEqual({ groupWaitMs: 5_400_000, groupIntervalMs: 600_000, repeatIntervalMs: 14_400_000 });
    expect(grandchild).toMatchObject({ groupBy: "all", path: "route.routes[0].routes[0]" });
    expect(grandchild.timing.groupWaitMs).toBe(5_400_000);
  });

  it("gives sink configs their kind and defaults", () => {
    const config = loadRoutes(`route:
  receiver: siem
receivers:
  - name: siem
    splunk_hec_configs:
      - url: https://hec.example.com:8088/services/collector/event
        token_env: HEC_TOKEN
    syslog_configs:
      - host: syslog.example.com
        port: 6514
    kafka_configs:
      - topic: findings.copy
`);
    expect(config.receivers.get("siem")?.sinks).toEqual([
      { kind: "splunk_hec", url: "https://hec.example.com:8088/services/collector/event", token_env: "HEC_TOKEN", format: "native" },
      { kind: "syslog", host: "syslog.example.com", port: 6514, protocol: "tls", format: "cef" },
      { kind: "kafka", topic: "findings.copy" },
    ]);
  });
});

describe("loadRoutes errors point at the line", () => {
  it("reports each bad field with its line, column and path", () => {
    const found = problems(`route:
  receiver: default
  group_wait: 10x
  routes:
    - receiver: default
      matchers:
        - 'team="payments"'
        - 'team payments'
      match:
        team: payments
${RECEIVERS}`);
    expect(found.map((p) => [p.line, p.col, p.path])).toEqual([
      [3, 3, "route.group_wait"],
      [8, 11, "route.routes[0].matchers[1]"],
      [9, 7, "route.routes[0].match"],
    ]);
    expect(found[0]?.message).toContain("bad duration");
    expect(found[1]?.message).toContain("bad matcher");
    expect(found[2]?.message).toContain("use matchers");
  });

  it("formats the message as FILE:LINE:COL: path: message", () => {
    expect(() => loadRoutes(`route:\n  receiver: nobody\n${RECEIVERS}`, { fileName: "deploy/routes.yaml" })).toThrow(
      /deploy\/routes\.yaml:2:3: route\.receiver: unknown receiver "nobody"/,
    );
  });

  it("finds unknown receivers deep in the tree", () => {
    const found = problems(`route:
  receiver: default
  routes:
    - matchers: ['a="b"']
      routes:
        - receiver: payments
${RECEIVERS}`);
    expect(found).toMatchObject([{ line: 6, col: 11, path: "route.routes[0].routes[0].receiver" }]);
  });

  it("reports YAML syntax errors and duplicate keys at their line", () => {
    expect(problems(`route:\n  receiver: a\n  receiver: b\n${RECEIVERS}`)).toMatchObject([{ line: 3, path: "(file)" }]);
    expect(problems(`route:\n  receiver: [default\n${RECEIVERS}`)[0]?.path).toBe("(file)");
  });

  it("points a missing key at its parent", () => {
    const found = problems(`route:
  receiver: default
receivers:
  - name: default
    elasticsearch_configs:
      - url: https://es.example.com:9200
        api_key_env: ES_KEY
`);
    expect(found).toMatchObject([{ line: 6, path: "receivers[0].elasticsearch_configs[0].index", message: "required" }]);
  });

  it("enforces the root route's rules", () => {
    const found = problems(`route:
  matchers: ['a="b"']
${RECEIVERS}`);
    expect(found.map((p) => [p.line, p.path])).toEqual([
      [1, "route"],
      [2, "route.matchers"],
    ]);
  });

  it("rejects an empty file", () => {
    expect(problems("")).toMatchObject([{ line: 1, message: expect.stringContaining("empty") }]);
  });
});

describe("secrets stay out of the routing file", () => {
  it("rejects inline secrets and names the keys to use instead", () => {
    const found = problems(`route:
  receiver: default
receivers:
  - name: default
    slack_configs:
      - api_url: https://hooks.slack.com/services/T000/B000/XXXX
  - name: hec
    splunk_hec_configs:
      - url: https://hec.example.com:8088
        token: 11111111-2222-3333-4444-555555555555
  - name: es
    elasticsearch_configs:
      - url: https://es.example.com:9200
        index: findings
        username: outlier
        password: hunter2
`);
    expect(found.map((p) => [p.line, p.path])).toEqual([
      [6, "receivers[0].slack_configs[0].api_url"],
      [10, "receivers[1].splunk_hec_configs[0].token"],
      [16, "receivers[2].elasticsearch_configs[0].password"],
    ]);
    expect(found[0]?.message).toContain("api_url_env or api_url_file");
    expect(found[1]?.message).toContain("token_env or token_file");
    expect(found[2]?.message).toContain("password_env or password_file");
  });

  it("rejects URLs that carry credentials", () => {
    const found = problems(`route:
  receiver: default
receivers:
  - name: default
    webhook_configs:
      - url: https://hooks.slack.com/services/T000/B000/XXXX
      - url: https://user:secret@bridge.example.com/hook
      - url: https://bridge.example.com/hook?token=abc
      - url: https://bridge.example.com/hook?team=payments
`);
    expect(found.map((p) => p.line)).toEqual([6, 7, 8]);
    for (const p of found) expect(p.message).toContain("secret");
  });

  it("requires a credential source for sinks that need one", () => {
    const found = problems(`route:
  receiver: default
receivers:
  - name: default
    slack_configs:
      - channel: "#x"
      - token_env: SLACK_BOT_TOKEN
`);
    expect(found.map((p) => [p.line, p.message])).toEqual([
      [6, expect.stringContaining("exactly one of api_url_env, api_url_file, token_env, token_file")],
      [7, expect.stringContaining("needs a channel")],
    ]);
  });

  it("with secrets optional (nothing is sent), routes receivers that name no secret location and lists them", () => {
    const yaml = `route:
  receiver: team
  routes:
    - receiver: soc
receivers:
  - name: team
    slack_configs:
      - channel: "#x"
  - name: soc
    splunk_hec_configs:
      - url: https://splunk.example.com:8088
`;
    expect(() => loadRoutes(yaml)).toThrow(/exactly one of/);
    const config = loadRoutes(yaml, { secrets: "optional" });
    expect([...config.withoutSecrets].sort()).toEqual(["soc", "team"]);
    expect(config.receivers.get("soc")?.sinks).toHaveLength(1);
    // Every other problem is still reported.
    expect(() => loadRoutes(yaml.replace('channel: "#x"', 'channel: "#x"\n        colour: red'), { secrets: "optional" })).toThrow(/unknown key/);
  });
});
