import type { Severity } from "@outlier/contracts";
import type { Matcher } from "./matcher.ts";
import type { SinkConfig } from "./sinks/index.ts";

export interface RouteTiming {
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

/** Alertmanager's defaults: group_wait 30s, group_interval 5m, repeat_interval 4h. */
export const DEFAULT_TIMING: RouteTiming = { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 14_400_000 };

/** One node of the routing tree, with everything inherited from its parents filled in. */
export interface RouteNode {
  /** Where the node is in the file: "route", "route.routes[1].routes[0]". */
  path: string;
  receiver: string;
  matchers: Matcher[];
  /** Our extension: the finding's severity must be at least this. */
  minSeverity?: Severity;
  continue: boolean;
  /** Label names that split findings into groups; "all" for Alertmanager's `['...']`. */
  groupBy: readonly string[] | "all";
  timing: RouteTiming;
  routes: RouteNode[];
}

export interface Receiver {
  name: string;
  sinks: SinkConfig[];
}

export interface RoutingConfig {
  route: RouteNode;
  receivers: ReadonlyMap<string, Receiver>;
  /** Receivers whose file names no secret location: only when loaded with `secrets: "optional"`. */
  withoutSecrets: ReadonlySet<string>;
}
