import { labelIndexContract, replicaSnapshotContract } from "./companions-contract.ts";
import { MemoryLabelIndex } from "./workload-labels.ts";
import { MemoryReplicaSnapshotStore } from "./replica-snapshots.ts";

labelIndexContract("memory", async () => new MemoryLabelIndex());

replicaSnapshotContract("memory", async (ttlMs) => {
  let now = 1_000_000;
  return { store: new MemoryReplicaSnapshotStore({ ttlMs, now: () => now }), expire: async () => void (now += ttlMs) };
});
