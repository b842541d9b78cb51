/**
 * `pulumi up` then `pulumi destroy` of a stack of IamUserTeardown users through the real Pulumi CLI, both under the
 * throttled scenario's per-action buckets: examples/decommission-account adopts the users (pulumi up), then
 * `pulumi destroy` removes them, each timed. The emulator runs in the bench process; the Pulumi CLI, its language host
 * and the package's provider (one process for every operation of a command) reach it through AWS_ENDPOINT_URL_IAM,
 * as tests/e2e does.
 *
 * Each command's wall is split into the provider's part and Pulumi's own. The provider's part is the time during which
 * at least one user's operation was under way at IAM: each user's span runs from the first request naming it to the
 * last answer naming it (the emulator's log), and the union of the spans is counted. The rest of the wall is
 * Pulumi's: the CLI's start, the language host and the program, the provider's start, scheduling the next operation
 * and writing the checkpoint after each one (which grows with the stack). It is an upper bound of Pulumi's part: a wait
 * in the provider's rate limiter before a user's first request counts in it (it matters for `pulumi up`, whose first
 * call per user, GetUser, is its busiest action; a destroy starts with the lists of nine actions).
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { emulatorEnv } from "../tests/e2e/support";
import { findPulumiToolchain, REPO_ROOT } from "../tests/helpers/pulumi/toolchain";
import { PulumiWorkspace } from "../tests/helpers/pulumi/workspace";
import { type EmulatorOptions, startEmulator } from "../tests/iam-emulator";
import type { RequestLogEntry } from "../tests/iam-emulator/request-log";
import { minimalCalls } from "./call-model";
import { throttleBoundMs } from "./limits";
import { type ScenarioSpec, seedOf } from "./scenarios";

const EXAMPLE = path.join(REPO_ROOT, "examples", "decommission-account");

/** One command's wall, split into the provider's part and Pulumi's own (see above). */
export interface PulumiCommandSplit {
  wallMs: number;
  /** Time with at least one user's operation under way at IAM (the union of the users' spans). */
  providerMs: number;
  /** wall - provider's part. */
  pulumiMs: number;
  /** Requests accepted (throttled attempts apart) and throttled. */
  calls: number;
  throttled: number;
  /** The busiest action's accepted calls / rate: the bound of the command's own calls. */
  ownLimitMs: number;
  ownLimitAction?: string;
}

export interface PulumiDestroyResult {
  users: number;
  /** `--parallel` given to pulumi up and pulumi destroy. */
  parallel: number;
  usersLeft: number;
  onePass: boolean;
  /** `pulumi destroy` from start to exit. */
  wallMs: number;
  destroy: PulumiCommandSplit;
  up: PulumiCommandSplit;
  /** destroy's provider part / floor: the provider's target. */
  providerRatioToFloor: number;
  /** From the destroy's first IAM request to its last answer: the provider's teardowns. */
  iamSpanMs: number;
  /** wall - IAM span: the CLI, the language host, loading the program and the provider, the state file. */
  pulumiOverheadMs: number;
  floorMs: number;
  floorAction?: string;
  ratioToFloor: number;
  calls: number;
  throttled: number;
  getUserPerUser: number;
  listUsers: number;
  listVirtualMfaDevices: number;
  upMs: number;
  error?: string;
}

export type PulumiDestroyOutcome = PulumiDestroyResult | { skipped: string };

/** The measure of the union of intervals: time covered by at least one of them. */
export function unionMs(intervals: Array<[number, number]>): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [a, b] of sorted) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/** A command's split from its wall and the emulator's log of its requests. */
function splitOf(wallMs: number, log: readonly RequestLogEntry[], rate: number, burst: number): PulumiCommandSplit {
  const spans = new Map<string, [number, number]>();
  const accepted: Record<string, number> = {};
  for (const e of log) {
    if (e.fault !== "throttle-rate") accepted[e.action] = (accepted[e.action] ?? 0) + 1;
    if (!e.userName) continue;
    const span = spans.get(e.userName);
    if (span) {
      span[0] = Math.min(span[0], e.startedAt);
      span[1] = Math.max(span[1], e.endedAt);
    } else spans.set(e.userName, [e.startedAt, e.endedAt]);
  }
  const providerMs = Math.min(wallMs, unionMs([...spans.values()]));
  const own = throttleBoundMs(accepted, rate, burst);
  const throttled = log.filter((e) => e.fault === "throttle-rate").length;
  return {
    wallMs: Math.round(wallMs),
    providerMs: Math.round(providerMs),
    pulumiMs: Math.round(wallMs - providerMs),
    calls: log.length - throttled,
    throttled,
    ownLimitMs: Math.round(own.ms),
    ownLimitAction: own.action,
  };
}

