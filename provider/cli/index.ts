import * as fs from "node:fs";
import * as readline from "node:readline";
import { confirmAllowedAccount } from "../aws/account-guard";
import { iamClientFor, USER_AGENT } from "../aws/client";
import { describeFailure } from "../aws/errors";
import type { Clock } from "../clock";
import { recordWriterFor } from "../records/store";
import { organizationAccounts, runOrganization } from "./accounts";
import { ActivityReader } from "./activity";
import {
  connectionOf,
  EXIT,
  finalUserList,
  isChanging,
  type ParsedArgs,
  parseCommandLine,
  USAGE,
  UsageError,
  userNamesFromText,
} from "./args";
import { deleteFleet, findTargets, isSkipped, planFleet, targetsOf } from "./fleet";
import { callerArnForSelf, callerOwnUserAmong, userGuards } from "./guards";
import { renderMarkdownSummary, type UnreadUser } from "./markdown";
import { countOutcomes, exitCode, keptJson, planJson, renderPlan, renderSummary, resultJson, summaryJson } from "./output";
import { type PlanFile, PlanFileWriter, parsePlanFile, plannedItems, planRefusal } from "./plan-file";
import { Progress } from "./progress";
import { runQuarantine } from "./quarantine";
import { parseRestoreArgs, RESTORE_HELP, runRestore } from "./restore";
import { describeSelection, firstNames, type SelectedUsers, selectUsers } from "./selection";

export { EXIT } from "./args";

/** The answer to a yes/no question: true yes, false no (end of input included), or Ctrl-C at the question. */
export type ConfirmAnswer = boolean | "interrupted";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Asks a yes/no question; absent when there is no terminal to ask. */
  confirm?: (question: string) => Promise<ConfirmAnswer>;
  /** Standard input, whole (for --from-file -); what was read so far once the interrupt is aborted. */
  readStdin?: () => Promise<string>;
  /** Standard input is a terminal: --from-file - says how to end the names (Ctrl-D). */
  stdinIsTerminal?: boolean;
  /** Standard error is a terminal: progress rewrites one line instead of printing one per user. */
  stderrIsTerminal?: boolean;
  /**
   * Aborted on Ctrl-C. Before any user is started (reading the names, looking the users up, at the question) the run
   * ends there, nothing changed (exit 130); once users run, no new user starts, those under way finish and the partial
   * report is printed.
   */
  interrupt?: AbortSignal;
  /**
   * Where waits for IAM's service last-accessed jobs are made, activity windows end, and assumed roles' sessions are
   * renewed (the system's by default).
   */
  clock?: Clock;
}

const NOTHING_CHANGED_ON_INTERRUPT = "iam-user-teardown: interrupted: nothing changed\n";

