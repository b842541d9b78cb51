/**
 * An organization in one run: the same plan or delete in several AWS accounts, each reached through a role assumed
 * there (--accounts-file, or --role-name with --account). IAM throttles each account apart, so accounts run side by
 * side, each with its own client, rate limiter, listing of virtual MFA devices and account check: the role must reach
 * the account it is listed for, or that account is refused before anything in it is read or changed, and the others
 * go on.
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import { confirmAllowedAccount } from "../aws/account-guard";
import { accountIamClient } from "../aws/client";
import { describeFailure } from "../aws/errors";
import type { Clock } from "../clock";
import { recordWriterFor } from "../records/store";
import { Semaphore } from "../teardown/pool";
import { validateUserName } from "../validate";
import { ActivityReader } from "./activity";
import { EXIT, type ParsedArgs, UsageError } from "./args";
import {
  deleteFleet,
  type FleetRun,
  type FleetTargets,
  findTargets,
  isSkipped,
  type PlanResult,
  planFleet,
  targetsOf,
  type UserGuard,
} from "./fleet";
import { callerArnForSelf, userGuards } from "./guards";
import type { CliIo } from "./index";
import { renderMarkdownSummary, type UnreadUser } from "./markdown";
import { type Counts, countOutcomes, exitCode, keptJson, planJson, renderPlan, renderSummary, resultJson, summaryJson } from "./output";
import { Progress } from "./progress";
import { describeSelection, firstNames, type SelectedUsers, selectUsers } from "./selection";

/** One account of the run: where it was listed, the role to assume there, and its users. */
export interface AccountEntry {
  accountId: string;
  roleArn: string;
  externalId?: string;
  userNames: string[];
  /** Where it was given ("accounts.txt line 3", "--account"), for messages. */
  source: string;
}

/** The session name CloudTrail shows in each account for the run's calls. */
export const SESSION_NAME = "iam-user-teardown";

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** STS's ExternalId: 2 to 1,224 characters of letters, digits and +=,.@:/-_ (no spaces). */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** The partition of a region, for the role ARNs --role-name builds: aws-cn in China, aws-us-gov in GovCloud, ... */
export function partitionOf(region: string | undefined): string {
  const r = region ?? "";
  if (r.startsWith("cn-")) return "aws-cn";
  if (r.startsWith("us-gov-")) return "aws-us-gov";
  if (r.startsWith("us-isob-")) return "aws-iso-b";
  if (r.startsWith("us-isof-")) return "aws-iso-f";
  if (r.startsWith("eu-isoe-")) return "aws-iso-e";
  if (r.startsWith("us-iso-")) return "aws-iso";
  if (r.startsWith("eusc-")) return "aws-eusc";
  return "aws";
}

export const roleArnFor = (partition: string, accountId: string, roleName: string): string =>
  `arn:${partition}:iam::${accountId}:role/${roleName}`;

/**
 * The accounts of an accounts file: one a line, `ACCOUNT_ID ROLE_ARN [EXTERNAL_ID] [USERS]`, fields apart by spaces or
 * tabs; `-` leaves a field empty (ROLE_ARN `-`: the role --role-name names in that account); USERS are names apart by
 * commas. Blank lines and # comments are ignored. Every mistake is a UsageError naming the line.
 */
export function accountsFromText(text: string, source: string, roleName: string | undefined, partition: string): AccountEntry[] {
  const entries: AccountEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    const where = `${source} line ${i + 1}`;
    const fields = line.split(/[ \t]+/);
    if (fields.length > 4)
      throw new UsageError(`${where}: ${fields.length} fields; a line is ACCOUNT_ID ROLE_ARN [EXTERNAL_ID] [USER,USER,...]`);
    const [accountId, role = "-", externalId = "-", users = "-"] = fields;
    if (!ACCOUNT_ID.test(accountId)) throw new UsageError(`${where}: the account id must be 12 digits; got ${JSON.stringify(accountId)}`);
    let roleArn: string;
    if (role === "-") {
      if (roleName === undefined) throw new UsageError(`${where}: no role ARN, and no --role-name to build one`);
      roleArn = roleArnFor(partition, accountId, roleName);
    } else if (!ROLE_ARN.test(role)) {
      throw new UsageError(
        `${where}: the role must be an IAM role ARN (arn:<partition>:iam::<account>:role/<name>); got ${JSON.stringify(role)}`,
      );
    } else roleArn = role;
    if (externalId !== "-" && !EXTERNAL_ID.test(externalId))
      throw new UsageError(`${where}: the external id must be 2 to 1224 letters, digits or +=,.@:/-_; got ${JSON.stringify(externalId)}`);
    const userNames = users === "-" ? [] : users.split(",").map((name) => checkUserName(name, where));
    entries.push({ accountId, roleArn, ...(externalId === "-" ? {} : { externalId }), userNames: [...new Set(userNames)], source: where });
  });
  return entries;
}

