import { baselineStoreContract } from "./contract.ts";
import { MemoryBaselineStore } from "./memory-store.ts";

baselineStoreContract("memory", async () => new MemoryBaselineStore());
