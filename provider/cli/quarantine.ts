/**
 * The CLI's `disable` and `enable` (the engine's reversible quarantine, teardown/quarantine.ts, over many users), and
 * `delete --disabled-for`, the guard that deletes only users disabled long enough.
 */
import { type IAMClient, ListUserTagsCommand, type ListUserTagsCommandOutput } from "@aws-sdk/client-iam";
import { confirmAllowedAccount } from "../aws/account-guard";
import { describeFailure } from "../aws/errors";
import { type Clock, systemClock } from "../clock";
import { createContext } from "../teardown/context";
import { listAllPages } from "../teardown/paging";
import { disabledSinceOf, disableUser, enableUser, type QuarantineReport } from "../teardown/quarantine";
import { EXIT, type ParsedArgs } from "./args";
import { type FleetTargets, findTargets, isSkipped, runEach, type SkippedOutcome, type UserGuard } from "./fleet";
import { exitCode, renderSummary } from "./output";
import { firstNames } from "./selection";

/** What happened to one user of a disable or enable run; a guard's skip (disable --inactive-for) leaves it untouched. */
export type QuarantineOutcome = "disabled" | "already-disabled" | "enabled" | "not-disabled" | "already-gone" | "failed" | SkippedOutcome;

export interface QuarantineResult {
  userName: string;
  outcome: QuarantineOutcome;
  userId?: string;
  arn?: string;
  disabledSince?: string;
  /** Items whose status the run changed, in words. */
  switched?: string[];
  /** Items left as they are, each with why. */
  left?: string[];
  error?: string;
  /** When a guard kept the user: why, in words. */
  reason?: string;
  /** What the guard adds to the --json line. */
  details?: object;
  apiCalls?: number;
}

/** What runCli hands a quarantine run: its terminal and the shared client. */
export interface QuarantineRunIo {
  client: IAMClient;
  interrupt: AbortSignal;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  confirm?: (question: string) => Promise<boolean | "interrupted">;
  /** The users already found (--all's walk); otherwise each name is looked up. */
  targets?: FleetTargets;
  /** What keeps a found user untouched (the caller's own user, activity inside --inactive-for), in order. */
  guards?: (targets: FleetTargets) => Promise<UserGuard[]>;
  /** Prints the users --all matched but --inactive-for kept; returns how many. */
  reportKept?: () => number;
  /** With --inactive-for, the activity read for a user, for its --json line. */
  activityOf?: (userName: string) => object | undefined;
}

const NOTHING_CHANGED = "iam-user-teardown: interrupted: nothing changed\n";

/** `disable` or `enable` for every user named: looked up, counted, asked, then run `concurrency` at a time. */
export async function runQuarantine(
  args: ParsedArgs & { command: "disable" | "enable" },
  userNames: string[],
  io: QuarantineRunIo,
): Promise<number> {
  const disabling = args.command === "disable";
  await confirmAllowedAccount(io.client, "to change anything");
  const targets = io.targets ?? (await findTargets(io.client, userNames, args.concurrency));
  const guards = (await io.guards?.(targets)) ?? [];
  const where = targets.accounts.length === 0 ? "" : ` in account ${targets.accounts.join(", ")}`;
  const missing = targets.missing.length > 0 ? `; ${targets.missing.length} not found` : "";
  io.stderr(`${targets.found.size} IAM user(s)${where} to ${args.command}${missing}\n`);
  const kept = io.reportKept?.() ?? 0;
  if (io.interrupt.aborted) {
    io.stderr(NOTHING_CHANGED);
    return EXIT.interrupted;
  }
  if (targets.found.size > 0 && !args.yes) {
    // Whom the question is about, before it: the count alone does not show a wrong selection.
    io.stderr(`users: ${firstNames([...targets.found.keys()])}\n`);
    const window = args.selection.inactiveFor;
    const answer = await io.confirm!(
      `${disabling ? "Disable" : "Enable"} ${targets.found.size} IAM user(s)${where}${disabling ? " (credentials set Inactive, every action denied)" : ""}${window && !args.selection.all ? ` (each active within ${window.text} is kept)` : ""}? [y/N] `,
    );
    if (answer === "interrupted" || io.interrupt.aborted) {
      io.stderr(NOTHING_CHANGED);
      return EXIT.interrupted;
    }
    if (!answer) {
      io.stderr("iam-user-teardown: not confirmed: nothing changed\n");
      return EXIT.declined;
    }
  }
  let done = 0;
  const run = await runEach<QuarantineResult>(
    {
      client: io.client,
      userNames,
      concurrency: args.concurrency,
      interrupt: io.interrupt,
      onResult: (r) => {
        done++;
        const why = r.error ?? r.reason;
        io.stderr(`[${done}/${userNames.length}] ${r.outcome} ${r.userName}${why ? `: ${why}` : describeSwitched(r)}\n`);
        for (const line of r.left ?? []) io.stderr(`  left: ${line}\n`);
        if (args.json) {
          const { details, ...rest } = r;
          const activity = io.activityOf?.(r.userName);
          io.stdout(`${JSON.stringify({ type: "user", ...rest, ...details, ...(activity ? { activity } : {}) })}\n`);
        }
      },
    },
    // The summary names the failed users and those a guard kept; the others are only counted.
    { outcomeOf: (r) => r.outcome, keep: (r) => r.outcome === "failed" || isSkipped(r) },
    (userName) => quarantineOne(io.client, targets, guards, userName, disabling, args.expectUserId),
  );
  const counts: Record<string, number> = { ...run.finished };
  if (run.notStarted.length > 0) counts.interrupted = run.notStarted.length;
  if (kept > 0) counts.kept = kept;
  if (args.json) io.stdout(`${JSON.stringify({ type: "summary", users: userNames.length, ...counts })}\n`);
  io.stderr(renderSummary(userNames.length, counts, run));
  return exitCode(run.notStarted.length > 0 || io.interrupt.aborted, (counts.failed ?? 0) > 0, run.results.some(isSkipped));
}

