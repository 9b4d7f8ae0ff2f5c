export * from "./store.ts";
export * from "./memory-store.ts";
export * from "./redis-store.ts";
export * from "./redis-keys.ts";
