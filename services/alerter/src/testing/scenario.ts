import { createKafka, KafkaProducer } from "@outlier/bus";
import { findingRecord, type Finding } from "@outlier/contracts";
// The fake receivers live with the sinks; the package exports no testing entry point yet.
import type { HttpReceiver } from "../../../../packages/sinks/src/testing/http-receiver.ts";

/** Helpers shared by the alerter's integration tests and its benchmark. */

/** Produces findings to the findings topic the way the detector does: keyed by workload, with the schema header. */
export async function produceFindings(brokers: string[], topic: string, findings: readonly Finding[]): Promise<void> {
  const producer = new KafkaProducer(createKafka({ brokers, clientId: "alerter-test-detector" }));
  try {
    await producer.send(findings.map((f) => findingRecord(topic, f)));
  } finally {
    await producer.close();
  }
}

/** Records on a topic now (the sum of its partitions' high watermarks). */
export async function topicSize(brokers: string[], topic: string): Promise<number> {
  const admin = createKafka({ brokers, clientId: "alerter-test-admin" }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** One Slack message as the fake Slack received it. */
export interface SlackPost {
  channel: string;
  /** How many findings the message stands for (from its summary line). */
  count: number;
  /** The ids of the findings it lists (test findings carry "(id …)" in their summary). */
  ids: string[];
  at: number;
}

/** The Slack messages a fake Slack received, read back from their JSON bodies. */
export function slackPosts(receiver: HttpReceiver): SlackPost[] {
  return receiver.requests.map((request) => {
    const body = JSON.parse(request.body) as { channel?: string; text: string };
    return {
      channel: body.channel ?? "",
      count: Number(/: (\d+) unexpected process/.exec(body.text)?.[1] ?? "1"),
      ids: [...request.body.matchAll(/\(id ([\w.-]+)\)/g)].map((m) => m[1]!).filter((id, i, all) => all.indexOf(id) === i),
      at: request.at,
    };
  });
}

/** How many times each value occurs. */
export function tally(values: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}