function checkUserName(name: string, where: string): string {
  const failure = validateUserName(name, `${where}: user name`)[0];
  if (failure) throw new UsageError(failure.reason);
  return name;
}

/**
 * Every account of the run, each once: the file's lines, then each --account with --role-name's role. An account
 * without a users column gets `userNames` (the command line's names and --from-file's). Throws UsageError.
 */
export function organizationAccounts(args: ParsedArgs, fileText: string | undefined, userNames: readonly string[]): AccountEntry[] {
  const org = args.organization!;
  const partition = partitionOf(args.region ?? process.env.AWS_REGION);
  const listed =
    org.accountsFile === undefined || fileText === undefined ? [] : accountsFromText(fileText, org.accountsFile, org.roleName, partition);
  for (const accountId of org.accountIds)
    listed.push({ accountId, roleArn: roleArnFor(partition, accountId, org.roleName!), userNames: [], source: "--account" });
  const seen = new Map<string, string>();
  for (const entry of listed) {
    const first = seen.get(entry.accountId);
    if (first) throw new UsageError(`${entry.source}: account ${entry.accountId} is listed twice (first at ${first})`);
    seen.set(entry.accountId, entry.source);
    if (args.selection.all) {
      // --all selects in every account; a users column beside it would say two things at once.
      if (entry.userNames.length > 0)
        throw new UsageError(`${entry.source}: account ${entry.accountId} lists users, and --all selects them: one or the other`);
    } else if (entry.userNames.length === 0) {
      if (userNames.length === 0)
        throw new UsageError(
          `${entry.source}: account ${entry.accountId} has no users: give a users column, or names (or --from-file) for every account`,
        );
      entry.userNames = [...userNames];
    }
  }
  if (listed.length === 0) throw new UsageError(`${org.accountsFile ?? "--account"}: no accounts listed`);
  return listed;
}

/** One account's part of the run. */
interface AccountRun {
  entry: AccountEntry;
  client: IAMClient;
  /** The users of the run in this account: the listed ones, or those --all selected. */
  userNames: string[];
  /** Each user's activity, read once (the selection's, the guard's, the plan's). */
  activity: ActivityReader;
  /** With --all: what the selection chose and kept. */
  selected?: SelectedUsers;
  /** Why nothing was read or changed in it (the role could not be assumed, reached another account, ...). */
  refused?: string;
  targets?: FleetTargets;
  guards?: UserGuard[];
  run?: FleetRun;
  plans?: FleetRun<PlanResult>;
}

export interface OrganizationTools {
  interrupt: AbortSignal;
  /** --exclude and --exclude-from, for --all in every account. */
  excluded: ReadonlySet<string>;
  /** The clock the assumed roles' sessions are renewed on. */
  clock?: Clock;
}

const NOTHING_CHANGED_ON_INTERRUPT = "iam-user-teardown: interrupted: nothing changed\n";

