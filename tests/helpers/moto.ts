// Starts moto's standalone server (installed by scripts/setup-moto.sh into .venv/) on a free
// loopback port, for the conformance suite that runs the same IAM scenarios against moto and
// the local emulator.

import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const MOTO_SERVER = path.join(REPO_ROOT, ".venv", "bin", "moto_server");

export interface MotoServer {
  endpoint: string;
  /** Clears every backend (moto's /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Why moto cannot run here, or undefined when it can. */
export function motoUnavailableReason(): string | undefined {
  if (!fs.existsSync(MOTO_SERVER))
    return `moto_server not found at ${path.relative(REPO_ROOT, MOTO_SERVER)} (run: bash scripts/setup-moto.sh)`;
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer within ${timeoutMs} ms:\n${output()}`);
}

export async function startMoto(timeoutMs = 30_000): Promise<MotoServer> {
  const reason = motoUnavailableReason();
  if (reason) throw new Error(reason);
  const port = await freePort();
  let out = "";
  const child = spawn(MOTO_SERVER, ["-H", "127.0.0.1", "-p", String(port)], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_REGION: "us-east-1",
      // AWS managed policies (arn:aws:iam::aws:policy/...) exist in every real account.
      MOTO_IAM_LOAD_MANAGED_POLICIES: "true",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-8000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, child, () => out, timeoutMs);
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
  return {
    endpoint,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), 3000).unref();
      });
    },
  };
}

// One moto server shared by every conformance file in a run: started on first use, stopped
// shortly after the last suite lets go of it (the next file's suite usually takes it back first).
let shared: { server: Promise<MotoServer>; refs: number; stopTimer?: NodeJS.Timeout } | undefined;

export function acquireMoto(): Promise<MotoServer> {
  if (!shared) shared = { server: startMoto(), refs: 0 };
  if (shared.stopTimer) clearTimeout(shared.stopTimer);
  shared.stopTimer = undefined;
  shared.refs++;
  return shared.server;
}

export function releaseMoto(): void {
  const s = shared;
  if (!s) return;
  s.refs--;
  if (s.refs > 0) return;
  s.stopTimer = setTimeout(() => {
    if (shared === s && s.refs === 0) {
      shared = undefined;
      void s.server.then(
        (m) => m.stop(),
        () => undefined,
      );
    }
  }, 250);
}

/**
 * A loopback front for moto that a whole teardown can run against: moto does not implement
 * ListServiceSpecificCredentials (a known difference, see tests/conformance), and a user in moto can hold no such
 * credential, so the front answers that list as empty for a user moto knows (moto's own answer to GetUser otherwise,
 * NoSuchEntity included) and passes every other request through unchanged.
 */
export async function startMotoFront(motoEndpoint: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const http = await import("node:http");
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      const params = new URLSearchParams(body);
      const headers = { ...req.headers } as Record<string, string>;
      delete headers["content-length"];
      delete headers.host;
      const forward = (payload: string) =>
        fetch(`${motoEndpoint}${req.url ?? "/"}`, { method: req.method, headers, body: req.method === "POST" ? payload : undefined });
      const relay = async (answer: Response) => {
        res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/xml" });
        res.end(Buffer.from(await answer.arrayBuffer()));
      };
      void (async () => {
        if (params.get("Action") !== "ListServiceSpecificCredentials") return relay(await forward(body));
        const user = await forward(
          new URLSearchParams({ Action: "GetUser", Version: "2010-05-08", UserName: params.get("UserName") ?? "" }).toString(),
        );
        if (user.status !== 200) return relay(user);
        res.writeHead(200, { "content-type": "text/xml" });
        res.end(
          '<ListServiceSpecificCredentialsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListServiceSpecificCredentialsResult>' +
            "<ServiceSpecificCredentials/><IsTruncated>false</IsTruncated></ListServiceSpecificCredentialsResult>" +
            "<ResponseMetadata><RequestId>moto-front</RequestId></ResponseMetadata></ListServiceSpecificCredentialsResponse>",
        );
      })().catch((err: Error) => {
        res.writeHead(502);
        res.end(String(err.message));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
