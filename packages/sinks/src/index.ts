import { KafkaProducer, createKafka, type Producer } from "@outlier/bus";
import type { SinkConfig, SinkConfigOf, SinkKind } from "@outlier/routing";
import type { Logger } from "@outlier/service-kit";
import { ElasticsearchSink } from "./elasticsearch.ts";
import { KafkaSink } from "./kafka.ts";
import type { SecretResolver } from "./secrets.ts";
import type { Sink } from "./sink.ts";
import { SlackSink } from "./slack.ts";
import { SplunkHecSink } from "./splunk-hec.ts";
import { SyslogSink } from "./syslog.ts";
import { WebhookSink } from "./webhook.ts";

export interface SinkEnv {
  secrets: SecretResolver;
  /** The alerter's producer, for Kafka sinks without brokers of their own. */
  producer?: Producer;
  logger?: Logger;
}

type Factory<K extends SinkKind> = (config: SinkConfigOf<K>, env: SinkEnv) => Sink;

/** Every sink kind, one line each; a kind the routing file knows but this list lacks fails to compile. */
const SINK_FACTORIES: { [K in SinkKind]: Factory<K> } = {
  slack: (config, env) => new SlackSink(config, env.secrets),
  webhook: (config, env) => new WebhookSink(config, env.secrets),
  splunk_hec: (config, env) => new SplunkHecSink(config, env.secrets),
  elasticsearch: (config, env) => new ElasticsearchSink(config, env.secrets),
  syslog: (config, env) => new SyslogSink(config, env.secrets),
  kafka: (config, env) => kafkaSink(config, env),
};

/** The sender for one sink config of a receiver. Reads its secrets now; throws SecretError if one is missing. */
export function createSink(config: SinkConfig, env: SinkEnv): Sink {
  return (SINK_FACTORIES[config.kind] as Factory<SinkKind>)(config as never, env);
}

function kafkaSink(config: SinkConfigOf<"kafka">, env: SinkEnv): Sink {
  if (config.brokers) {
    const kafka = createKafka({ brokers: config.brokers, clientId: "outlier-alerter-sink", ...(env.logger ? { logger: env.logger } : {}) });
    return new KafkaSink(config, new KafkaProducer(kafka), true);
  }
  if (!env.producer) throw new Error(`kafka sink for topic ${config.topic}: no brokers configured and no producer given`);
  return new KafkaSink(config, env.producer, false);
}

export { DELIVERY_REASONS, DeliveryError, type Delivery, type DeliveryErrorOptions, type DeliveryReason, type Pacing, type Sink } from "./sink.ts";
export { SecretError, secretResolver, type SecretRef, type SecretResolver, type SecretResolverOptions } from "./secrets.ts";
export { resilient, deliverAll, type DeliveryOutcome, type ResilienceOptions } from "./resilient.ts";
export { deadLetterRecord, type DeadLetterFn, type DeliveryFailure } from "./dead-letter.ts";
export { Pacer } from "./pacer.ts";
export { safeText } from "./safe-text.ts";
export { parseRetryAfter } from "./http.ts";
export { ocsfDetectionFinding, OCSF_DETECTION_FINDING, OCSF_VERSION, type OcsfDetectionFinding } from "./ocsf.ts";
export { SlackSink, slackPayload, slackChannel, SEVERITY_COLOR, type SlackMessage, type SlackBlock, type SlackSinkOptions } from "./slack.ts";
export { SplunkHecSink, splunkHecPayload, hecEvent, type HecEvent } from "./splunk-hec.ts";
export { ElasticsearchSink, ecsDocument, bulkBody, ECS_VERSION, type EcsDocument } from "./elasticsearch.ts";
export { SyslogSink, cefMessage, cefHeaderEscape, cefValueEscape, syslogMessage, octetCounted, type SyslogSinkOptions } from "./syslog.ts";
export { WebhookSink, webhookPayload, webhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER, type WebhookPayload } from "./webhook.ts";
export { KafkaSink } from "./kafka.ts";
