import { MemorySeenSet } from "@outlier/audit-rules";
import { seenSetContract } from "./seen-set-contract.ts";

seenSetContract("memory (MemorySeenSet)", {
  open: async (learningMs) => new MemorySeenSet({ learningMs }),
  reopen: async (set) => set,
});
