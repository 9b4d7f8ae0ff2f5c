#!/usr/bin/env node
import { buildProgram } from "./program.ts";

// scripts/dev (and pnpm) run from the repository root; file arguments are meant from where the person typed them.
const invokedFrom = process.env["OUTLIER_INVOKED_FROM"];
if (invokedFrom) process.chdir(invokedFrom);

await buildProgram().parseAsync(process.argv);
