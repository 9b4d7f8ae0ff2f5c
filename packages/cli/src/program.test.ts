import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "./program.ts";

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

describe("the outlier program", () => {
  it("gives every --output option the short form -o, so one habit works on every command", () => {
    const outputs = allCommands(buildProgram()).flatMap((command) =>
      command.options.filter((o) => o.long === "--output").map((o) => ({ command: command.name(), short: o.short })),
    );
    expect(outputs.map((o) => o.command)).toEqual(expect.arrayContaining(["replay", "normalize", "findings", "replicas"]));
    expect(outputs.filter((o) => o.short !== "-o")).toEqual([]);
  });
});
