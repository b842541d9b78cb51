import type { TeardownPlan } from "../teardown";
import { activityLine } from "../teardown/activity";
import { countByKind, flattenInventory } from "../teardown/report";
import { EXIT } from "./args";
import { type FleetRun, isSkipped, type Outcome, type PlanResult, type UserResult } from "./fleet";

/** One user's plan in text. */
export function renderPlan(plan: TeardownPlan): string {
  if (!plan.exists) return `IAM user ${plan.requestedUserName} does not exist: nothing to do.\n`;
  const lines = [
    `IAM user ${plan.userName} (${plan.userId}) ${plan.arn}${plan.renamedFrom ? ` (formerly ${plan.renamedFrom})` : ""}${plan.disabledSince ? `, disabled since ${plan.disabledSince}` : ""}`,
    `hangs on it: ${countByKind(flattenInventory(plan.inventory))}`,
    `plan (removals run concurrently, then DeleteUser):`,
    ...plan.steps.map((s) => `  ${String(s.step).padStart(3)}. ${s.description}  [${s.actions.join(" -> ")}]`),
  ];
  if (plan.activity) lines.splice(2, 0, `activity: ${activityLine(plan.activity)}`);
  else if (plan.activityError) lines.splice(2, 0, `activity: could not be read: ${plan.activityError}`);
  return `${lines.join("\n")}\n`;
}

/** A plan as its JSON line: everything but the raw inventory (the summary has it by kind). */
export function planJson(result: PlanResult): object {
  if (!result.plan) return { type: "user", userName: result.userName, outcome: "failed", error: result.error };
  const { inventory: _raw, ...rest } = result.plan;
  return { type: "user", ...rest, userName: result.userName, outcome: result.plan.exists ? "planned" : "already-gone" };
}

/** A deleted, skipped or failed user as its JSON line. */
export function resultJson(result: UserResult): object {
  const { report, details, ...rest } = result;
  return {
    type: "user",
    ...rest,
    ...details,
    ...(report ? { rounds: report.rounds, apiCalls: report.apiCalls, durationMs: report.durationMs } : {}),
  };
}

/** Users by outcome; an outcome no user had is 0 for the four of every run, absent for guards' skips. */
export type Counts = Partial<Record<Outcome, number>> & Record<"deleted" | "cleared" | "already-gone" | "failed" | "interrupted", number>;

export function countOutcomes(run: FleetRun): Counts {
  const counts: Counts = { deleted: 0, cleared: 0, "already-gone": 0, failed: 0, interrupted: run.notStarted.length };
  for (const [outcome, n] of Object.entries(run.finished)) counts[outcome as Outcome] = (counts[outcome as Outcome] ?? 0) + n;
  return counts;
}

/** The summary line of --json. */
export function summaryJson(users: number, counts: Record<string, number>, extra: object = {}): object {
  return { type: "summary", users, ...counts, ...extra };
}

/** The closing lines in text: the counts, then each failed user by name, then the users an interrupt left. */
export function renderSummary(
  users: number,
  counts: Record<string, number>,
  run: { results: ReadonlyArray<{ userName: string; outcome: string; error?: string; reason?: string }>; notStarted: readonly string[] },
): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k === "interrupted" ? "not started" : k}`);
  // The outcomes name what was done; the headline only counts the users, so it never overstates them.
  const lines = [`${users} user(s): ${parts.join(", ") || "nothing to do"}`];
  for (const r of run.results) if (r.outcome === "failed") lines.push(`  failed: ${r.userName}: ${r.error}`);
  // Kept by a guard: untouched, each with the guard's reason.
  for (const r of run.results) if (isSkipped(r)) lines.push(`  ${r.outcome}: ${r.userName}: ${r.reason}`);
  if (run.notStarted.length > 0) lines.push(`  not started (interrupted): ${run.notStarted.join(", ")}`);
  return `${lines.join("\n")}\n`;
}

/** A user --all matched but --inactive-for kept (active inside the window), as its JSON line. */
export function keptJson(
  userName: string,
  user: { UserId?: string; Arn?: string },
  skip: { outcome: string; reason: string; details?: object },
  activity?: object,
): object {
  return {
    type: "user",
    userName,
    outcome: skip.outcome,
    removed: 0,
    userId: user.UserId,
    arn: user.Arn,
    reason: skip.reason,
    ...skip.details,
    activity,
  };
}

/** A run's exit code: interrupted wins, then a failure, then a guard's skip. */
export const exitCode = (interrupted: boolean, failed: boolean, skipped = false): number =>
  interrupted ? EXIT.interrupted : failed ? EXIT.failed : skipped ? EXIT.skipped : EXIT.ok;