/** Runs plan or delete in every account; returns the exit code over all of them. */
export async function runOrganization(
  args: ParsedArgs,
  accounts: readonly AccountEntry[],
  io: CliIo,
  tools: OrganizationTools,
): Promise<number> {
  const runs: AccountRun[] = accounts.map((entry) => {
    const client = accountIamClient(
      {
        region: args.region,
        profile: args.profile,
        assumeRoles: [{ roleArn: entry.roleArn, externalId: entry.externalId, sessionName: SESSION_NAME }],
        // The role must reach the account it is listed for: the account guard confirms it before anything is read.
        allowedAccountIds: [entry.accountId],
      },
      { clock: tools.clock },
    );
    return { entry, client, userNames: [...entry.userNames], activity: new ActivityReader(client, { clock: tools.clock }) };
  });
  const json = (value: object) => io.stdout(`${JSON.stringify(value)}\n`);
  const sideBySide = (work: (run: AccountRun) => Promise<void>) => {
    const pool = new Semaphore(args.organization?.accountConcurrency ?? runs.length);
    return Promise.all(runs.map((run) => pool.run(() => work(run))));
  };
  try {
    const purpose = args.command === "plan" ? "to plan" : "to change anything";
    await sideBySide(async (run) => {
      const { accountId } = run.entry;
      if (args.allowedAccountIds.length > 0 && !args.allowedAccountIds.includes(accountId)) {
        run.refused = `refusing ${purpose}: AWS account ${accountId} is not among --allowed-account-id ${args.allowedAccountIds.join(", ")}; nothing was read or changed`;
        return;
      }
      try {
        await confirmAllowedAccount(run.client, purpose);
        if (args.selection.all) {
          run.selected = await selectUsers({
            client: run.client,
            selection: args.selection,
            excluded: tools.excluded,
            callerArn: args.selection.includeSelf ? undefined : await callerArnForSelf(run.client),
            activity: run.activity,
            concurrency: args.concurrency,
          });
          run.userNames = run.selected.selected.map((u) => u.UserName!);
        }
        if (args.command === "delete") {
          run.targets = run.selected ? targetsOf(run.selected.selected) : await findTargets(run.client, run.userNames, args.concurrency);
          // Asked before the question, so an account whose guards cannot be set is refused before anything changes.
          run.guards = await userGuards(args, { client: run.client, activity: run.activity, targets: run.targets });
        }
      } catch (err) {
        run.refused = describeFailure(err);
      }
    });
    for (const run of runs) {
      if (run.refused)
        io.stderr(
          `iam-user-teardown: account ${run.entry.accountId} (${run.entry.source}, role ${run.entry.roleArn}) refused: ${run.refused}\n`,
        );
      else if (run.selected) io.stderr(`account ${run.entry.accountId}: ${describeSelection(run.selected, args.selection, false)}\n`);
    }
    if (tools.interrupt.aborted) {
      io.stderr(NOTHING_CHANGED_ON_INTERRUPT);
      return EXIT.interrupted;
    }
    return args.command === "plan"
      ? await planAccounts(args, runs, io, tools, json, sideBySide)
      : await deleteAccounts(args, runs, io, tools, json, sideBySide);
  } finally {
    for (const run of runs) run.client.destroy();
  }
}

type SideBySide = (work: (run: AccountRun) => Promise<void>) => Promise<unknown>;

function announceInterrupt(io: CliIo, interrupt: AbortSignal): void {
  interrupt.addEventListener(
    "abort",
    () => io.stderr("\niam-user-teardown: interrupted: starting no more users, finishing those under way (Ctrl-C again to stop now)\n"),
    { once: true },
  );
}

