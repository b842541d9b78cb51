import { parseArgs as parseNodeArgs } from "node:util";
import { callerAccountOf, confirmAllowedAccount } from "../aws/account-guard";
import { iamClientFor } from "../aws/client";
import { describeFailure } from "../aws/errors";
import { readRecords } from "../records/store";
import type { UserRecord } from "../teardown/record";
import { type RestoreReport, restoreUser } from "../teardown/restore";
import { validateConnection } from "../validate";
import { connectionOf, EXIT, UsageError } from "./args";

export { RESTORE_HELP } from "./args";

export interface RestoreArgs {
  sources: string[];
  dryRun: boolean;
  json: boolean;
  recordRoleArn?: string;
  region?: string;
  profile?: string;
  roleArn?: string;
  allowedAccountIds: string[];
}

const OPTIONS = {
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
  "record-role-arn": { type: "string" },
  region: { type: "string" },
  profile: { type: "string" },
  "role-arn": { type: "string" },
  "allowed-account-id": { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
} as const;

/** `restore`'s command line; "help" when --help was asked. Throws UsageError. */
export function parseRestoreArgs(argv: readonly string[]): RestoreArgs | "help" {
  let parsed: ReturnType<typeof parse>;
  const parse = (args: string[]) => parseNodeArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  try {
    parsed = parse([...argv]);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (positionals.length === 0) throw new UsageError("restore needs at least one RECORD (a file, a directory or s3://bucket/prefix/)");
  const allowedAccountIds = values["allowed-account-id"] ?? [];
  for (const id of allowedAccountIds)
    if (!/^\d{12}$/.test(id)) throw new UsageError(`--allowed-account-id needs a 12-digit AWS account id; got ${JSON.stringify(id)}`);
  const connection = { region: values.region, profile: values.profile, roleArn: values["role-arn"] };
  const failure = validateConnection(connection)[0] ?? validateConnection({ roleArn: values["record-role-arn"] })[0];
  if (failure) throw new UsageError(failure.reason);
  return {
    sources: positionals,
    dryRun: values["dry-run"] ?? false,
    json: values.json ?? false,
    recordRoleArn: values["record-role-arn"],
    ...connection,
    allowedAccountIds,
  };
}

interface RestoreIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Restores every record, one user after another; returns the exit code. */
export async function runRestore(args: RestoreArgs, io: RestoreIo): Promise<number> {
  let records: Awaited<ReturnType<typeof readRecords>>;
  try {
    records = await readRecords(args.sources, { roleArn: args.recordRoleArn, region: args.region });
  } catch (err) {
    io.stderr(`iam-user-teardown: ${describeFailure(err)}\n`);
    return EXIT.failed;
  }
  const client = iamClientFor(connectionOf(args));
  let account: string;
  try {
    await confirmAllowedAccount(client, "to restore");
    // A record comes back in the account it was made in, never elsewhere by accident (STS, no permission needed).
    account = await callerAccountOf(client);
  } catch (err) {
    io.stderr(
      `iam-user-teardown: could not confirm which AWS account the credentials reach: ${describeFailure(err)}; nothing was created\n`,
    );
    return EXIT.failed;
  }
  let incomplete = 0;
  for (const { source, record } of records) {
    let report: RestoreReport;
    try {
      report =
        record.accountId === account ? await restoreUser({ client, record, dryRun: args.dryRun }) : refusedElsewhere(record, account);
    } catch (err) {
      report = {
        userName: record.user.userName,
        accountId: record.accountId,
        previousUserId: record.user.userId,
        outcome: "failed",
        path: record.user.path,
        tags: record.user.tags.length,
        kinds: [],
        cannotReturn: [],
        error: describeFailure(err),
      };
    }
    if (!isComplete(report)) incomplete++;
    if (args.json) io.stdout(`${JSON.stringify({ type: "user", source, ...report })}\n`);
    else io.stdout(renderRestore(report, source));
  }
  const summary = `${records.length} record(s): ${records.length - incomplete} ${args.dryRun ? "would be restored" : "restored"} whole, ${incomplete} not`;
  if (args.json) io.stdout(`${JSON.stringify({ type: "summary", records: records.length, incomplete })}\n`);
  else io.stderr(`${summary}\n`);
  return incomplete > 0 ? EXIT.failed : EXIT.ok;
}

/** A record of another account than the credentials reach: refused, nothing called for it. */
function refusedElsewhere(record: UserRecord, account: string): RestoreReport {
  return {
    userName: record.user.userName,
    accountId: record.accountId,
    previousUserId: record.user.userId,
    outcome: "refused",
    path: record.user.path,
    tags: record.user.tags.length,
    kinds: [],
    cannotReturn: [],
    error: `the record is of account ${record.accountId}, and these credentials reach account ${account}: a user is restored in the account it was recorded in`,
  };
}

/** Restored (or, with --dry-run, restorable) with every item a record can bring back. */
const isComplete = (r: RestoreReport): boolean =>
  (r.outcome === "restored" || r.outcome === "planned") && r.kinds.every((k) => k.items.every((i) => i.outcome === "recreated"));

const counted = (n: number, words: { singular: string; title: string }) => `${n} ${n === 1 ? words.singular : words.title}`;

/** One user's restore, in words: what came back, what did not and why, and the new UserId's warning. */
export function renderRestore(r: RestoreReport, source: string): string {
  const lines: string[] = [];
  const what = [
    `path ${r.path}`,
    `${r.tags} tag(s)`,
    r.permissionsBoundary ? `permissions boundary ${r.permissionsBoundary}` : "no permissions boundary",
    ...r.kinds.map((k) => counted(k.items.filter((i) => i.outcome === "recreated").length, k)),
  ].join(", ");
  if (r.outcome === "refused" || r.outcome === "failed") {
    lines.push(`${r.outcome} ${r.userName} (recorded as ${r.previousUserId} in account ${r.accountId}, from ${source}): ${r.error}`);
    return `${lines.join("\n")}\n`;
  }
  lines.push(
    r.outcome === "planned"
      ? `would restore ${r.userName} (recorded as ${r.previousUserId} in account ${r.accountId}, from ${source}): ${what}`
      : `restored ${r.userName}: new UserId ${r.userId} (was ${r.previousUserId}) in account ${r.accountId}: ${what}`,
  );
  for (const k of r.kinds)
    for (const item of k.items) {
      if (item.outcome === "recreated") continue;
      lines.push(`  ${item.outcome === "missing" ? "not restored" : "failed"}: ${k.title}: ${item.id}: ${item.detail ?? ""}`);
    }
  for (const c of r.cannotReturn) lines.push(`  cannot return: ${counted(c.ids.length, c)} (${c.ids.join(", ")}): ${c.why}`);
  const subject = r.outcome === "planned" ? "the restored user will have" : "it has";
  lines.push(
    `  WARNING: ${r.userName}: ${subject} a new UserId${r.userId ? ` (${r.userId})` : ""}, not ${r.previousUserId}. Grants that named the old user in resource policies (bucket, key, queue policies, ...) and in role trust policies DO NOT come back: AWS turned them into the old UserId, which no principal has now. Grant the new user again where it needs access.`,
  );
  return `${lines.join("\n")}\n`;
}
