import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHttpServer, createLogger, createMetrics } from "@outlier/service-kit";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCollectorMetrics } from "../metrics.ts";
import { createAuditWebhookSource } from "./audit-webhook.ts";
import { FakeIngest } from "./testing.ts";

/** A throwaway PKI made with the openssl CLI: a CA, a server cert for 127.0.0.1, and client certs from it and from a stranger CA. */
function makePki(dir: string) {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ca = (name: string) => openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.crt`);
  const leaf = (name: string, caName: string, extensions: string) => {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.csr`);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl("x509", "-req", "-in", `${name}.csr`, "-CA", `${caName}.crt`, "-CAkey", `${caName}.key`, "-CAcreateserial", "-days", "1", "-extfile", `${name}.ext`, "-out", `${name}.crt`);
  };
  ca("test-ca");
  ca("stranger-ca");
  leaf("server", "test-ca", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  leaf("kube-apiserver", "test-ca", "extendedKeyUsage=clientAuth\n");
  leaf("someone-else", "test-ca", "extendedKeyUsage=clientAuth\n");
  leaf("stranger", "stranger-ca", "extendedKeyUsage=clientAuth\n");
  const read = (file: string) => readFileSync(join(dir, file));
  return { read };
}

function post(port: number, ca: Buffer, client?: { cert: Buffer; key: Buffer }): Promise<number> {
  const body = JSON.stringify({ kind: "EventList", items: [{ auditID: "x", stage: "ResponseComplete" }] });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/audit", method: "POST", ca, ...client, headers: { "content-type": "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("audit webhook over TLS with client certificates", () => {
  const dir = mkdtempSync(join(tmpdir(), "outlier-pki-"));
  let pki: ReturnType<typeof makePki>;
  const ingest = new FakeIngest();
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    pki = makePki(dir);
    const logger = createLogger({ level: "silent", name: "test" });
    const registry = createMetrics("outlier_collector_");
    app = createHttpServer({
      logger,
      registry,
      readiness: () => ({ ready: true }),
      tls: { cert: pki.read("server.crt"), key: pki.read("server.key"), ca: pki.read("test-ca.crt") },
    });
    const source = createAuditWebhookSource(
      {
        enabled: true,
        path: "/audit",
        tokens: [],
        clientCertificates: true,
        allowedClientNames: ["kube-apiserver"],
        maxBodyBytes: 4096,
        maxItems: 1000,
        maxConcurrentRequests: 8,
        dedup: { maxEntries: 10, ttlSeconds: 60 },
      },
      { ingest, logger, metrics: createCollectorMetrics(registry), http: app },
    );
    await app.listen({ port: 0, host: "127.0.0.1" });
    await source.start();
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("accepts a client certificate signed by the CA with an allowed name", async () => {
    expect(await post(port, pki.read("test-ca.crt"), { cert: pki.read("kube-apiserver.crt"), key: pki.read("kube-apiserver.key") })).toBe(200);
    expect(ingest.objects).toHaveLength(1);
  });

  it("refuses no certificate, a certificate from another CA, and a name not allowed", async () => {
    const ca = pki.read("test-ca.crt");
    expect(await post(port, ca)).toBe(401);
    expect(await post(port, ca, { cert: pki.read("stranger.crt"), key: pki.read("stranger.key") })).toBe(401);
    expect(await post(port, ca, { cert: pki.read("someone-else.crt"), key: pki.read("someone-else.key") })).toBe(401);
    expect(ingest.objects).toHaveLength(1);
  });

  it("still serves probes without a client certificate", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: "127.0.0.1", port, path: "/healthz", ca: pki.read("test-ca.crt") }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on("error", reject)
        .end();
    });
    expect(status).toBe(200);
  });
});
