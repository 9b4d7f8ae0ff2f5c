import { createLogger } from "@outlier/service-kit";
import { expect, it } from "vitest";
import { KafkaHealth, type KafkaAdminClient } from "./kafka-health.ts";

const logger = createLogger({ level: "silent", name: "test" });

/** An admin client whose cluster answers from the `answersFrom`-th attempt on. */
function cluster(answersFrom: number): KafkaAdminClient & { attempts: number } {
  const fake = {
    attempts: 0,
    admin: () => ({
      connect: async () => {
        if (++fake.attempts < answersFrom) throw new Error("ECONNREFUSED");
      },
      describeCluster: async () => ({}),
      disconnect: async () => {},
    }),
  };
  return fake;
}

it("is not ready until Kafka answered once, retrying the contact", async () => {
  const health = new KafkaHealth(() => 0);
  expect(health.check()).toEqual({ ready: false, reason: "kafka: not reached yet" });
  const kafka = cluster(3);
  await health.contact(kafka, logger, 1);
  expect(kafka.attempts).toBe(3);
  expect(health.check()).toEqual({ ready: true });
});

it("is not ready after a failed produce until more records are confirmed", async () => {
  let sent = 10;
  const health = new KafkaHealth(() => sent);
  await health.contact(cluster(1), logger);
  health.failed();
  // /readyz is unauthenticated: it says what is wrong, the log has the error itself.
  expect(health.check()).toEqual({ ready: false, reason: "kafka: produce failed (details in the collector log)" });
  sent = 12;
  expect(health.check()).toEqual({ ready: true });
});
