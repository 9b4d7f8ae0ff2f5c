import { z } from "zod";
import { defineSink } from "./sink.ts";

/** A Kafka topic; brokers default to the alerter's own. */
const schema = z.strictObject({
  topic: z.string().min(1),
  brokers: z.array(z.string().min(1)).min(1).optional(),
});

export const kafkaSink = defineSink({
  kind: "kafka",
  key: "kafka_configs",
  schema,
  target: (config) => config.topic,
});
