import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: "debug", name: "test", destination: { write: (s: string) => void lines.push(s) } });
  return { logger, output: () => lines.join("") };
}

const SECRET = "s3cr3t-t0ken-value";

describe("createLogger", () => {
  it("redacts secret-named keys at any depth", () => {
    const { logger, output } = capture();
    logger.info({
      token: SECRET,
      config: { sources: { falcoHttp: { token: SECRET } }, kafka: { sasl: { password: SECRET } } },
      req: { headers: { authorization: `Bearer ${SECRET}` } },
      slack: { webhookUrl: `https://hooks.slack.com/services/${SECRET}` },
    });
    expect(output()).not.toContain(SECRET);
    const line = JSON.parse(output()) as { config: { sources: { falcoHttp: { token: string } } } };
    expect(line.config.sources.falcoHttp.token).toBe("[redacted]");
  });

  it("scrubs credentials from error messages and stacks", () => {
    const { logger, output } = capture();
    logger.error({ err: new Error(`connect to https://user:${SECRET}@siem.example.com/?token=${SECRET} failed`) }, "sink failed");
    const line = JSON.parse(output()) as { err: { message: string; stack: string } };
    expect(output()).not.toContain(SECRET);
    expect(line.err.message).toContain("https://***@siem.example.com/?token=***");
  });

  it("scrubs error fields that are strings, and leaves other values alone", () => {
    const { logger, output } = capture();
    logger.error({ error: `GET https://x.example/?token=${SECRET}`, err: { code: 7 } }, "failed");
    const line = JSON.parse(output()) as { error: string; err: unknown };
    expect(line.error).toBe("GET https://x.example/?token=***");
    expect(line.err).toEqual({ code: 7 });
  });

  it("scrubs URLs with credentials from message strings", () => {
    const { logger, output } = capture();
    logger.warn("posting to %s", `https://hooks.slack.com/services/${SECRET}`);
    expect(output()).not.toContain(SECRET);
    expect(output()).toContain("hooks.slack.com/***");
  });
});
