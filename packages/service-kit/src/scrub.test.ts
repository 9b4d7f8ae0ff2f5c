import { expect, it } from "vitest";
import { scrubSecrets } from "./scrub.ts";

it("removes userinfo, token query parameters, Slack paths and bearer tokens, and keeps the rest", () => {
  expect(scrubSecrets("kafka://alice:pw@broker:9092 ok")).toBe("kafka://***@broker:9092 ok");
  expect(scrubSecrets("GET /x?a=1&access_token=abc&b=2")).toBe("GET /x?a=1&access_token=***&b=2");
  expect(scrubSecrets("https://hooks.slack.com/services/T0/B0/xyz")).toBe("https://hooks.slack.com/***");
  expect(scrubSecrets("Authorization: Bearer abc.def")).toBe("Authorization: Bearer ***");
  expect(scrubSecrets("plain text https://example.com/path")).toBe("plain text https://example.com/path");
});
