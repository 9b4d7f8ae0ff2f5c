import { RuntimeEventSchema } from "@outlier/contracts";
import { normalizeLine } from "@outlier/normalize";
import { Kafka, logLevel } from "kafkajs";

/** The id the collector gives the event of `line` (the normalizer is deterministic), to check arrivals by id. */
export function expectedId(line: string, source: "tetragon" | "falco", cluster: string, node: string): string {
  const result = normalizeLine(line, { source, cluster, node });
  if (result.ok !== true || result.events.length !== 1) throw new Error(`test input does not normalize to one event: ${JSON.stringify(result)}`);
  return result.events[0]!.id;
}

export function eventIdOf(value: string): string {
  return RuntimeEventSchema.parse(JSON.parse(value)).id;
}

/** Scrapes a Prometheus endpoint; the result sums every sample of a metric name (0 when absent). */
export async function metricsOf(url: string): Promise<(name: string) => number> {
  const text = await (await fetch(url)).text();
  const samples = text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
  return (name) =>
    samples
      .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

/** Records in a topic: the sum of its partitions' high watermarks (nothing is ever deleted in a test). */
export async function topicSize(brokers: string[], topic: string): Promise<number> {
  const admin = new Kafka({ brokers, clientId: "outlier-test", logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}
