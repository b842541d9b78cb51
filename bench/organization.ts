/**
 * The organization scenario: the same users in each of N accounts, each account behind a role assumed there and
 * throttled on its own, all torn down by one fleet CLI process (the compiled package, bin/iam-user-teardown.js) with
 * an accounts file. IAM throttles each account apart, so the run's floor is the slowest account's, not the sum.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type ActionCounts, engineCalls, minimalCalls } from "./call-model";
import type { InspectResult } from "./emulator-host";
import { runFleetCliProcess } from "./implementations";
import { limitFor } from "./limits";
import type { RemoteEmulator } from "./remote-emulator";
import type { BenchRecord } from "./report";
import { type ScenarioSpec, seedOf } from "./scenarios";

const ROLE_NAME = "BenchDecommission";

/** The accounts of the scenario: 100000000001, 100000000002, ... */
export const organizationAccountIds = (n: number): string[] => Array.from({ length: n }, (_, i) => String(100_000_000_001 + i));

/** What results.json adds for an organization row. */
export interface OrganizationFigures {
  accounts: number;
  /** The slowest account's limit for the calls it made (its busiest bucket, or its chain). */
  slowestAccountLimitMs: number;
  slowestAccount: string;
  /** What the accounts' limits would add up to, one after another: what a loop over accounts costs at least. */
  sumOfAccountLimitsMs: number;
  /** Accounts the run refused (none expected). */
  refusedAccounts: string[];
}

