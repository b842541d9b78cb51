/**
 * `pulumi destroy` of a stack of IamUserTeardown users through the real Pulumi CLI, under the throttled scenario's
 * per-action buckets: examples/decommission-account adopts the users (pulumi up, unthrottled), then the buckets are
 * switched on and `pulumi destroy` is timed. The emulator runs in the bench process; the Pulumi CLI, its language
 * host and the package's provider (one process for every delete of the destroy) reach it through
 * AWS_ENDPOINT_URL_IAM, as tests/e2e does.
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { emulatorEnv } from "../tests/e2e/support";
import { findPulumiToolchain, REPO_ROOT } from "../tests/helpers/pulumi/toolchain";
import { PulumiWorkspace } from "../tests/helpers/pulumi/workspace";
import { type EmulatorOptions, startEmulator } from "../tests/iam-emulator";
import { minimalCalls } from "./call-model";
import { throttleBoundMs } from "./limits";
import { type ScenarioSpec, seedOf } from "./scenarios";

const EXAMPLE = path.join(REPO_ROOT, "examples", "decommission-account");

export interface PulumiDestroyResult {
  users: number;
  usersLeft: number;
  onePass: boolean;
  /** `pulumi destroy` from start to exit. */
  wallMs: number;
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

export async function runPulumiDestroy(s: ScenarioSpec, latencyMs: number): Promise<PulumiDestroyOutcome> {
  const toolchain = findPulumiToolchain();
  if ("skipReason" in toolchain) return { skipped: toolchain.skipReason };
  // One options object, kept: the emulator's fault injector reads `throttle` from it at every request.
  const options: EmulatorOptions = { port: 0, latencyMs, seed: 7, attachedPoliciesPerUserQuota: 20 };
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
    let t0 = performance.now();
    const up = await run(["up", "--yes", "--skip-preview", "--non-interactive", "--parallel", "10"]);
    const upMs = performance.now() - t0;
    if (up.code !== 0) throw new Error(`pulumi up failed: ${up.stderr.slice(-800)}`);
    options.throttle = s.throttle ? { ratePerSecond: s.throttle.ratePerSecond, burst: s.throttle.burst } : undefined;
    emulator.clearLog();
    t0 = performance.now();
    const destroy = await run(["destroy", "--yes", "--skip-preview", "--non-interactive", "--parallel", "10"]);
    const wallMs = performance.now() - t0;
    const log = emulator.log;
    const accepted: Record<string, number> = {};
    for (const e of log) if (e.fault !== "throttle-rate") accepted[e.action] = (accepted[e.action] ?? 0) + 1;
    const floor = throttleBoundMs(minimalCalls(s.targets), s.throttle?.ratePerSecond ?? Infinity, s.throttle?.burst ?? 0);
    const iamSpanMs = log.length > 0 ? Math.max(...log.map((e) => e.endedAt)) - Math.min(...log.map((e) => e.startedAt)) : 0;
    const usersLeft = names.filter((n) => emulator.state.userExists(n)).length;
    return {
      users: names.length,
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
      upMs: Math.round(upMs),
      error: destroy.code === 0 ? undefined : destroy.stderr.slice(-800),
    };
  } finally {
    await ws.dispose();
    await emulator.stop();
  }
}
