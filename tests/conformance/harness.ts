// Runs the same IAM scenario through the unmodified SDK against moto and the emulator, and judges
// each answer against the AWS reference: HTTP status, error code, and the result fields present.
// moto is held to the reference too, except on steps marked with a known difference.

import { strict as assert } from "node:assert";
import { EnableMFADeviceCommand, IAMClient } from "@aws-sdk/client-iam";
import { acquireMoto, type MotoServer, motoUnavailableReason, releaseMoto } from "../helpers/moto";
import { type Emulator, startEmulator } from "../iam-emulator";
import { type DifferenceId, KNOWN_DIFFERENCES } from "./differences";

export type ServerName = "moto" | "emulator";

export interface Target {
  name: ServerName;
  iam: IAMClient;
  endpoint: string;
  accountId: string;
  /** Values saved by earlier steps (ids the server generated). */
  vars: Record<string, string>;
  /** Gives the user a FIDO security key: a state helper in the emulator, EnableMFADevice with a u2f ARN in moto (which accepts any serial). */
  addFido(userName: string): Promise<string>;
}

export type Outcome =
  | { ok: true; status: number; out: Record<string, unknown> }
  | { ok: false; status: number; code: string; message: string };

export interface Expect {
  /** Success, with these field paths present ('User.UserId', 'Users[].UserName'). */
  fields?: string[];
  /** Field paths that must not be present. */
  absent?: string[];
  /** Failure with this error code... */
  error?: string;
  /** ...and this HTTP status. */
  status?: number;
  /** AWS's message for the error; checked on the emulator only (moto words its messages differently). */
  awsMessage?: string;
  /** Further checks on a successful result; returns the problem, if any. */
  check?: (out: Record<string, unknown>, t: Target) => string | undefined;
}

export interface Step {
  label: string;
  call: (t: Target) => any;
  expect: Expect;
  /** moto is known to answer differently from AWS here; the emulator is still held to AWS. */
  differs?: DifferenceId;
  save?: (out: Record<string, unknown>, t: Target) => void;
}

export async function attempt(iam: IAMClient, command: unknown): Promise<Outcome> {
  try {
    const out = (await iam.send(command as any)) as Record<string, unknown> & { $metadata?: { httpStatusCode?: number } };
    return { ok: true, status: out.$metadata?.httpStatusCode ?? 200, out };
  } catch (e) {
    const err = e as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    return {
      ok: false,
      status: err.$metadata?.httpStatusCode ?? 0,
      code: err.Code ?? err.name ?? "Unknown",
      message: (err.message ?? "").split("\n")[0],
    };
  }
}

/** Every field path present in a result: 'User.UserName', 'Users[].UserName'. */
export function fieldPaths(v: unknown, prefix = "", out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) {
    for (const item of v) fieldPaths(item, `${prefix}[]`, out);
  } else if (v && typeof v === "object" && !(v instanceof Date) && !(v instanceof Uint8Array)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === "$metadata" || x === undefined) continue;
      const p = prefix ? `${prefix}.${k}` : k;
      out.add(p);
      fieldPaths(x, p, out);
    }
  }
  return out;
}

export function describeOutcome(o: Outcome): string {
  return o.ok ? `${o.status} OK` : `${o.status} ${o.code}: ${o.message}`;
}

export function judge(o: Outcome, e: Expect, t: Target): string | undefined {
  if (e.error) {
    if (o.ok) return `expected ${e.error} (${e.status}), got success`;
    if (o.code !== e.error || (e.status !== undefined && o.status !== e.status))
      return `expected ${e.error} (${e.status}), got ${describeOutcome(o)}`;
    if (e.awsMessage !== undefined && t.name === "emulator" && o.message !== e.awsMessage)
      return `expected message "${e.awsMessage}", got "${o.message}"`;
    return undefined;
  }
  if (!o.ok) return `expected success, got ${describeOutcome(o)}`;
  const paths = fieldPaths(o.out);
  const missing = (e.fields ?? []).filter((f) => !paths.has(f));
  if (missing.length) return `missing fields ${missing.join(", ")} (present: ${[...paths].sort().join(", ")})`;
  const extra = (e.absent ?? []).filter((f) => paths.has(f));
  if (extra.length) return `fields that should be absent: ${extra.join(", ")}`;
  return e.check?.(o.out, t);
}

