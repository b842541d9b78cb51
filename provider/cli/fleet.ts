import type { IAMClient, User } from "@aws-sdk/client-iam";
import { describeFailure, isAccessDenied } from "../aws/errors";
import { rateLimiterOf, requestPriority } from "../aws/rate-limit";
import { type PlanOptions, planTeardown, type TeardownPlan, type TeardownReport, teardownUser } from "../teardown";
import { createContext } from "../teardown/context";
import { getUserOrUndefined, listAccountUsers } from "../teardown/identity";
import type { RecordWriter } from "../teardown/record";
import type { DependencyItem } from "../teardown/types";

/**
 * A user a guard kept from its teardown before anything of it was touched (the run's exit code is then 3, unless
 * something failed). Each guard has its own outcome, so a script can tell them apart.
 */
export type SkippedOutcome = "skipped-active" | "changed-since-plan" | "skipped-not-disabled";

/** What happened to one user of a fleet run. */
export type Outcome = "deleted" | "cleared" | "already-gone" | "failed" | SkippedOutcome;

/** A guard's verdict on a user it keeps: the outcome, why in words, and what the --json line adds. */
export interface GuardSkip {
  outcome: SkippedOutcome;
  reason: string;
  details?: Record<string, unknown>;
}

/**
 * Decides, before anything of a user is touched, whether it may go: undefined lets it go, a GuardSkip keeps it as it
 * is. Guards run in order after the identity check; the first skip wins.
 */
export type UserGuard = (user: User) => Promise<GuardSkip | undefined>;

export interface UserResult {
  userName: string;
  outcome: Outcome;
  /** Items removed (credentials, devices, memberships, policies), the user itself not counted. */
  removed: number;
  userId?: string;
  arn?: string;
  renamedFrom?: string;
  /** On failure: what blocks, in words. */
  error?: string;
  /** When a guard kept the user: why, in words. */
  reason?: string;
  /** What the guard adds to the --json line. */
  details?: Record<string, unknown>;
  report?: TeardownReport;
}

/** The users a delete would act on: found now under their names, with the accounts their ARNs are in. */
export interface FleetTargets {
  found: Map<string, User>;
  missing: string[];
  accounts: string[];
}

/**
 * Looks the users up before anything is asked or changed: one walk of the account's users (ListUsers, 1,000 a page)
 * finds most of them at once. A name the walk does not show is asked with GetUser: a walk can miss a user changed
 * between its pages (renamed into the name, say), so, as for the engine's re-checks, "gone" is never concluded from a
 * walk. When ListUsers is not allowed, every name is a GetUser.
 */
export async function findTargets(client: IAMClient, userNames: readonly string[], concurrency: number): Promise<FleetTargets> {
  const ctx = createContext({ client });
  const wanted = new Set(userNames);
  const byName = new Map<string, User>();
  try {
    // Only the users asked for are kept from the walk: the account may hold thousands more.
    for (const u of (await listAccountUsers(ctx.send, undefined, (u) => wanted.has(u.UserName!))).users) byName.set(u.UserName!, u);
  } catch (err) {
    if (!isAccessDenied(err)) throw err;
  }
  const unseen = userNames.filter((name) => !byName.has(name));
  await forEachName(
    unseen,
    concurrency,
    undefined,
    async (name) => {
      const user = await getUserOrUndefined(ctx, name);
      if (user) byName.set(name, user);
    },
    undefined,
    admissionOf(client),
  );
  const found = new Map<string, User>();
  const missing: string[] = [];
  for (const name of userNames) {
    const user = byName.get(name);
    if (user) found.set(name, user);
    else missing.push(name);
  }
  const accounts = [...new Set([...found.values()].map((u) => accountOf(u.Arn)).filter((a): a is string => a !== undefined))].sort();
  return { found, missing, accounts };
}

/** The targets of users already found (by --all's walk). */
export function targetsOf(users: readonly User[]): FleetTargets {
  const found = new Map(users.map((u) => [u.UserName!, u]));
  const accounts = [...new Set(users.map((u) => accountOf(u.Arn)).filter((a): a is string => a !== undefined))].sort();
  return { found, missing: [], accounts };
}