/** Runs the CLI; returns the exit code. Bad usage is found before any call to AWS. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args: ParsedArgs;
  let userNames: string[];
  let excluded: Set<string>;
  let plan: PlanFile | undefined;
  const interrupt = io.interrupt ?? new AbortController().signal;
  try {
    const request = parseCommandLine(argv);
    if (request.kind === "version" || request.kind === "help") {
      io.stdout(request.kind === "version" ? `iam-user-teardown ${USER_AGENT[1]}\n` : `${request.text}\n`);
      return EXIT.ok;
    }
    if (request.kind === "restore") {
      const restore = parseRestoreArgs(request.argv);
      if (restore === "help") {
        io.stdout(`${RESTORE_HELP}\n`);
        return EXIT.ok;
      }
      return await runRestore(restore, io);
    }
    args = request.args;
    if (isChanging(args.command) && !args.yes && !io.confirm) {
      throw new UsageError(`refusing to ${args.command} without confirmation: pass --yes when standard input is not a terminal`);
    }
    if (isChanging(args.command) && !args.yes && args.fromFile === "-") {
      // The names are read to the end of standard input, after which nothing can be answered there.
      throw new UsageError("--from-file - reads the names from standard input, which then cannot answer the question: pass --yes");
    }
    if (args.plan !== undefined) {
      plan = await readPlan(args.plan);
      if (plan.keepUser !== args.keepUser)
        throw new UsageError(`the plan was made ${plan.keepUser ? "with" : "without"} --keep-user: delete --plan must say the same`);
    }
    const fileText = args.fromFile === undefined ? "" : await readUserFile(args.fromFile, io);
    if (interrupt.aborted) {
      io.stderr(NOTHING_CHANGED_ON_INTERRUPT);
      return EXIT.interrupted;
    }
    userNames = plan
      ? plan.users.map((u) => u.userName)
      : finalUserList(
          args,
          args.fromFile === undefined ? [] : userNamesFromText(fileText, args.fromFile === "-" ? "standard input" : args.fromFile),
        );
    const excludeFrom = args.selection.excludeFrom;
    excluded = new Set([
      ...args.selection.exclude,
      ...(excludeFrom === undefined ? [] : userNamesFromText(await readUserFile(excludeFrom, io, "--exclude-from"), excludeFrom)),
    ]);
    if (args.organization) {
      const file = args.organization.accountsFile;
      const accounts = organizationAccounts(args, file === undefined ? undefined : await readInputFile(file, "--accounts-file"), userNames);
      return await runOrganization(args, accounts, io, { interrupt, excluded, clock: io.clock });
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`iam-user-teardown: ${err.message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const client = iamClientFor(connectionOf(args));
  const json = (value: object) => io.stdout(`${JSON.stringify(value)}\n`);
  const activity = new ActivityReader(client, { clock: io.clock });
  const tools: RunTools = {
    client,
    interrupt,
    progress: new Progress(userNames.length, io.stderr, io.stderrIsTerminal === true),
    json,
    activity,
  };
  try {
    if (args.selection.all) {
      // The account is confirmed before its users are walked, as before any user is looked at.
      await confirmAllowedAccount(client, args.command === "plan" ? "to plan" : "to change anything");
      const selected = await selectAll(args, excluded, tools, io);
      userNames = selected.selected.map((u) => u.UserName!);
      tools.progress = new Progress(userNames.length, io.stderr, io.stderrIsTerminal === true);
      tools.selected = selected;
    }
    if (args.command === "disable" || args.command === "enable")
      return await runQuarantine({ ...args, command: args.command }, userNames, {
        ...io,
        client,
        interrupt,
        // --all: the selection's walk found them; no second walk.
        targets: tools.selected && targetsOf(tools.selected.selected),
        guards: (targets) => userGuards(args, { client, activity, targets }),
        reportKept: () => reportKept(args, io, tools),
        activityOf: args.selection.inactiveFor ? (userName) => activity.of(userName) : undefined,
      });
    return args.command === "plan" ? await runPlan(args, userNames, io, tools) : await runDelete(args, userNames, io, tools, plan);
  } catch (err) {
    tools.progress.end();
    io.stderr(`iam-user-teardown: ${describeFailure(err)}\n`);
    return EXIT.failed;
  }
}

interface RunTools {
  client: ReturnType<typeof iamClientFor>;
  interrupt: AbortSignal;
  progress: Progress;
  json: (value: object) => void;
  activity: ActivityReader;
  /** With --all: what the selection chose and kept. */
  selected?: SelectedUsers;
}

/**
 * --all: the account's users narrowed as asked, the caller's own user left out (unless --include-self), and with
 * --inactive-for the active ones kept apart. Says on standard error how many matched and why some were left out.
 */
async function selectAll(args: ParsedArgs, excluded: Set<string>, t: RunTools, io: CliIo): Promise<SelectedUsers> {
  // enable gives back what disable took: the caller's own user is not left out of it.
  const callerArn = args.selection.includeSelf || args.command === "enable" ? undefined : await callerArnForSelf(t.client);
  const selected = await selectUsers({
    client: t.client,
    selection: args.selection,
    excluded,
    callerArn,
    activity: t.activity,
    concurrency: args.concurrency,
  });
  io.stderr(`${describeSelection(selected, args.selection)}\n`);
  return selected;
}

/** The --json lines and text lines of the users --inactive-for kept (matched by --all, active inside the window). */
function reportKept(args: ParsedArgs, io: CliIo, t: RunTools): number {
  const kept = t.selected?.kept ?? [];
  for (const { user, skip } of kept) {
    if (args.json) t.json(keptJson(user.UserName!, user, skip, t.activity.of(user.UserName!)));
    else if (!args.markdown) io.stdout(`kept (active within ${args.selection.inactiveFor?.text}): ${user.UserName}: ${skip.reason}\n`);
  }
  return kept.length;
}