interface UserLine {
  type: string;
  accountId?: string;
  userName?: string;
  outcome?: string;
  rounds?: number;
  error?: string;
  refusedAccounts?: string[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export async function runOrganizationScenario(emu: RemoteEmulator, s: ScenarioSpec, latencyMs: number): Promise<BenchRecord> {
  const accountIds = organizationAccountIds(s.accounts!);
  const roleArn = (id: string) => `arn:aws:iam::${id}:role/${ROLE_NAME}`;
  await emu.start({
    latencyMs,
    seed: 7,
    accounts: accountIds,
    roles: accountIds.map((id) => ({ roleArn: roleArn(id) })),
    throttle: s.throttle ? { ratePerSecond: s.throttle.ratePerSecond, burst: s.throttle.burst } : undefined,
    logRequests: true,
  });
  const seeded = new Map<string, string[]>();
  for (const id of accountIds) {
    const result = await emu.seed(seedOf(s), id);
    seeded.set(
      id,
      s.targets.flatMap((t) => result.users[t.userName].mfaSerials.filter((m) => m.kind === "virtual").map((m) => m.serial)),
    );
  }
  const query = (id: string) => ({
    targets: s.targets.map((t) => t.userName),
    bystanders: s.bystanders.map((b) => b.userName),
    targetVirtualSerials: seeded.get(id)!,
  });
  const before = new Map<string, InspectResult>();
  for (const id of accountIds) before.set(id, await emu.inspect(query(id), id));
  await emu.clearLog();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-organization-"));
  try {
    const accountsFile = path.join(dir, "accounts.txt");
    fs.writeFileSync(accountsFile, `${accountIds.map((id) => `${id} ${roleArn(id)}`).join("\n")}\n`);
    const run = await runFleetCliProcess(
      ["delete", "--accounts-file", accountsFile, "--from-file", "-", "--yes", "--json"],
      s.targets.map((t) => t.userName),
      emu.endpoint,
    );
    const { wallMs } = run.figures;
    const lines = run.stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as UserLine);
    const userLines = new Map(lines.filter((l) => l.type === "user").map((l) => [`${l.accountId}/${l.userName}`, l]));
    const refusedAccounts = lines.find((l) => l.type === "summary")?.refusedAccounts ?? accountIds;

    const stats = await emu.stats();
    const after = new Map<string, InspectResult>();
    for (const id of accountIds) after.set(id, await emu.inspect(query(id), id));

    // Each account's limit from the calls made in it; the run's is the slowest account's.
    const limits = accountIds.map((id) => ({ id, limit: limitFor(s, s.targets, latencyMs, stats.acceptedByAccount?.[id] ?? {}) }));
    const slowest = limits.reduce((a, b) => (b.limit.ms > a.limit.ms ? b : a));
    const minimal = limitFor(s, s.targets, latencyMs, minimalCalls(s.targets));
    const accepted: ActionCounts = Object.fromEntries(Object.entries(stats.byAction).map(([a, st]) => [a, st.accepted]));
    const allUsers = accountIds.flatMap((id) => s.targets.map((t) => ({ id, userName: t.userName })));
    const outcomes = allUsers.map(({ id, userName }) => userLines.get(`${id}/${userName}`));
    const deleted = outcomes.filter((l) => l?.outcome === "deleted").length;
    const onePassUsers = outcomes.filter((l) => l?.outcome === "deleted" && l.rounds === 1).length;
    const failures = allUsers.length - deleted;
    const usersLeft = accountIds.reduce((n, id) => n + after.get(id)!.usersLeft.length, 0);
    const orphaned = accountIds.reduce((n, id) => n + after.get(id)!.orphanedVirtual.length, 0);
    const bystandersUntouched = accountIds.every((id) =>
      Object.entries(before.get(id)!.bystanderSnapshots).every(([k, v]) => after.get(id)!.bystanderSnapshots[k] === v),
    );
    const predicted = Object.fromEntries(Object.entries(engineCalls(s, s.targets)).map(([a, n]) => [a, n * accountIds.length]));
    const organization: OrganizationFigures = {
      accounts: accountIds.length,
      slowestAccountLimitMs: Math.round(slowest.limit.ms),
      slowestAccount: slowest.id,
      sumOfAccountLimitsMs: Math.round(limits.reduce((n, l) => n + l.limit.ms, 0)),
      refusedAccounts,
    };
    return {
      scenario: s.id,
      scenarioTitle: s.title,
      implementation: `iam-user-teardown fleet CLI, ${accountIds.length} accounts from an accounts file (bin/iam-user-teardown.js, own process)`,
      implementationId: "fleet-cli-process",
      onePass: onePassUsers === allUsers.length && usersLeft === 0 && refusedAccounts.length === 0,
      calls: stats.total,
      acceptedCalls: stats.accepted,
      throttledCalls: stats.throttled,
      wallMs: Math.round(wallMs),
      cpuMs: Math.round(run.figures.cpuMs),
      emulatorCpuMs: Math.round(stats.emulatorCpuMs),
      limitMs: Math.round(slowest.limit.ms),
      latencyMs,
      limitDetail: {
        chainMs: Math.round(slowest.limit.chainMs),
        bareChainMs: Math.round(slowest.limit.bareChainMs),
        throttleAction: slowest.limit.throttle?.action,
        throttleMs: slowest.limit.throttle ? Math.round(slowest.limit.throttle.ms) : undefined,
      },
      minimalLimitMs: Math.round(minimal.ms),
      ratioToLimit: round2(wallMs / slowest.limit.ms),
      peakRssMb: run.figures.peakRssMb,
      baselineRssMb: run.figures.loadedRssMb,
      ownProcess: { peakRssSource: run.figures.peakRssSource, peakHeapUsedMb: run.figures.peakHeapUsedMb, benchPeakRssMb: 0 },
      users: allUsers.length,
      accounts: accountIds.length,
      organization,
      usersDeleted: deleted,
      usersNotInOnePass: allUsers.length - onePassUsers,
      secondRuns: 0,
      failures,
      failureSamples: [
        ...new Set([
          ...outcomes.map((l) => l?.error).filter((e): e is string => !!e),
          ...(failures > 0 && outcomes.some((l) => !l) ? [`${run.exitText}: ${run.stderrTail.slice(-300)}`] : []),
        ]),
      ].slice(0, 3),
      orphanedVirtual: orphaned,
      bystandersUntouched,
      callsByAction: accepted,
      throttledByAction: Object.fromEntries(
        Object.entries(stats.byAction)
          .filter(([, st]) => st.throttled > 0)
          .map(([a, st]) => [a, st.throttled]),
      ),
      errorsByAction: Object.fromEntries(
        Object.entries(stats.byAction)
          .filter(([, st]) => Object.keys(st.errors).length > 0)
          .map(([a, st]) => [a, st.errors]),
      ),
      predictedByAction: predicted,
      predictionDiff: {},
      getUserPerUser: round2((accepted.GetUser ?? 0) / Math.max(1, allUsers.length)),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The issue's target for the organization: one process, the slowest account's floor (not the sum), under 256 MB. */
export function organizationTarget(records: readonly BenchRecord[]): { target: string; met: boolean | null; detail: string } {
  const r = records.find((x) => x.organization !== undefined);
  const target =
    "Organization, 20 accounts x 250 users, 2 requests/s per action in each: one process, every user in one pass, wall within 1.2x of the slowest account's floor (not the sum), under 256 MB";
  if (!r?.organization) return { target, met: null, detail: "Not in this run (--only organization)." };
  const o = r.organization;
  const fullScale = o.accounts >= 20 && r.users >= 20 * 250;
  const met = r.onePass && r.failures === 0 && r.ratioToLimit <= 1.2 && r.peakRssMb < 256;
  return {
    target,
    met: fullScale ? met : null,
    detail:
      `${o.accounts} accounts, ${r.users.toLocaleString("en")} users: ${r.usersDeleted} deleted, ${r.users - r.usersNotInOnePass} in one pass, ${r.failures} failed${o.refusedAccounts.length > 0 ? `, refused: ${o.refusedAccounts.join(", ")}` : ""}. ` +
      `Wall ${(r.wallMs / 1000).toFixed(1)} s against the slowest account's floor of ${(o.slowestAccountLimitMs / 1000).toFixed(1)} s (${r.limitDetail.throttleAction ?? "chain"}): ${r.ratioToLimit.toFixed(2)}x; ` +
      `one account after another would take at least ${(o.sumOfAccountLimitsMs / 1000).toFixed(1)} s. Peak RSS ${r.peakRssMb} MB (${r.ownProcess?.peakRssSource ?? "?"}), CPU ${(r.cpuMs / 1000).toFixed(1)} s.` +
      (fullScale ? "" : ` Not judged at this size (the issue's scale is 20 x 250).`),
  };
}