/** The account id in an IAM ARN: arn:aws:iam::123456789012:user/... */
export const accountOf = (arn: string | undefined): string | undefined => /^arn:[^:]+:iam::(\d{12}):/.exec(arn ?? "")?.[1];

export interface FleetRunOptions<R = UserResult> {
  client: IAMClient;
  userNames: readonly string[];
  concurrency: number;
  /**
   * A name to run alone once every other has finished: the caller's own user (--include-self), whose teardown takes
   * away the credentials the run goes on with.
   */
  last?: string;
  /** Stops starting users once aborted; users under way finish. */
  interrupt: AbortSignal;
  onResult: (result: R) => void;
}

export interface FleetRun<R = UserResult> {
  /** Users finished, by outcome. */
  finished: Record<string, number>;
  /**
   * Only the results the closing summary names (for delete: the failed users and those a guard kept; for plan: the
   * users that could not be read, and every plan for --markdown). Every other result goes to `onResult` and is only
   * counted, so nothing grows with the number of users a run goes through.
   */
  results: R[];
  /** Users never started because of an interrupt. */
  notStarted: string[];
}

/** What runEach counts a result as, and whether the summary needs the result itself. */
export interface Retention<R> {
  outcomeOf: (result: R) => string;
  keep: (result: R) => boolean;
}

/**
 * Runs `work` for every name, `concurrency` at a time, in order: a fixed set of workers takes the next name as one
 * finishes, so what is allocated does not grow with the number of names. Once `interrupt` is aborted no name starts;
 * those left are handed to `notStarted`.
 */
