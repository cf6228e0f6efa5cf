import { createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Server } from "node:https";
import type { AddressInfo } from "node:net";
import { TLSSocket } from "node:tls";
import { request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { agentOptions, createAgent } from "../../src/mosapi/dispatcher.js";
import { createTestPki } from "../helpers/pki.js";
import type { TestPki } from "../helpers/pki.js";

describe("agentOptions", () => {
  it("always verifies the server and carries TLS, client certificate and timeouts", () => {
    expect(
      agentOptions({
        cert: "CERT",
        key: "KEY",
        ca: "CA",
        minVersion: "TLSv1.3",
        sourceAddress: "192.0.2.10",
        timeoutMs: 15_000,
      }),
    ).toEqual({
      connect: {
        rejectUnauthorized: true,
        timeout: 15_000,
        ca: "CA",
        cert: "CERT",
        key: "KEY",
        minVersion: "TLSv1.3",
      },
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
      localAddress: "192.0.2.10",
    });
    expect(agentOptions({ timeoutMs: 1000 })).toEqual({
      connect: { rejectUnauthorized: true, timeout: 1000 },
      headersTimeout: 1000,
      bodyTimeout: 1000,
    });
  });

  it("verifies the server certificate unless verification is explicitly skipped", () => {
    expect(agentOptions({ timeoutMs: 1000, insecureSkipVerify: false }).connect).toMatchObject({
      rejectUnauthorized: true,
    });
    expect(agentOptions({ timeoutMs: 1000, insecureSkipVerify: true }).connect).toMatchObject({
      rejectUnauthorized: false,
    });
  });

  it("refuses half a certificate pair", () => {
    expect(() => agentOptions({ cert: "CERT", timeoutMs: 1000 })).toThrow(TypeError);
  });
});

describe("createAgent", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it("binds outgoing sockets to the source address", async () => {
    const server = createServer((req, res) => {
      res.end(req.socket.remoteAddress);
    });
    await new Promise<void>((resolve) => {
      server.listen(0, "127.0.0.1", resolve);
    });
    closers.push(
      () =>
        new Promise((resolve) => {
          server.close(() => {
            resolve();
          });
        }),
    );
    const agent = createAgent({ sourceAddress: "127.0.0.1", timeoutMs: 5000 });
    closers.push(() => agent.close());
    const { port } = server.address() as AddressInfo;
    const response = await request(`http://127.0.0.1:${port}/`, { dispatcher: agent });
    expect(await response.body.text()).toBe("127.0.0.1");
  });

  it("rejects a source address that is not an IP", () => {
    expect(() => createAgent({ sourceAddress: "not-an-ip", timeoutMs: 1000 })).toThrow(
      "source address must be an IP address",
    );
  });
});

describe("createAgent over TLS", () => {
  let pki: TestPki;
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    pki = await createTestPki();
    server = createHttpsServer(
      {
        cert: pki.server.cert,
        key: pki.server.key,
        ca: pki.ca.cert,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const socket = req.socket;
        // Without a client certificate the peer object is empty at runtime.
        const subject =
          socket instanceof TLSSocket
            ? (socket.getPeerCertificate().subject as { CN?: unknown } | undefined)
            : undefined;
        res.end(typeof subject?.CN === "string" ? subject.CN : "anonymous");
      },
    );
    await new Promise<void>((resolve) => {
      server.listen(0, "127.0.0.1", resolve);
    });
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    await pki.cleanup();
  });

  it("presents the client certificate and verifies the server with the CA", async () => {
    const client = await pki.client("rsp-cert");
    const agent = createAgent({
      ca: pki.ca.cert,
      cert: client.cert,
      key: client.key,
      minVersion: "TLSv1.2",
      timeoutMs: 5000,
    });
    const response = await request(`${origin}/`, { dispatcher: agent });
    expect(await response.body.text()).toBe("rsp-cert");
    await agent.close();
  });

  it("refuses a server it cannot verify", async () => {
    const agent = createAgent({ timeoutMs: 5000 });
    await expect(request(`${origin}/`, { dispatcher: agent })).rejects.toThrow();
    await agent.close();
  });
});
