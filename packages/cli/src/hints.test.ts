import path from "node:path";
import { describe, expect, it } from "vitest";
import { commandHints, REPO_ROOT } from "./hints.ts";

describe("commandHints", () => {
  it("says scripts/dev outlier when the person came through scripts/dev, with paths from their directory", () => {
    const fromRoot = commandHints({ OUTLIER_VIA_DEV_SCRIPT: "1", OUTLIER_INVOKED_FROM: REPO_ROOT });
    expect(fromRoot.outlier).toBe("scripts/dev outlier");
    expect(fromRoot.path("examples/demo")).toBe("examples/demo");
    const fromDocs = commandHints({ OUTLIER_VIA_DEV_SCRIPT: "1", OUTLIER_INVOKED_FROM: path.join(REPO_ROOT, "docs") });
    expect(fromDocs.outlier).toBe("../scripts/dev outlier");
    expect(fromDocs.path("examples/demo")).toBe("../examples/demo");
  });

  it("says pnpm outlier otherwise (pnpm on PATH ran it)", () => {
    expect(commandHints({}, REPO_ROOT).outlier).toBe("pnpm outlier");
  });
});