async function forEachName(
  names: readonly string[],
  concurrency: number,
  interrupt: AbortSignal | undefined,
  work: (name: string) => Promise<void>,
  notStarted?: (name: string) => void,
  admit?: () => Promise<void>,
): Promise<void> {
  if (!(concurrency >= 1)) throw new Error(`concurrency limit must be at least 1, got ${concurrency}`);
  let next = 0;
  let started = 0;
  const worker = async () => {
    while (next < names.length) {
      // Up to `concurrency` at a time, and no more than IAM's rate for the account keeps busy (the limiter's admission).
      if (admit) {
        await admit();
        if (next >= names.length) break;
      }
      const name = names[next++];
      if (interrupt?.aborted) notStarted?.(name);
      // Its place in the run: its calls go before those of users started after it (the limiter's queues).
      else await requestPriority.run(++started, () => work(name));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
}

/** Runs `work` for every user, `concurrency` at a time, all on one client; an interrupt stops new users starting. */
export async function runEach<R>(
  options: FleetRunOptions<R>,
  retention: Retention<R>,
  work: (userName: string) => Promise<R>,
): Promise<FleetRun<R>> {
  const run: FleetRun<R> = { finished: {}, results: [], notStarted: [] };
  const last = options.last !== undefined && options.userNames.includes(options.last) ? options.last : undefined;
  const each = (names: readonly string[]) =>
    forEachName(
      names,
      options.concurrency,
      options.interrupt,
      async (userName) => {
        const result = await work(userName);
        const outcome = retention.outcomeOf(result);
        run.finished[outcome] = (run.finished[outcome] ?? 0) + 1;
        if (retention.keep(result)) run.results.push(result);
        options.onResult(result);
      },
      (userName) => run.notStarted.push(userName),
      admissionOf(options.client),
    );
  await each(last === undefined ? options.userNames : options.userNames.filter((name) => name !== last));
  if (last !== undefined) await each([last]);
  return run;
}

/** Waits for the client's rate limiter to admit one more user; none where the client has no limiter of ours. */
function admissionOf(client: IAMClient): (() => Promise<void>) | undefined {
  const limiter = rateLimiterOf(client);
  return limiter && (() => limiter.whenAdmissionOpen());
}

export interface DeleteFleetOptions extends FleetRunOptions {
  targets: FleetTargets;
  keepUser: boolean;
  /** The UserId the one user must have (--expect-user-id). */
  expectUserId?: string;
  /** Checked for each found user before anything of it is touched; a guard that throws fails that user alone. */
  guards?: readonly UserGuard[];
  /** Per user, the only items it may lose (a reviewed plan's); undefined: every item listed. */
  onlyItemsFor?: (userName: string) => ((item: DependencyItem) => boolean) | undefined;
  /** Each user's record is written here before its first removal; a user whose record cannot be is not touched. */
  record?: RecordWriter;
  log?: (line: string) => void;
}

/**
 * Tears every user down through one client, hence one rate limiter per IAM action, one listing of the account's
 * virtual MFA devices and one batch of identity re-checks for all. A user GetUser did not find when the run began is
 * already gone; each found one is torn down only while its name still holds the UserId seen then.
 */
export function deleteFleet(options: DeleteFleetOptions): Promise<FleetRun> {
  return runEach(options, DELETE_RETENTION, async (userName) => {
    const seen = options.targets.found.get(userName);
    if (!seen) return { userName, outcome: "already-gone", removed: 0 };
    // The CLI names users by name: --expect-user-id only confirms whom the name holds, it never leads elsewhere.
    if (options.expectUserId !== undefined && seen.UserId !== options.expectUserId)
      return {
        userName,
        outcome: "failed",
        removed: 0,
        userId: seen.UserId,
        arn: seen.Arn,
        error: `refusing to tear down IAM user ${userName}: it is a different user (UserId ${seen.UserId}, not ${options.expectUserId} as --expect-user-id says). Nothing was changed.`,
      };
    try {
      for (const guard of options.guards ?? []) {
        const skip = await guard(seen);
        if (skip)
          return {
            userName,
            outcome: skip.outcome,
            removed: 0,
            userId: seen.UserId,
            arn: seen.Arn,
            reason: skip.reason,
            details: skip.details,
          };
      }
      const report = await teardownUser({
        client: options.client,
        userName,
        expectedUserId: seen.UserId,
        deleteUser: !options.keepUser,
        log: options.log,
        record: options.record,
        onlyItems: options.onlyItemsFor?.(userName),
      });
      return {
        userName,
        outcome: report.outcome,
        removed: report.removed.length,
        userId: report.userId,
        arn: report.arn,
        renamedFrom: report.renamedFrom,
        report,
      };
    } catch (err) {
      return {
        userName,
        outcome: "failed",
        removed: removedBeforeFailure(err),
        userId: seen?.UserId,
        arn: seen?.Arn,
        error: describeFailure(err),
      };
    }
  });
}

/** Whether a user's outcome says a guard kept it. */
export const isSkipped = (result: { outcome: string; reason?: string }): boolean =>
  result.reason !== undefined && result.outcome !== "failed";

/** A delete's summary names the failed users and those a guard kept; the others are counted. */
const DELETE_RETENTION: Retention<UserResult> = {
  outcomeOf: (r) => r.outcome,
  keep: (r) => r.outcome === "failed" || isSkipped(r),
};

const removedBeforeFailure = (err: unknown): number => {
  const removed = (err as { removed?: unknown }).removed;
  return Array.isArray(removed) ? removed.length : 0;
};

/** One user's plan, or why it could not be read. */
export interface PlanResult {
  userName: string;
  plan?: TeardownPlan;
  error?: string;
}

/** What a plan of a user comes to: planned (it exists), already-gone, or failed (it could not be read). */
export const planOutcome = (r: PlanResult): "planned" | "already-gone" | "failed" =>
  !r.plan ? "failed" : r.plan.exists ? "planned" : "already-gone";

/**
 * Plans every user (read-only), `concurrency` at a time, on one client; with `activity`, each user's activity too.
 * The run keeps the users that could not be read, and with `keepPlans` every plan (a report of all of them, such as
 * --markdown, needs them at the end).
 */
export function planFleet(
  options: FleetRunOptions<PlanResult> & { keepUser: boolean; keepPlans?: boolean; activity?: PlanOptions["activity"] },
): Promise<FleetRun<PlanResult>> {
  const retention: Retention<PlanResult> = { outcomeOf: planOutcome, keep: (r) => options.keepPlans === true || !r.plan };
  return runEach(options, retention, async (userName): Promise<PlanResult> => {
    try {
      return {
        userName,
        plan: await planTeardown({ client: options.client, userName, deleteUser: !options.keepUser, activity: options.activity }),
      };
    } catch (err) {
      return { userName, error: describeFailure(err) };
    }
  });
}
