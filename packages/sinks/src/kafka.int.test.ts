import { SCHEMA_HEADER } from "@outlier/contracts";
import { loadRoutes } from "@outlier/routing";
import { describe, expect, inject, it } from "vitest";
import { collectMessages, createTopics, uniqueTopic } from "../../../test/harness/topics.ts";
import { createSink } from "./index.ts";
import { secretResolver } from "./secrets.ts";
import { execSession, unexpectedProcess } from "./testing/findings.ts";
import { delivery } from "./testing/sink-contract.ts";

describe("Kafka sink against a real broker", () => {
  it("produces each finding, keyed by workload, with its own brokers", async () => {
    const brokers = inject("kafkaBrokers");
    const topic = uniqueTopic("sinks.kafka");
    await createTopics(brokers, [topic], 1);
    const routes = loadRoutes(`
route: { receiver: soc }
receivers:
  - name: soc
    kafka_configs:
      - topic: ${topic}
        brokers: ${JSON.stringify(brokers)}
`);
    const sink = createSink(routes.receivers.get("soc")!.sinks[0]!, { secrets: secretResolver() });
    await sink.deliver(delivery({ findings: [unexpectedProcess(), execSession()] }));
    await sink.close();
    const messages = await collectMessages(brokers, topic, 2);
    expect(messages.map((m) => (JSON.parse(m.value) as { id: string }).id)).toEqual(["f-unexpected-1", "f-exec-1"]);
    expect(messages[0]).toMatchObject({ key: "prod-eu/payments/Deployment/checkout", headers: { [SCHEMA_HEADER]: "outlier.finding.v1" } });
  });
});