/** From now on users run: Ctrl-C lets those under way finish; say so when it comes. */
function announceInterrupt(io: CliIo, interrupt: AbortSignal): void {
  interrupt.addEventListener(
    "abort",
    () => io.stderr("\niam-user-teardown: interrupted: starting no more users, finishing those under way (Ctrl-C again to stop now)\n"),
    { once: true },
  );
}

async function runPlan(args: ParsedArgs, userNames: string[], io: CliIo, t: RunTools): Promise<number> {
  // A plan of another account than the one named would mislead its reviewer: confirmed as for delete.
  await confirmAllowedAccount(t.client, "to plan");
  const kept = reportKept(args, io, t);
  announceInterrupt(io, t.interrupt);
  // The plan file is written user by user as the run goes: the run keeps no plan it does not print at the end.
  const planFile = args.out === undefined ? undefined : new PlanFileWriter(args.out, args.keepUser, new Date());
  const run = await planFleet({
    client: t.client,
    userNames,
    concurrency: args.concurrency,
    keepUser: args.keepUser,
    activity: { clock: t.activity.clock, known: (userId) => t.activity.known(userId) },
    keepPlans: args.markdown,
    interrupt: t.interrupt,
    onResult: (r) => {
      if (r.plan) planFile?.add(r.plan);
      if (args.json) t.json(planJson(r));
      else if (!r.plan) io.stderr(`iam-user-teardown: ${r.userName}: ${r.error}\n`);
      else if (!args.markdown) io.stdout(renderPlan(r.plan));
    },
  });
  const failed = run.results.filter((r) => !r.plan);
  const existing = run.finished.planned ?? 0;
  const counts = {
    planned: existing,
    "already-gone": run.finished["already-gone"] ?? 0,
    failed: failed.length,
    interrupted: run.notStarted.length,
    ...(kept > 0 ? { kept } : {}),
  };
  if (args.markdown) {
    const order = new Map(userNames.map((name, i) => [name, i]));
    const listed = (name: string) => order.get(name) ?? 0;
    const plans = run.results.flatMap((r) => (r.plan ? [r.plan] : []));
    plans.sort((a, b) => listed(a.requestedUserName) - listed(b.requestedUserName));
    // The comment a CI job posts must name what it could not see, not only the exit code.
    const unread: UnreadUser[] = [
      ...failed.map((r) => ({ userName: r.userName, reason: r.error ?? "unknown error" })),
      ...run.notStarted.map((userName) => ({ userName, reason: "not read: the run was interrupted first" })),
    ].sort((a, b) => listed(a.userName) - listed(b.userName));
    io.stdout(
      renderMarkdownSummary(plans, unread, {
        activity: {
          window: args.selection.inactiveFor?.text,
          kept: (t.selected?.kept ?? []).map(({ user, skip }) => ({ userName: user.UserName!, reason: skip.reason })),
        },
      }),
    );
  }
  if (planFile) {
    await planFile.finish();
    io.stderr(
      `plan of ${planFile.written} user(s) written to ${args.out}${failed.length > 0 ? ` (${failed.length} that could not be read left out)` : ""}\n`,
    );
  }
  if (args.json) t.json(summaryJson(userNames.length, counts));
  else if (userNames.length > 1 || failed.length > 0)
    io.stderr(
      `${userNames.length} user(s) planned: ${existing} exist, ${counts["already-gone"]} do not, ${failed.length} could not be read${kept > 0 ? `; ${kept} kept (active)` : ""}${failed.map((f) => `\n  failed: ${f.userName}: ${f.error}`).join("")}\n`,
    );
  return exitCode(run.notStarted.length > 0, failed.length > 0);
}