const describeSwitched = (r: QuarantineResult): string =>
  r.switched && r.switched.length > 0 ? `: ${r.outcome === "enabled" ? "reactivated" : "deactivated"} ${r.switched.join(", ")}` : "";

async function quarantineOne(
  client: IAMClient,
  targets: FleetTargets,
  guards: readonly UserGuard[],
  userName: string,
  disabling: boolean,
  expectUserId: string | undefined,
): Promise<QuarantineResult> {
  const seen = targets.found.get(userName);
  if (!seen) return { userName, outcome: "already-gone" };
  if (expectUserId !== undefined && seen.UserId !== expectUserId)
    return {
      userName,
      outcome: "failed",
      userId: seen.UserId,
      arn: seen.Arn,
      error: `refusing to change IAM user ${userName}: it is a different user (UserId ${seen.UserId}, not ${expectUserId} as --expect-user-id says). Nothing was changed.`,
    };
  try {
    for (const guard of guards) {
      const skip = await guard(seen);
      if (skip) return { userName, outcome: skip.outcome, userId: seen.UserId, arn: seen.Arn, reason: skip.reason, details: skip.details };
    }
    // The UserId seen when the run began: a name that changed hands since is refused, never followed to a stranger.
    const options = { client, userName, expectedUserId: seen.UserId };
    const report: QuarantineReport = disabling ? await disableUser(options) : await enableUser(options);
    const outcome: QuarantineOutcome = disabling
      ? report.changed
        ? "disabled"
        : "already-disabled"
      : report.changed
        ? "enabled"
        : "not-disabled";
    return {
      userName,
      outcome,
      userId: report.userId,
      arn: report.arn,
      disabledSince: report.disabledSince,
      switched: report.switched,
      left: report.left,
      apiCalls: report.apiCalls,
    };
  } catch (err) {
    return { userName, outcome: "failed", userId: seen.UserId, arn: seen.Arn, error: describeFailure(err) };
  }
}

/**
 * `delete --disabled-for AGE`: a user goes only when its record (the quarantine's tags) says it was disabled at least
 * `minMs` ago; any other is kept untouched, outcome skipped-not-disabled.
 */
export function disabledForGuard(client: IAMClient, minMs: number, asGiven: string, clock: Clock = systemClock): UserGuard {
  const ctx = createContext({ client });
  return async (user) => {
    const tags = await listAllPages(
      (Marker) => ctx.send<ListUserTagsCommandOutput>(new ListUserTagsCommand({ UserName: user.UserName!, Marker })),
      (page) => page.Tags,
    );
    const since = disabledSinceOf(Object.fromEntries(tags.map((t) => [t.Key!, t.Value ?? ""])));
    if (since === undefined)
      return {
        outcome: "skipped-not-disabled",
        reason: `not disabled (--disabled-for ${asGiven}): left untouched`,
        details: { disabledFor: asGiven },
      };
    const age = clock.now() - Date.parse(since);
    if (Number.isNaN(age) || age < minMs)
      return {
        outcome: "skipped-not-disabled",
        reason: `disabled since ${since}, less than ${asGiven} ago: left untouched`,
        details: { disabledSince: since, disabledFor: asGiven },
      };
    return undefined;
  };
}
