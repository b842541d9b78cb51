/**
 * The IAM emulator in its own process, driven over IPC by the bench (remote-emulator.ts).
 *
 * Why a separate process: the implementations under test and the emulator would otherwise share one event loop, so
 * the emulator's XML work would be billed to whichever implementation makes the most calls, and the bench process's
 * RSS (a reported figure) would include the emulator's account state and request log.
 */
import "../tests/helpers/aws-env";
import { type Emulator, type EmulatorOptions, type Scenario, startEmulator } from "../tests/iam-emulator";

export interface ActionStats {
  /** Requests received for the action. */
  total: number;
  /** Requests that got past the per-action token bucket (the ones that count against IAM's quota). */
  accepted: number;
  /** Requests answered 400 Throttling by the token bucket. */
  throttled: number;
  /** Error answers other than the token bucket's, by error code. */
  errors: Record<string, number>;
}

export interface LogStats {
  total: number;
  accepted: number;
  throttled: number;
  byAction: Record<string, ActionStats>;
  /** The most-called action's accepted requests per second of the run (how steadily its bucket was used). */
  busiest?: { action: string; acceptedPerSecond: number[] };
  /** CPU the emulator process spent since the log was last cleared (answering the run's requests). */
  emulatorCpuMs: number;
  /** With several accounts: each account's requests past its token buckets, by action (organization.ts). */
  acceptedByAccount?: Record<string, Record<string, number>>;
}

export interface InspectQuery {
  /** Users that should be gone. */
  targets: string[];
  /** Users that must be unchanged. */
  bystanders: string[];
  /** Virtual device serials that belonged to the targets: none may remain in the account. */
  targetVirtualSerials: string[];
}

export interface InspectResult {
  usersLeft: string[];
  orphanedVirtual: string[];
  bystanderSnapshots: Record<string, string>;
  virtualDevicesInAccount: number;
}

export type HostRequest =
  | { id: number; cmd: "start"; options: EmulatorOptions }
  | { id: number; cmd: "seed"; scenario: Scenario; accountId?: string }
  | { id: number; cmd: "clearLog" }
  | { id: number; cmd: "stats" }
  | { id: number; cmd: "inspect"; query: InspectQuery; accountId?: string }
  | { id: number; cmd: "stop" };

let emulator: Emulator | undefined;
let cpuAtClear = process.cpuUsage();

function stats(e: Emulator): LogStats {
  const cpu = process.cpuUsage(cpuAtClear);
  const out: LogStats = { total: 0, accepted: 0, throttled: 0, byAction: {}, emulatorCpuMs: (cpu.user + cpu.system) / 1000 };
  for (const entry of e.log) {
    const a = (out.byAction[entry.action] ??= { total: 0, accepted: 0, throttled: 0, errors: {} });
    a.total++;
    out.total++;
    if (entry.fault === "throttle-rate") {
      a.throttled++;
      out.throttled++;
      continue;
    }
    a.accepted++;
    out.accepted++;
    if (entry.errorCode) a.errors[entry.errorCode] = (a.errors[entry.errorCode] ?? 0) + 1;
    if (e.accountIds.length > 1 && entry.accountId) {
      const account = ((out.acceptedByAccount ??= {})[entry.accountId] ??= {});
      account[entry.action] = (account[entry.action] ?? 0) + 1;
    }
  }
  const busiest = Object.entries(out.byAction).sort((x, y) => y[1].accepted - x[1].accepted)[0]?.[0];
  if (busiest && e.log.length > 0) {
    const t0 = e.log[0].startedAt;
    const perSecond: number[] = [];
    for (const entry of e.log) {
      if (entry.action !== busiest || entry.fault === "throttle-rate") continue;
      const sec = Math.floor((entry.startedAt - t0) / 1000);
      while (perSecond.length <= sec) perSecond.push(0);
      perSecond[sec]++;
    }
    out.busiest = { action: busiest, acceptedPerSecond: perSecond };
  }
  return out;
}

function inspect(e: Emulator, q: InspectQuery, accountId = e.accountId): InspectResult {
  const state = e.account(accountId);
  const present = new Set(state.listVirtualMfaDevices("Any").map((d) => d.serial));
  return {
    usersLeft: q.targets.filter((u) => state.userExists(u)),
    orphanedVirtual: q.targetVirtualSerials.filter((s) => present.has(s)),
    bystanderSnapshots: Object.fromEntries(q.bystanders.map((b) => [b, JSON.stringify(state.snapshotUser(b))])),
    virtualDevicesInAccount: present.size,
  };
}

async function handle(req: HostRequest): Promise<unknown> {
  switch (req.cmd) {
    case "start":
      if (emulator) await emulator.stop();
      // The scenarios attach up to 20 managed policies a user: an account whose quota was raised to IAM's maximum.
      emulator = await startEmulator({ port: 0, attachedPoliciesPerUserQuota: 20, ...req.options });
      return { endpoint: emulator.endpoint, accountId: emulator.accountId };
    case "seed":
      return req.accountId ? need().account(req.accountId).seed(req.scenario) : need().seed(req.scenario);
    case "clearLog":
      need().clearLog();
      cpuAtClear = process.cpuUsage();
      return null;
    case "stats":
      return stats(need());
    case "inspect":
      return inspect(need(), req.query, req.accountId);
    case "stop":
      await emulator?.stop();
      emulator = undefined;
      return null;
  }
}

function need(): Emulator {
  if (!emulator) throw new Error("emulator not started");
  return emulator;
}

process.on("message", (msg: HostRequest) => {
  handle(msg).then(
    (result) => process.send!({ id: msg.id, ok: true, result }),
    (err: unknown) => process.send!({ id: msg.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
process.on("disconnect", () => process.exit(0));