async function runDelete(args: ParsedArgs, userNames: string[], io: CliIo, t: RunTools, plan?: PlanFile): Promise<number> {
  // A plan too old is refused before any call at all; one of another account once its users are looked up (reads).
  const tooOld = plan && planRefusal(plan, Date.now(), args.maxPlanAgeMs, []);
  if (tooOld) {
    io.stderr(`iam-user-teardown: refusing ${args.plan}: ${tooOld}. Nothing changed.\n`);
    return EXIT.failed;
  }
  // With --allowed-account-id, the account is confirmed once, before anything is asked or any user started: when it
  // cannot be (STS unreachable) or is not allowed, the run ends here with one message, and no user is blamed.
  await confirmAllowedAccount(t.client, "to change anything");
  // --all: the selection's walk found them; no second walk.
  const targets = t.selected ? targetsOf(t.selected.selected) : await findTargets(t.client, userNames, args.concurrency);
  const refused = plan && planRefusal(plan, Date.now(), undefined, targets.accounts);
  if (refused) {
    io.stderr(`iam-user-teardown: refusing ${args.plan}: ${refused}. Nothing changed.\n`);
    return EXIT.failed;
  }
  const guards = await userGuards(args, { client: t.client, activity: t.activity, targets, plan });
  const last = args.selection.includeSelf ? await callerOwnUserAmong(t.client, targets) : undefined;
  const window = args.selection.inactiveFor;
  const where = targets.accounts.length === 0 ? "" : ` in account ${targets.accounts.join(", ")}`;
  const missing = targets.missing.length > 0 ? `; ${targets.missing.length} not found (already gone)` : "";
  const verb = args.keepUser ? "clear every dependency of" : "delete";
  io.stderr(`${targets.found.size} IAM user(s)${where} to ${verb}${missing}\n`);
  const kept = reportKept(args, io, t);
  if (t.interrupt.aborted) {
    io.stderr(NOTHING_CHANGED_ON_INTERRUPT);
    return EXIT.interrupted;
  }
  if (targets.found.size > 0 && !args.yes) {
    // Whom the question is about, before it: the count alone does not show a wrong selection.
    io.stderr(`users: ${firstNames([...targets.found.keys()])}\n`);
    const answer = await io.confirm!(
      `${args.keepUser ? "Clear" : "Delete"} ${targets.found.size} IAM user(s)${where}${args.keepUser ? "" : " and everything that hangs on them"}${window && !args.selection.all ? ` (each active within ${window.text} is kept)` : ""}? [y/N] `,
    );
    if (answer === "interrupted" || t.interrupt.aborted) {
      io.stderr(NOTHING_CHANGED_ON_INTERRUPT);
      return EXIT.interrupted;
    }
    if (!answer) {
      io.stderr("iam-user-teardown: not confirmed: nothing changed\n");
      return EXIT.declined;
    }
  }
  announceInterrupt(io, t.interrupt);
  const single = userNames.length === 1;
  const run = await deleteFleet({
    client: t.client,
    userNames,
    concurrency: args.concurrency,
    interrupt: t.interrupt,
    targets,
    keepUser: args.keepUser,
    expectUserId: args.expectUserId,
    guards,
    last,
    record: args.record === undefined ? undefined : recordWriterFor(args.record, { roleArn: args.recordRoleArn, region: args.region }),
    onlyItemsFor: plan ? planItemsByName(plan) : undefined,
    // One user: its teardown's own lines, as before; many: the progress lines say it.
    log: single ? (line) => t.progress.note(`iam-user-teardown: ${line}`) : undefined,
    onResult: (r) => {
      t.progress.user(r);
      // With --inactive-for, each user's activity (read for the guard) goes with its line.
      if (args.json) t.json(window ? { ...resultJson(r), activity: t.activity.of(r.userName) } : resultJson(r));
    },
  });
  t.progress.end();
  const counts = countOutcomes(run);
  const extra = { ...(kept > 0 ? { kept } : {}), ...(run.notStarted.length > 0 ? { notStarted: run.notStarted } : {}) };
  if (args.json) t.json(summaryJson(userNames.length, counts, extra));
  io.stderr(renderSummary(userNames.length, counts, run));
  return exitCode(run.notStarted.length > 0 || t.interrupt.aborted, counts.failed > 0, run.results.some(isSkipped));
}

/** Per user name, the items its plan holds (the only ones its teardown may remove). */
function planItemsByName(plan: PlanFile) {
  const byName = new Map(plan.users.map((u) => [u.userName, plannedItems(u)]));
  return (userName: string) => byName.get(userName) ?? (() => false);
}

