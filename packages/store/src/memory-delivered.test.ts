import { deliveredStoreContract } from "./delivered-contract.ts";
import { MemoryDeliveredStore } from "./memory-delivered.ts";

deliveredStoreContract("memory", async (ttlMs) => new MemoryDeliveredStore({ ttlMs }));
