import { findingLogContract } from "./finding-log-contract.ts";
import { MemoryFindingLog } from "./memory-finding-log.ts";

findingLogContract("memory", async () => new MemoryFindingLog({ maxLen: 150 }), 150);