async function readPlan(path: string): Promise<PlanFile> {
  try {
    return parsePlanFile(await fs.promises.readFile(path, "utf8"), path);
  } catch (err) {
    throw new UsageError(`--plan ${path}: ${(err as Error).message}`);
  }
}

async function readUserFile(path: string, io: CliIo, option = "--from-file"): Promise<string> {
  if (path === "-" && option === "--from-file") {
    if (!io.readStdin) throw new UsageError("--from-file - reads standard input, which is not available here");
    if (io.stdinIsTerminal) io.stderr("iam-user-teardown: reading user names from standard input, one a line, until Ctrl-D\n");
    return io.readStdin();
  }
  return readInputFile(path, option);
}

async function readInputFile(path: string, flag: string): Promise<string> {
  try {
    return await fs.promises.readFile(path, "utf8");
  } catch (err) {
    throw new UsageError(`${flag} ${path}: ${(err as Error).message}`);
  }
}

/**
 * Asks on the terminal. Ctrl-C at the question is "interrupted": readline reads it as a key (the terminal is in raw
 * mode while it asks), or, when standard error is not a terminal, it comes as SIGINT and aborts `interrupt`. End of
 * input (Ctrl-D) is "no". Either way the question is closed, so nothing keeps the process waiting.
 */
function terminalConfirm(question: string, interrupt: AbortSignal): Promise<ConfirmAnswer> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  return new Promise<ConfirmAnswer>((resolve) => {
    let answered = false;
    const end = (answer: ConfirmAnswer, newline: boolean) => {
      // Answered before close(), whose "close" event then changes nothing.
      if (answered) return;
      answered = true;
      interrupt.removeEventListener("abort", onInterrupt);
      rl.close();
      // The cursor is still after the question: the next message starts on a line of its own.
      if (newline) process.stderr.write("\n");
      resolve(answer);
    };
    const onInterrupt = () => end("interrupted", true);
    if (interrupt.aborted) return onInterrupt();
    interrupt.addEventListener("abort", onInterrupt, { once: true });
    rl.on("SIGINT", onInterrupt);
    rl.on("close", () => end(false, true));
    rl.question(question, (answer) => end(/^y(es)?$/i.test(answer.trim()), false));
  });
}

/** Standard input to its end, or what came before an interrupt (Ctrl-C while the names are typed). */
function readAllStdin(interrupt: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    const finish = () => {
      process.stdin.off("data", onData).off("end", finish).off("error", onError);
      interrupt.removeEventListener("abort", onInterrupt);
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const onData = (chunk: Buffer) => chunks.push(chunk);
    const onError = (err: Error) => reject(err);
    const onInterrupt = () => {
      process.stdin.pause();
      finish();
    };
    if (interrupt.aborted) return onInterrupt();
    interrupt.addEventListener("abort", onInterrupt, { once: true });
    process.stdin.on("data", onData).on("end", finish).on("error", onError);
  });
}

/** The process entry point (bin/iam-user-teardown.js). The first Ctrl-C stops new users; a second one exits at once. */
export function main(): void {
  const interrupt = new AbortController();
  process.on("SIGINT", () => {
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
    interrupt.abort();
  });
  let settled = false;
  // A run that ends without its exit code (something it waited for can no longer come) has not succeeded.
  process.on("exit", () => {
    if (settled) return;
    process.stderr.write("iam-user-teardown: ended before the run finished\n");
    process.exitCode = EXIT.failed;
  });
  runCli(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    confirm: process.stdin.isTTY ? (question) => terminalConfirm(question, interrupt.signal) : undefined,
    readStdin: () => readAllStdin(interrupt.signal),
    stdinIsTerminal: process.stdin.isTTY === true,
    stderrIsTerminal: process.stderr.isTTY === true,
    interrupt: interrupt.signal,
  })
    .then(
      (code) => (process.exitCode = code),
      (err) => {
        process.stderr.write(`iam-user-teardown: error: ${describeFailure(err)}\n`);
        process.exitCode = EXIT.failed;
      },
    )
    .finally(() => (settled = true));
}

if (require.main === module) main();