/** What moto answered on steps marked as known differences, reported after the run. */
export const observedDifferences: Array<{ id: DifferenceId; step: string; moto: string; agreed: boolean }> = [];

export interface Servers {
  readonly moto: MotoServer;
}

/** Registers the suite's moto (shared across files) and the skip / REQUIRE_MOTO rule. */
export function useConformance(): Servers {
  let moto: MotoServer | undefined;
  before(async function () {
    this.timeout(60_000);
    const reason = motoUnavailableReason();
    if (reason) {
      if (process.env.REQUIRE_MOTO === "1") throw new Error(`REQUIRE_MOTO=1 but ${reason}`);
      console.log(`      moto conformance skipped: ${reason}`);
      this.skip();
    }
    moto = await acquireMoto();
  });
  after(() => {
    if (moto) releaseMoto();
    moto = undefined;
  });
  return {
    get moto() {
      return moto!;
    },
  };
}

function client(endpoint: string): IAMClient {
  return new IAMClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    maxAttempts: 1,
  });
}

/** A clean moto account and a fresh emulator, as targets. */
export async function freshTargets(servers: Servers): Promise<{ targets: Target[]; emulator: Emulator; close(): Promise<void> }> {
  await servers.moto.reset();
  const emulator = await startEmulator({ port: 0 });
  const code = { AuthenticationCode1: "123456", AuthenticationCode2: "654321" };
  let fidoCount = 0;
  const motoTarget: Target = {
    name: "moto",
    iam: client(servers.moto.endpoint),
    endpoint: servers.moto.endpoint,
    accountId: "123456789012",
    vars: {},
    async addFido(userName) {
      const serial = `arn:aws:iam::123456789012:u2f/user/${userName}/fido-key-${++fidoCount}`;
      await motoTarget.iam.send(new EnableMFADeviceCommand({ UserName: userName, SerialNumber: serial, ...code }));
      return serial;
    },
  };
  const emuTarget: Target = {
    name: "emulator",
    iam: client(emulator.endpoint),
    endpoint: emulator.endpoint,
    accountId: emulator.accountId,
    vars: {},
    async addFido(userName) {
      return emulator.state.addFidoDevice(userName);
    },
  };
  return {
    targets: [motoTarget, emuTarget],
    emulator,
    async close() {
      motoTarget.iam.destroy();
      emuTarget.iam.destroy();
      await emulator.stop();
    },
  };
}

/**
 * Runs the steps on both servers. The emulator must match the AWS reference on every step;
 * moto must too, except on steps marked `differs`, where its answer is only recorded.
 */
export async function runScenario(servers: Servers, steps: Step[]): Promise<void> {
  const env = await freshTargets(servers);
  const failures: string[] = [];
  try {
    for (const t of env.targets) {
      for (const step of steps) {
        const o = await attempt(t.iam, step.call(t));
        if (o.ok && step.save) step.save(o.out, t);
        const reason = judge(o, step.expect, t);
        if (t.name === "emulator") {
          if (reason) failures.push(`emulator: ${step.label}: ${reason}`);
        } else if (step.differs) {
          assert.ok(KNOWN_DIFFERENCES[step.differs], step.differs);
          observedDifferences.push({ id: step.differs, step: step.label, moto: describeOutcome(o), agreed: !reason });
        } else if (reason) {
          failures.push(`moto: ${step.label}: ${reason}`);
        }
      }
    }
  } finally {
    await env.close();
  }
  assert.deepEqual(failures, [], failures.join("\n"));
}

/** Prints what moto answered where it is known to differ (and where it no longer does). */
export function reportDifferences(): void {
  after(() => {
    if (observedDifferences.length === 0) return;
    const agreed = observedDifferences.filter((d) => d.agreed);
    const ids = [...new Set(observedDifferences.filter((d) => !d.agreed).map((d) => d.id))];
    console.log(`      moto differed from AWS on ${observedDifferences.length - agreed.length} step(s): ${ids.join(", ")}`);
    for (const d of agreed)
      console.log(`      note: moto now matches AWS on "${d.step}" (${d.id}); the differences table may be out of date`);
    observedDifferences.length = 0;
  });
}