export async function runPulumiDestroy(s: ScenarioSpec, latencyMs: number, parallel = 10): Promise<PulumiDestroyOutcome> {
  const toolchain = findPulumiToolchain();
  if ("skipReason" in toolchain) return { skipped: toolchain.skipReason };
  // One options object, kept: the emulator's fault injector reads `throttle` from it at every request.
  const options: EmulatorOptions = { port: 0, latencyMs, seed: 7 };
  const emulator = await startEmulator(options);
  const ws = await PulumiWorkspace.create({
    toolchain,
    projectName: "decommission-account",
    env: emulatorEnv(emulator),
    timeoutMs: 30 * 60_000,
  });
  try {
    await ws.stackInit("e2e");
    emulator.seed(seedOf(s));
    const names = s.targets.map((t) => t.userName);
    const flags = ["--stack", "e2e", "--config-file", `${ws.programDir}/Pulumi.e2e.yaml`];
    const run = (args: string[]) => ws.run([...args, ...flags], { cwd: EXAMPLE });
    await ws.runOk(["config", "set-all", "--path", ...names.flatMap((n, i) => ["--plaintext", `userNames[${i}]=${n}`])]);
    const rate = s.throttle?.ratePerSecond ?? Number.POSITIVE_INFINITY;
    const burst = s.throttle?.burst ?? 0;
    // Both commands under IAM's throttling, as a real account has it.
    options.throttle = s.throttle ? { ratePerSecond: rate, burst } : undefined;
    emulator.clearLog();
    let t0 = performance.now();
    const up = await run(["up", "--yes", "--skip-preview", "--non-interactive", "--parallel", String(parallel)]);
    const upSplit = splitOf(performance.now() - t0, emulator.log, rate, burst);
    if (up.code !== 0) throw new Error(`pulumi up failed: ${up.stderr.slice(-800)}`);
    emulator.clearLog();
    t0 = performance.now();
    const destroy = await run(["destroy", "--yes", "--skip-preview", "--non-interactive", "--parallel", String(parallel)]);
    const wallMs = performance.now() - t0;
    const log = emulator.log;
    const destroySplit = splitOf(wallMs, log, rate, burst);
    const accepted: Record<string, number> = {};
    for (const e of log) if (e.fault !== "throttle-rate") accepted[e.action] = (accepted[e.action] ?? 0) + 1;
    const floor = throttleBoundMs(minimalCalls(s.targets), s.throttle?.ratePerSecond ?? Infinity, s.throttle?.burst ?? 0);
    const iamSpanMs = log.length > 0 ? Math.max(...log.map((e) => e.endedAt)) - Math.min(...log.map((e) => e.startedAt)) : 0;
    const usersLeft = names.filter((n) => emulator.state.userExists(n)).length;
    return {
      users: names.length,
      parallel,
      usersLeft,
      onePass: destroy.code === 0 && usersLeft === 0,
      wallMs: Math.round(wallMs),
      iamSpanMs: Math.round(iamSpanMs),
      pulumiOverheadMs: Math.round(wallMs - iamSpanMs),
      floorMs: Math.round(floor.ms),
      floorAction: floor.action,
      ratioToFloor: Math.round((wallMs / floor.ms) * 100) / 100,
      calls: log.length,
      throttled: log.filter((e) => e.fault === "throttle-rate").length,
      getUserPerUser: Math.round(((accepted.GetUser ?? 0) / names.length) * 100) / 100,
      listUsers: accepted.ListUsers ?? 0,
      listVirtualMfaDevices: accepted.ListVirtualMFADevices ?? 0,
      upMs: upSplit.wallMs,
      destroy: destroySplit,
      up: upSplit,
      providerRatioToFloor: Math.round((destroySplit.providerMs / floor.ms) * 100) / 100,
      error: destroy.code === 0 ? undefined : destroy.stderr.slice(-800),
    };
  } finally {
    await ws.dispose();
    await emulator.stop();
  }
}
