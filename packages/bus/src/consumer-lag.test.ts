import { describe, expect, it } from "vitest";
import { partitionLags } from "./consumer-lag.ts";

describe("partitionLags", () => {
  it("is the high watermark minus the committed offset, per partition", () => {
    const watermarks = [
      { partition: 0, low: "0", high: "120" },
      { partition: 1, low: "0", high: "7" },
    ];
    expect(partitionLags("t", watermarks, [{ partition: 0, offset: "100" }, { partition: 1, offset: "7" }])).toEqual([
      { topic: "t", partition: 0, lag: 20 },
      { topic: "t", partition: 1, lag: 0 },
    ]);
  });

  it("counts a partition the group never committed from its low watermark (retention removed the rest)", () => {
    const watermarks = [{ partition: 2, low: "40", high: "100" }];
    expect(partitionLags("t", watermarks, [{ partition: 2, offset: "-1" }])).toEqual([{ topic: "t", partition: 2, lag: 60 }]);
    expect(partitionLags("t", watermarks, [])).toEqual([{ topic: "t", partition: 2, lag: 60 }]);
  });

  it("handles offsets beyond 2^53 and never goes negative", () => {
    const big = "9007199254740993";
    expect(partitionLags("t", [{ partition: 0, low: "0", high: big }], [{ partition: 0, offset: "9007199254740990" }])).toEqual([{ topic: "t", partition: 0, lag: 3 }]);
    // A commit past the high watermark (truncated log): no negative lag.
    expect(partitionLags("t", [{ partition: 0, low: "0", high: "5" }], [{ partition: 0, offset: "9" }])).toEqual([{ topic: "t", partition: 0, lag: 0 }]);
  });
});
