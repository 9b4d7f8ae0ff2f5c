import { elasticsearchSink } from "./elasticsearch.ts";
import { kafkaSink } from "./kafka.ts";
import type { SinkSpec } from "./sink.ts";
import { slackSink } from "./slack.ts";
import { splunkHecSink } from "./splunk-hec.ts";
import { syslogSink } from "./syslog.ts";
import { webhookSink } from "./webhook.ts";

/** Every sink kind a receiver may use. Adding a sink kind: one file and one line here. */
export const SINKS = [slackSink, webhookSink, splunkHecSink, elasticsearchSink, syslogSink, kafkaSink] as const;

type AnySinkSpec = (typeof SINKS)[number];
export type SinkKind = AnySinkSpec["kind"];

/** One validated entry of a receiver's `<kind>_configs`, tagged with its kind. */
export type SinkConfig = AnySinkSpec extends infer S ? (S extends SinkSpec<infer K, infer C> ? { kind: K } & C : never) : never;
export type SinkConfigOf<K extends SinkKind> = Extract<SinkConfig, { kind: K }>;

export type { SinkSpec, TargetContext } from "./sink.ts";