async function deleteAccounts(
  args: ParsedArgs,
  runs: AccountRun[],
  io: CliIo,
  tools: OrganizationTools,
  json: (value: object) => void,
  sideBySide: SideBySide,
): Promise<number> {
  const open = runs.filter((r) => !r.refused);
  const found = open.reduce((n, r) => n + r.targets!.found.size, 0);
  const missing = open.reduce((n, r) => n + r.targets!.missing.length, 0);
  const perAccount = open.map((r) => `${r.entry.accountId}: ${r.targets!.found.size}`).join(", ");
  const refused = runs.filter((r) => r.refused).map((r) => r.entry.accountId);
  const verb = args.keepUser ? "clear every dependency of" : "delete";
  io.stderr(
    `${found} IAM user(s) in ${open.length} account(s) to ${verb}${open.length > 0 ? ` (${perAccount})` : ""}` +
      `${missing > 0 ? `; ${missing} not found (already gone)` : ""}${refused.length > 0 ? `; ${refused.length} account(s) refused: ${refused.join(", ")}` : ""}\n`,
  );
  reportKept(args, open, io, json);
  const window = args.selection.inactiveFor;
  if (found > 0 && !args.yes) {
    // Whom the question is about, before it: the count alone does not show a wrong selection.
    for (const r of open)
      if (r.targets!.found.size > 0) io.stderr(`account ${r.entry.accountId} users: ${firstNames([...r.targets!.found.keys()])}\n`);
    const answer = await io.confirm!(
      `${args.keepUser ? "Clear" : "Delete"} ${found} IAM user(s) in ${open.length} account(s)${args.keepUser ? "" : " and everything that hangs on them"}${window && !args.selection.all ? ` (each active within ${window.text} is kept)` : ""}? [y/N] `,
    );
    if (answer === "interrupted" || tools.interrupt.aborted) {
      io.stderr(NOTHING_CHANGED_ON_INTERRUPT);
      return EXIT.interrupted;
    }
    if (!answer) {
      io.stderr("iam-user-teardown: not confirmed: nothing changed\n");
      return EXIT.declined;
    }
  }
  announceInterrupt(io, tools.interrupt);
  const total = open.reduce((n, r) => n + r.userNames.length, 0);
  const progress = new Progress(total, io.stderr, io.stderrIsTerminal === true);
  // One writer for every account: records are named by account id and UserId.
  const record = args.record === undefined ? undefined : recordWriterFor(args.record, { roleArn: args.recordRoleArn, region: args.region });
  await sideBySide(async (run) => {
    if (run.refused) return;
    const { accountId } = run.entry;
    run.run = await deleteFleet({
      client: run.client,
      userNames: run.userNames,
      concurrency: args.concurrency,
      interrupt: tools.interrupt,
      targets: run.targets!,
      keepUser: args.keepUser,
      guards: run.guards,
      record,
      onResult: (r) => {
        progress.user({ ...r, userName: `${accountId}/${r.userName}` });
        // With --inactive-for, each user's activity (read for the guard) goes with its line.
        if (args.json) json({ type: "user", accountId, ...resultJson(r), ...(window ? { activity: run.activity.of(r.userName) } : {}) });
      },
    });
  });
  progress.end();
  const totals: Counts = { deleted: 0, cleared: 0, "already-gone": 0, failed: 0, interrupted: 0 };
  const lines: string[] = [];
  for (const run of runs) {
    const { accountId } = run.entry;
    if (run.refused) {
      if (args.json) json({ type: "account", accountId, roleArn: run.entry.roleArn, outcome: "refused", error: run.refused });
      lines.push(`account ${accountId}: refused: ${run.refused}`);
      continue;
    }
    const counts = countOutcomes(run.run!);
    for (const [k, n] of Object.entries(counts)) totals[k as keyof Counts] = (totals[k as keyof Counts] ?? 0) + (n ?? 0);
    if (args.json)
      json({
        type: "account",
        accountId,
        roleArn: run.entry.roleArn,
        outcome: "done",
        users: run.userNames.length,
        ...counts,
        ...keptCount(run),
        ...(run.run!.notStarted.length > 0 ? { notStarted: run.run!.notStarted } : {}),
      });
    lines.push(`account ${accountId}: ${renderSummary(run.userNames.length, counts, run.run!).trimEnd()}`);
  }
  const kept = open.reduce((n, r) => n + (r.selected?.kept.length ?? 0), 0);
  const summary = summaryJson(total, totals, { ...(kept > 0 ? { kept } : {}), accounts: runs.length, refusedAccounts: refused });
  if (args.json) json(summary);
  lines.push(
    `${runs.length} account(s)${refused.length > 0 ? ` (${refused.length} refused: ${refused.join(", ")})` : ""}, ${renderSummary(total, totals, { results: [], notStarted: [] }).trimEnd()}`,
  );
  io.stderr(`${lines.join("\n")}\n`);
  const results = open.flatMap((r) => r.run!.results);
  const interrupted = open.some((r) => r.run!.notStarted.length > 0) || tools.interrupt.aborted;
  return exitCode(interrupted, totals.failed > 0 || refused.length > 0, results.some(isSkipped));
}

const keptCount = (run: AccountRun): { kept?: number } =>
  run.selected && run.selected.kept.length > 0 ? { kept: run.selected.kept.length } : {};

/** The users --all matched in each account but --inactive-for kept as active: a JSON line or a text line each. */
function reportKept(args: ParsedArgs, runs: readonly AccountRun[], io: CliIo, json: (value: object) => void): void {
  for (const run of runs)
    for (const { user, skip } of run.selected?.kept ?? []) {
      const { accountId } = run.entry;
      if (args.json) json({ type: "user", accountId, ...keptJson(user.UserName!, user, skip, run.activity.of(user.UserName!)) });
      else if (!args.markdown)
        io.stdout(`account ${accountId}: kept (active within ${args.selection.inactiveFor?.text}): ${user.UserName}: ${skip.reason}\n`);
    }
}

