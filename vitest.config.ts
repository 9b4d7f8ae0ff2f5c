import { defineConfig } from "vitest/config";

// Three projects: `unit` needs no server; `integration` (*.int.test.ts) gets a real
// Kafka broker and redis-server from the global setup (or KAFKA_BROKERS / REDIS_URL);
// `kubernetes` (*.k8s.test.ts) gets those and a real control plane (etcd, kube-apiserver,
// kube-controller-manager; or the cluster KUBECONFIG names).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          // Some unit tests start the CLI as a child process; on a busy 2-core CI machine that can take seconds.
          testTimeout: 20_000,
          include: ["packages/**/src/**/*.test.ts", "services/**/src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/*.k8s.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["packages/**/src/**/*.int.test.ts", "services/**/src/**/*.int.test.ts", "test/**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: ["test/harness/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "kubernetes",
          include: ["packages/**/src/**/*.k8s.test.ts", "services/**/src/**/*.k8s.test.ts", "test/**/*.k8s.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: ["test/harness/global-setup.ts", "test/harness/kubernetes-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
