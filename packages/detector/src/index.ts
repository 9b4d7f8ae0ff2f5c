export * from "./detector.ts";
export * from "./falco-finding.ts";
export * from "./stats.ts";