async function planAccounts(
  args: ParsedArgs,
  runs: AccountRun[],
  io: CliIo,
  tools: OrganizationTools,
  json: (value: object) => void,
  sideBySide: SideBySide,
): Promise<number> {
  reportKept(args, runs, io, json);
  announceInterrupt(io, tools.interrupt);
  await sideBySide(async (run) => {
    if (run.refused) return;
    const { accountId } = run.entry;
    run.plans = await planFleet({
      client: run.client,
      userNames: run.userNames,
      concurrency: args.concurrency,
      keepUser: args.keepUser,
      keepPlans: args.markdown,
      activity: { clock: run.activity.clock, known: (userId) => run.activity.known(userId) },
      interrupt: tools.interrupt,
      onResult: (r) => {
        if (args.json) json({ type: "user", accountId, ...planJson(r) });
        else if (!r.plan) io.stderr(`iam-user-teardown: account ${accountId}: ${r.userName}: ${r.error}\n`);
        else if (!args.markdown) io.stdout(`account ${accountId}: ${renderPlan(r.plan)}`);
      },
    });
  });
  const refused = runs.filter((r) => r.refused).map((r) => r.entry.accountId);
  const totals = { planned: 0, "already-gone": 0, failed: 0, interrupted: 0 };
  const lines: string[] = [];
  const sections: string[] = [];
  for (const run of runs) {
    const { accountId } = run.entry;
    const { userNames } = run;
    if (run.refused) {
      if (args.json) json({ type: "account", accountId, roleArn: run.entry.roleArn, outcome: "refused", error: run.refused });
      lines.push(`account ${accountId}: refused: ${run.refused}`);
      sections.push(`#### Account ${accountId}: refused\n\nNothing was read: ${run.refused.replace(/\s+/g, " ")}\n`);
      continue;
    }
    // Counted as they finished; the run keeps only the users that could not be read (every plan with --markdown).
    const { results, finished } = run.plans!;
    const failed = results.filter((r) => !r.plan);
    const existing = finished.planned ?? 0;
    const counts = {
      planned: existing,
      "already-gone": finished["already-gone"] ?? 0,
      failed: failed.length,
      interrupted: run.plans!.notStarted.length,
    };
    for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += counts[k];
    if (args.json)
      json({
        type: "account",
        accountId,
        roleArn: run.entry.roleArn,
        outcome: "done",
        users: userNames.length,
        ...counts,
        ...keptCount(run),
      });
    const kept = run.selected?.kept.length ?? 0;
    lines.push(
      `account ${accountId}: ${userNames.length} user(s) planned: ${existing} exist, ${counts["already-gone"]} do not, ${failed.length} could not be read${kept > 0 ? `; ${kept} kept (active)` : ""}${failed.map((f) => `\n  failed: ${f.userName}: ${f.error}`).join("")}`,
    );
    if (args.markdown) {
      const order = new Map(userNames.map((name, i) => [name, i]));
      const listed = (name: string) => order.get(name) ?? 0;
      const plans = results
        .flatMap((r) => (r.plan ? [r.plan] : []))
        .sort((a, b) => listed(a.requestedUserName) - listed(b.requestedUserName));
      const unread: UnreadUser[] = [
        ...failed.map((r) => ({ userName: r.userName, reason: r.error ?? "unknown error" })),
        ...run.plans!.notStarted.map((userName) => ({ userName, reason: "not read: the run was interrupted first" })),
      ].sort((a, b) => listed(a.userName) - listed(b.userName));
      sections.push(
        renderMarkdownSummary(plans, unread, {
          heading: `#### Account ${accountId}`,
          activity: {
            window: args.selection.inactiveFor?.text,
            kept: (run.selected?.kept ?? []).map(({ user, skip }) => ({ userName: user.UserName!, reason: skip.reason })),
          },
        }),
      );
    }
  }
  const total = runs.reduce((n, r) => n + (r.refused ? 0 : r.userNames.length), 0);
  if (args.markdown) {
    const refusal = refused.length > 0 ? ` ${refused.length} refused, not read: ${refused.join(", ")}.` : "";
    io.stdout(
      `### IAM user teardown plan: ${runs.length} accounts\n\n${total} users in ${runs.length - refused.length} accounts read.${refusal}\n\n${sections.join("\n")}`,
    );
  }
  const kept = runs.reduce((n, r) => n + (r.selected?.kept.length ?? 0), 0);
  if (args.json) json(summaryJson(total, totals, { ...(kept > 0 ? { kept } : {}), accounts: runs.length, refusedAccounts: refused }));
  else
    lines.push(
      `${runs.length} account(s)${refused.length > 0 ? ` (${refused.length} refused: ${refused.join(", ")})` : ""}: ${total} user(s) planned: ${totals.planned} exist, ${totals["already-gone"]} do not, ${totals.failed} could not be read`,
    );
  if (!args.json) io.stderr(`${lines.join("\n")}\n`);
  const interrupted = totals.interrupted > 0;
  return interrupted ? EXIT.interrupted : totals.failed > 0 || refused.length > 0 ? EXIT.failed : EXIT.ok;
}
