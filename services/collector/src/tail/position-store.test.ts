import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFilePositionStore, positionFileName } from "./position-store.ts";

describe("file position store", () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "outlier-positions-"));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it("has nothing saved at first", async () => {
    expect(await createFilePositionStore(stateDir, "/var/log/a.log").load()).toBeUndefined();
  });

  it("loads what was saved last, and leaves no temporary file", async () => {
    const store = createFilePositionStore(join(stateDir, "created-on-save"), "/var/log/a.log");
    await store.save({ inode: "12", position: 100, line: 3 });
    await store.save({ inode: "18446744073709551615", position: 250, line: 7 });
    expect(await store.load()).toEqual({ inode: "18446744073709551615", position: 250, line: 7 });
    expect(await readdir(join(stateDir, "created-on-save"))).toEqual([positionFileName("/var/log/a.log")]);
  });

  it("keeps one file per path, even for paths with the same file name", async () => {
    const first = createFilePositionStore(stateDir, "/a/events.log");
    const second = createFilePositionStore(stateDir, "/b/events.log");
    await first.save({ inode: "1", position: 10, line: 1 });
    await second.save({ inode: "2", position: 20, line: 2 });
    expect(await first.load()).toEqual({ inode: "1", position: 10, line: 1 });
    expect(await second.load()).toEqual({ inode: "2", position: 20, line: 2 });
  });

  it("rejects a position file it cannot read, rather than guessing", async () => {
    await writeFile(join(stateDir, positionFileName("/var/log/a.log")), "{not json");
    await expect(createFilePositionStore(stateDir, "/var/log/a.log").load()).rejects.toThrow(/unreadable position file/);
  });
});
