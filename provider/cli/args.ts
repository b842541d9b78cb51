import { parseArgs as parseNodeArgs } from "node:util";
import type { AwsConnection } from "../aws/client";
import { validateConnection, validateUserName } from "../validate";
import {
  DISABLE_SELECTION_HELP,
  parseSelection,
  SELECTION_HELP,
  SELECTION_NARROWING_HELP,
  SELECTION_OPTIONS,
  type Selection,
  SelectionError,
} from "./selection";

/**
 * Exit codes. A "no" at the question is 1, as a failure: a script's `delete && next` must not go on. 3: a guard kept
 * some users (untouched) and none failed, so a script can tell "refused as asked" from "broken".
 */
export const EXIT = { ok: 0, failed: 1, declined: 1, usage: 2, skipped: 3, interrupted: 130 } as const;

/**
 * Users torn down at once when --concurrency is not given: enough to keep IAM's per-action buckets busy in the largest
 * account IAM allows. There each user's re-check before DeleteUser waits for a walk of 5,000 users (5 pages, one after
 * another), so a user takes several round trips longer than in a small account, and 16 users at once could not keep
 * up with 50 requests/s per action (bench/, the largest account). Requests in flight stay capped by the client.
 */
export const DEFAULT_CONCURRENCY = 48;

/** Any UserId IAM documents: word characters, 16 to 128 of them (IAM's own prefixes are AIDA..., emulators differ). */
const USER_ID = /^[\w]{16,128}$/;

export class UsageError extends Error {}

export type Command = "plan" | "delete" | "disable" | "enable" | "restore";

/** The commands that change users: each asks first (or takes --yes). */
export const isChanging = (command: Command): boolean => command !== "plan";

export interface ParsedArgs {
  command: Command;
  /** Names on the command line, then from --from-file, in order, each once. */
  userNames: string[];
  /** --from-file's path; "-" is standard input. Read by the caller (reading is I/O, parsing is not). */
  fromFile?: string;
  concurrency: number;
  json: boolean;
  /** plan: one Markdown table for a pull-request comment instead of a plan per user. */
  markdown: boolean;
  yes: boolean;
  keepUser: boolean;
  expectUserId?: string;
  /** delete --disabled-for: only users disabled at least this long (ms) are deleted; the others are kept. */
  disabledForMs?: number;
  /** As given ("30d"), for messages. */
  disabledFor?: string;
  region?: string;
  profile?: string;
  roleArn?: string;
  allowedAccountIds: string[];
  /** --all and what narrows it, --inactive-for, --include-self (selection.ts). */
  selection: Selection;
  /** delete: where each user's record goes before its first removal (a directory, or s3://bucket/prefix/). */
  record?: string;
  /** A role to assume for writing records to S3 (the bucket is often in another account). */
  recordRoleArn?: string;
  /** plan: where to write the plan file (besides the text, --json or --markdown view of the same listing). */
  out?: string;
  /** delete: the reviewed plan file to apply exactly; its users are the run's users. */
  plan?: string;
  /** delete --plan: refuse a plan older than this. */
  maxPlanAgeMs?: number;
  /** Several accounts in one run (--accounts-file, --role-name with --account): provider/cli/accounts.ts. */
  organization?: OrganizationArgs;
}

export interface OrganizationArgs {
  /** --accounts-file's path, read by the caller. */
  accountsFile?: string;
  /** --role-name: the role to assume in every account given by id (and in file lines without a role ARN). */
  roleName?: string;
  /** --account, in order, each once. */
  accountIds: string[];
  /** Accounts run at once (default: all). */
  accountConcurrency?: number;
}

/** What the command line asks for: a run, a restore (its arguments parsed by restore.ts), or help / the version printed. */
export type Request =
  | { kind: "run"; args: ParsedArgs }
  | { kind: "restore"; argv: string[] }
  | { kind: "help"; text: string }
  | { kind: "version" };

const CONNECTION_HELP = `connection (defaults: the AWS SDK's default chain and environment, AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_IAM):
  --region <region>   --profile <name>   --role-arn <arn>
  --allowed-account-id <12 digits>   refuse to plan or change anything unless the credentials reach this account
                      (repeatable); confirmed once with STS GetCallerIdentity before any user is looked up, and
                      nothing is read or changed when it cannot be`;

const ACCOUNTS_HELP = `several accounts in one run (docs/organization.md), each through a role assumed there:
  --accounts-file FILE   one account a line: ACCOUNT_ID ROLE_ARN [EXTERNAL_ID] [USER,USER,...] (- leaves a field
                         empty; a line without users takes the names given, or --all's selection in that account;
                         blank lines and # comments ignored). The selection, the guards and --record apply in every
                         account; --plan and --out hold one account's plan
  --role-name NAME --account ID...   assume arn:<partition>:iam::<ID>:role/NAME in each account (also for file
                         lines whose ROLE_ARN is -)
  --account-concurrency N   accounts run at once (default all); each has its own client and rate limits, and is
                         refused, named, before anything in it is read when the role cannot be assumed or reaches
                         another account`;

const USERS_HELP = `users: names on the command line and/or --from-file PATH (one name a line; blank lines and # comments ignored;
  PATH - reads standard input, at a terminal until Ctrl-D)`;

export const USAGE = `usage:
  iam-user-teardown plan [USER... | --all [narrowing]] [--inactive-for W] [--json | --markdown] [--out PLAN.json] [--concurrency N] [accounts] [connection]
  iam-user-teardown delete [USER... | --all [narrowing]] [--inactive-for W] [--disabled-for AGE] [--yes] [--keep-user] [--expect-user-id ID] [--record DIR|s3://BUCKET/PREFIX/] [--json] [--concurrency N] [accounts] [connection]
  iam-user-teardown delete --plan PLAN.json [--max-plan-age 7d] [--yes] [--record ...] [--json] [connection]
  iam-user-teardown disable [USER... | --all [narrowing]] [--from-file PATH|-] [--inactive-for W] [--yes] [--expect-user-id ID] [--json] [--concurrency N] [connection]
  iam-user-teardown enable [USER... | --all [narrowing]] [--from-file PATH|-] [--yes] [--expect-user-id ID] [--json] [--concurrency N] [connection]
  iam-user-teardown restore RECORD... [--dry-run] [--json] [connection]
  iam-user-teardown --version | --help | <command> --help

  plan     read-only: what hangs on each user, and the ordered plan a delete would follow
  delete   remove every dependency, then the user (--keep-user: clear dependencies only)
  disable  reversibly: every Active credential set Inactive and a deny-all policy put on, recorded on the user
  enable   restore exactly what disable switched off, and take the deny-all away
  restore  recreate users from the records delete --record wrote

${USERS_HELP}

${ACCOUNTS_HELP}

exit codes: 0 every user done, 1 at least one failed or the question was answered no (nothing changed), or an
  account was refused, 2 bad usage (nothing called), 3 a guard kept some users (each untouched and named) and none
  failed, 130 interrupted (Ctrl-C at the question: nothing changed)`;

/** restore's help; restore.ts parses its arguments and runs it. */
export const RESTORE_HELP = `usage: iam-user-teardown restore RECORD... [--dry-run] [--json] [--record-role-arn ARN] [connection]

Recreates each recorded user (records written by delete --record): the user with its path, tags and permissions
boundary, its group memberships, attached managed policies, inline policies (the recorded documents), SSH public keys
and signing certificates (recorded status kept). Refuses a name that exists, and a record of another account than the
credentials reach (STS GetCallerIdentity). Groups and managed policies that no longer exist are named, never
created. Passwords, access keys, service-specific credentials and MFA devices cannot come back (no secret is ever
recorded): each user's report names them, item by item.

The restored user has a new UserId: grants that named the old user in resource policies (bucket, key, queue
policies, ...) and role trust policies do not come back; the report says so for every user.

  RECORD             a record file, a directory (every *.json under it) or s3://BUCKET/PREFIX/ (every record there)
  --dry-run          say what would be recreated; create nothing
  --json             one JSON object per user on standard output, then a summary line
  --record-role-arn ARN
                     a role to assume for reading records from S3 (default: the SDK's default chain)
connection (defaults: the AWS SDK's default chain and environment, AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_IAM):
  --region <region>   --profile <name>   --role-arn <arn>
  --allowed-account-id <12 digits>   refuse to change anything unless the credentials reach this account (repeatable)

exit codes: 0 every user restored with everything a record can bring back, 1 a user was refused or failed, or an item
  did not come back (each named), 2 bad usage (nothing called)`;

export const COMMAND_HELP: Record<Command, string> = {
  restore: RESTORE_HELP,
  plan: `usage: iam-user-teardown plan [USER... | --all [narrowing]] [--from-file PATH|-] [--inactive-for W] [--json | --markdown] [--out PLAN.json] [--concurrency N] [connection]

Read-only. For each user: what hangs on it, the ordered plan a delete would follow, and its activity (created, console
password, each access key's last use, per-service last access, and the latest of all with its source).

${USERS_HELP}
${SELECTION_HELP}
  --json             one JSON object per user on standard output, then a summary line
  --markdown         one Markdown table (per user, by kind, MFA devices by kind, totals) for a pull-request comment;
                     with several accounts, one table per account
  --out PLAN.json    also write the plan for delete --plan (per user its UserId and the identifiers of every item,
                     the account, the time), from the same listing as the view printed
  --concurrency N    users looked at at once (default ${DEFAULT_CONCURRENCY}; per account with several)
${ACCOUNTS_HELP}
${CONNECTION_HELP}

exit codes: 0 done (users --inactive-for kept included), 1 a user could not be read or an account was refused, 2 bad usage, 130 interrupted`,
  delete: `usage: iam-user-teardown delete [USER... | --all [narrowing]] [--from-file PATH|-] [--inactive-for W] [--disabled-for AGE] [--yes] [--keep-user] [--expect-user-id ID] [--record DIR|s3://BUCKET/PREFIX/] [--json] [--concurrency N] [accounts] [connection]
       iam-user-teardown delete --plan PLAN.json [--max-plan-age 7d] [--yes] [--record ...] [--json] [connection]

Removes every dependency of each user (credentials, MFA devices by kind, groups, policies), then the user. Before
anything changes it says how many users, in which account, and the first names, and asks. delete --all needs
--allowed-account-id (or the accounts of --accounts-file / --account): an account-wide delete names its account.

${USERS_HELP}
${SELECTION_HELP}
  --yes, -y          do not ask (required when standard input is not a terminal, and with --from-file -)
  --keep-user        clear the dependencies only, leave the users
  --expect-user-id   the UserId the (single) user must have; nothing is touched otherwise
  --disabled-for AGE delete only users disabled (iam-user-teardown disable, or disabled: true) at least AGE ago
                     (30d, 12h); any other is kept untouched: outcome skipped-not-disabled, exit 3
  --record DIR|s3://BUCKET/PREFIX/
                     before the first removal of each user, write its record (ACCOUNT/USERID.json: the user, tags,
                     boundary, groups, policies with their documents, public key and certificate bodies, no secret);
                     a user whose record cannot be written is not touched. \`restore\` recreates users from records
  --record-role-arn ARN
                     a role to assume for writing records to S3 (default: the SDK's default chain)
  --plan PLAN.json   apply a reviewed plan (plan --out) exactly: its users only, each only while its UserId and its
                     set of items are the plan's (else kept: changed-since-plan, the difference listed, exit 3); an
                     item that appears during the teardown is left, and the user reported with what blocks it. A plan
                     of another account is refused before anything changes
  --max-plan-age D   with --plan: refuse a plan older than D (90s, 30m, 12h, 7d)
  --json             one JSON object per user on standard output (failures included; with --inactive-for each
                     user's activity), then a summary line
  --concurrency N    users torn down at once (default ${DEFAULT_CONCURRENCY}); all share one client, one rate limit
                     per IAM action and one listing of the account's virtual MFA devices (per account with several)
${ACCOUNTS_HELP}
${CONNECTION_HELP}

Progress goes to standard error: "[37/300] deleted alice: 12 removed".
The question is answered y or yes; anything else, or end of input (Ctrl-D), is no: nothing changed, exit 1.
Ctrl-C at the question, or before it, changes nothing (exit 130). Once users run, Ctrl-C stops starting users, lets
those under way finish, and prints the partial report (exit 130); twice stops at once.
exit codes: 0 every user done, 1 at least one failed (each named) or the question was answered no (nothing changed),
  or an account was refused (named, nothing in it changed), 2 bad usage (nothing called), 3 a guard kept some users
  (each untouched and named) and none failed, 130 interrupted`,
  disable: quarantineHelp(
    "disable",
    `Disables each user, reversibly: every Active access key, SSH public key, signing certificate and service-specific
credential set Inactive (an Expired one is left and named), and a deny-all policy put on (the inline policy
iam-user-teardown-quarantine, or AWS's AWSDenyAll when the user's inline policies leave no room; refused, nothing
changed, when neither fits). The console password and MFA devices are kept. What was Active, and since when, is
kept on the user in tags under iam-user-teardown: so enable works from anywhere. Disabling twice is disabling once.`,
  ),
  enable: quarantineHelp(
    "enable",
    `Enables each user disabled by disable (or by disabled: true): sets Active again exactly what was Active when it
was disabled, takes the deny-all policy away and the record's tags. Anything else (an item created while disabled, one
Inactive before) is left as it is and named. Enabling a user that is not disabled changes nothing.`,
  ),
};

function quarantineHelp(command: "disable" | "enable", what: string): string {
  const disabling = command === "disable";
  return `usage: iam-user-teardown ${command} [USER... | --all [narrowing]] [--from-file PATH|-]${disabling ? " [--inactive-for W]" : ""} [--yes] [--expect-user-id ID] [--json] [--concurrency N] [connection]

${what}
Before anything changes it says how many users, in which account, and the first names, and asks. ${command} --all
needs --allowed-account-id: an account-wide ${command} names its account.

${USERS_HELP}
${disabling ? DISABLE_SELECTION_HELP : SELECTION_NARROWING_HELP}
  --yes, -y          do not ask (required when standard input is not a terminal, and with --from-file -)
  --expect-user-id   the UserId the (single) user must have; nothing is touched otherwise
  --json             one JSON object per user on standard output (failures included), then a summary line
  --concurrency N    users ${command}d at once (default ${DEFAULT_CONCURRENCY})
${CONNECTION_HELP}

The question is answered y or yes; anything else, or end of input (Ctrl-D), is no: nothing changed, exit 1.
exit codes: 0 every user done, 1 at least one failed (each named) or the question was answered no (nothing changed),
  2 bad usage (nothing called),${disabling ? " 3 a guard kept some users (each untouched and named) and none failed," : ""} 130 interrupted`;
}

const OPTIONS = {
  "from-file": { type: "string" },
  concurrency: { type: "string" },
  json: { type: "boolean" },
  markdown: { type: "boolean" },
  yes: { type: "boolean", short: "y" },
  "keep-user": { type: "boolean" },
  "expect-user-id": { type: "string" },
  "disabled-for": { type: "string" },
  region: { type: "string" },
  profile: { type: "string" },
  "role-arn": { type: "string" },
  "allowed-account-id": { type: "string", multiple: true },
  record: { type: "string" },
  "record-role-arn": { type: "string" },
  out: { type: "string" },
  plan: { type: "string" },
  "max-plan-age": { type: "string" },
  "accounts-file": { type: "string" },
  "role-name": { type: "string" },
  account: { type: "string", multiple: true },
  "account-concurrency": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
  ...SELECTION_OPTIONS,
} as const;

/** Parses the command line (node:util parseArgs, strict). Throws UsageError; never reads files or calls anything. */
export function parseCommandLine(argv: readonly string[]): Request {
  if (argv.length === 0) throw new UsageError("a command is required");
  const [first, ...rest] = argv;
  if (first === "--version") return { kind: "version" };
  if (first === "--help" || first === "-h" || first === "help") return { kind: "help", text: USAGE };
  if (first === "restore") return { kind: "restore", argv: rest };
  if (first !== "plan" && first !== "delete" && first !== "disable" && first !== "enable")
    throw new UsageError(`unknown command ${JSON.stringify(first)}`);
  const command: Command = first;
  let values: ReturnType<typeof parse>["values"];
  let positionals: string[];
  const parse = (args: string[]) => parseNodeArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  try {
    ({ values, positionals } = parse(rest));
  } catch (err) {
    // parseArgs' own messages name the option ("Unknown option '--nope'", "Option '--region <value>' argument missing").
    throw new UsageError((err as Error).message);
  }
  if (values.help) return { kind: "help", text: COMMAND_HELP[command] };
  if (values.version) return { kind: "version" };
  if (command === "plan" && (values.yes || values["keep-user"] || values["expect-user-id"] !== undefined)) {
    throw new UsageError("--yes, --keep-user and --expect-user-id apply to delete only");
  }
  if (command !== "plan" && values.markdown) throw new UsageError("--markdown applies to plan only");
  if ((command === "disable" || command === "enable") && values["keep-user"]) throw new UsageError("--keep-user applies to delete only");
  if (command !== "delete" && values["disabled-for"] !== undefined) throw new UsageError("--disabled-for applies to delete only");
  // A disabled user has no activity of its own to weigh; enabling gives back, so it is not kept from the caller's own
  // user; disabling the caller's own user would deny the run its own credentials.
  if (command === "enable" && values["inactive-for"] !== undefined)
    throw new UsageError("--inactive-for applies to plan, delete and disable");
  if (command === "enable" && values["include-self"])
    throw new UsageError("--include-self applies to plan and delete: enable never leaves the caller's own user out");
  if (command === "disable" && values["include-self"])
    throw new UsageError(
      "disable --include-self: a deny-all on the caller's own user would stop the run on its own credentials; disable that user with other credentials",
    );
  const disabledFor = values["disabled-for"];
  const disabledForMs = disabledFor === undefined ? undefined : parseAge(disabledFor);
  const record = checkRecordOptions(command, values.record, values["record-role-arn"]);
  if (values.json && values.markdown) throw new UsageError("--json and --markdown are two formats: choose one");
  for (const name of positionals) checkUserName(name, "user name");
  const fromFile = values["from-file"];
  if (fromFile === "") throw new UsageError("--from-file needs a path, or - for standard input");
  let selection: Selection;
  try {
    selection = parseSelection(values, positionals.length > 0 || fromFile !== undefined);
  } catch (err) {
    if (err instanceof SelectionError) throw new UsageError(err.message);
    throw err;
  }
  const planOptions = checkPlanOptions(command, values.out, values.plan, values["max-plan-age"]);
  if (
    planOptions.plan !== undefined &&
    (positionals.length > 0 || fromFile !== undefined || values["expect-user-id"] !== undefined || selection.all)
  )
    throw new UsageError("--plan names the users: no user names, --from-file, --all or --expect-user-id beside it");
  const organization = organizationArgs(values);
  if (
    positionals.length === 0 &&
    fromFile === undefined &&
    !selection.all &&
    planOptions.plan === undefined &&
    organization?.accountsFile === undefined
  )
    throw new UsageError("a user name is required (or --from-file PATH, or --all)");
  if (organization) {
    if (values["role-arn"] !== undefined)
      throw new UsageError("--role-arn is one account's role: with --accounts-file or --role-name each account names its own");
    if (values["expect-user-id"] !== undefined) throw new UsageError("--expect-user-id applies to one user in one account");
    if (command !== "plan" && command !== "delete")
      throw new UsageError(`${command} runs in one account: --accounts-file and --account are for plan and delete`);
    // A plan file holds one account's users and items.
    const oneAccountOnly = (
      [
        ["--plan", planOptions.plan],
        ["--out", planOptions.out],
      ] as const
    ).find(([, value]) => value !== undefined);
    if (oneAccountOnly) throw new UsageError(`${oneAccountOnly[0]} holds one account's plan: not with --accounts-file or --account`);
  }
  const concurrency = values.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
    throw new UsageError(`--concurrency needs a whole number from 1 to 1000; got ${JSON.stringify(values.concurrency)}`);
  }
  const expectUserId = values["expect-user-id"];
  if (expectUserId !== undefined && !USER_ID.test(expectUserId)) {
    throw new UsageError(`--expect-user-id must be an IAM UserId (16 to 128 letters, digits or _); got ${JSON.stringify(expectUserId)}`);
  }
  const allowedAccountIds = values["allowed-account-id"] ?? [];
  for (const id of allowedAccountIds) {
    if (!/^\d{12}$/.test(id)) throw new UsageError(`--allowed-account-id needs a 12-digit AWS account id; got ${JSON.stringify(id)}`);
  }
  // With several accounts, the accounts file or --account names each account the run may change.
  if (command !== "plan" && selection.all && allowedAccountIds.length === 0 && !organization)
    throw new UsageError(`${command} --all needs --allowed-account-id: an account-wide ${command} names the account it may change`);
  if (selection.all && expectUserId !== undefined) throw new UsageError("--expect-user-id applies to one named user, not to --all");
  const connection = { region: values.region, profile: values.profile, roleArn: values["role-arn"] };
  for (const [flag, value] of [
    ["--region", connection.region],
    ["--profile", connection.profile],
    ["--role-arn", connection.roleArn],
  ] as const) {
    if (value === "") throw new UsageError(`${flag} needs a value`);
  }
  const connectionFailure = validateConnection(connection)[0];
  if (connectionFailure)
    throw new UsageError(connectionFailure.reason.replace(/^(region|profile|roleArn)/, (p) => `--${p === "roleArn" ? "role-arn" : p}`));
  return {
    kind: "run",
    args: {
      command,
      userNames: unique(positionals),
      fromFile,
      concurrency,
      json: values.json ?? false,
      markdown: values.markdown ?? false,
      yes: values.yes ?? false,
      keepUser: values["keep-user"] ?? false,
      expectUserId,
      ...(disabledFor === undefined ? {} : { disabledFor, disabledForMs }),
      ...connection,
      allowedAccountIds,
      selection,
      ...record,
      ...planOptions,
      ...(organization ? { organization } : {}),
    },
  };
}

/** An age as --disabled-for takes it: a whole number of days (30d) or hours (12h), in ms. Throws UsageError. */
export function parseAge(text: string): number {
  const ms = /^\d{1,5}[dh]$/.test(text) ? parseDuration(text) : undefined;
  if (!ms) throw new UsageError(`--disabled-for needs an age such as 30d or 12h; got ${JSON.stringify(text)}`);
  return ms;
}

/** --out for plan; --plan and --max-plan-age for delete. */
function checkPlanOptions(command: Command, out: string | undefined, plan: string | undefined, maxPlanAge: string | undefined) {
  if (out !== undefined && command !== "plan") throw new UsageError("--out applies to plan only");
  if ((plan !== undefined || maxPlanAge !== undefined) && command !== "delete")
    throw new UsageError("--plan and --max-plan-age apply to delete only");
  if (out === "" || plan === "") throw new UsageError(`${out === "" ? "--out" : "--plan"} needs a path`);
  if (maxPlanAge !== undefined && plan === undefined) throw new UsageError("--max-plan-age applies to --plan only");
  const maxPlanAgeMs = maxPlanAge === undefined ? undefined : parseDuration(maxPlanAge);
  if (maxPlanAge !== undefined && maxPlanAgeMs === undefined)
    throw new UsageError(`--max-plan-age needs a duration such as 90s, 30m, 12h or 7d; got ${JSON.stringify(maxPlanAge)}`);
  return {
    ...(out !== undefined ? { out } : {}),
    ...(plan !== undefined ? { plan } : {}),
    ...(maxPlanAgeMs !== undefined ? { maxPlanAgeMs } : {}),
  };
}

/** "7d", "12h", "30m", "90s" in milliseconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "s" | "m" | "h" | "d"];
}

/** --record and --record-role-arn: delete only; a directory or an s3:// prefix; the role for S3 only. */
function checkRecordOptions(command: Command, record: string | undefined, recordRoleArn: string | undefined) {
  if (record === undefined && recordRoleArn === undefined) return {};
  if (command !== "delete") throw new UsageError("--record and --record-role-arn apply to delete only");
  if (record === undefined || record === "") throw new UsageError("--record needs a directory or s3://bucket/prefix/");
  if (record.startsWith("s3://") && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(record))
    throw new UsageError(`--record ${JSON.stringify(record)} is not an S3 location of the form s3://bucket/prefix/`);
  if (recordRoleArn !== undefined) {
    if (!record.startsWith("s3://")) throw new UsageError("--record-role-arn applies to --record s3://... only");
    const failure = validateConnection({ roleArn: recordRoleArn })[0];
    if (failure) throw new UsageError(failure.reason.replace(/^roleArn/, "--record-role-arn"));
  }
  return { record, ...(recordRoleArn !== undefined ? { recordRoleArn } : {}) };
}

/** The user names of a --from-file text: one a line, blank lines and # comments ignored. Throws UsageError. */
export function userNamesFromText(text: string, source: string): string[] {
  const names: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line !== "") names.push(checkUserName(line, `${source} line ${i + 1}`));
  });
  return names;
}

/** Every user the run covers, each once; --expect-user-id needs exactly one. Throws UsageError. */
export function finalUserList(args: ParsedArgs, fromFile: readonly string[]): string[] {
  if (args.selection.all) return [];
  const users = unique([...args.userNames, ...fromFile]);
  if (args.plan !== undefined) return users;
  // Each line of an accounts file may name its own users instead.
  if (users.length === 0 && args.organization?.accountsFile !== undefined && args.fromFile === undefined) return users;
  if (users.length === 0)
    throw new UsageError(`no user names given (${args.fromFile === "-" ? "standard input" : args.fromFile} lists none)`);
  if (args.expectUserId !== undefined && users.length !== 1)
    throw new UsageError(`--expect-user-id applies to one user; ${users.length} given`);
  return users;
}

/** The flags of a run over several accounts, checked as flags (the accounts file is read and checked by the caller). */
function organizationArgs(values: Record<string, string | boolean | string[] | undefined>): OrganizationArgs | undefined {
  const accountsFile = values["accounts-file"] as string | undefined;
  const roleName = values["role-name"] as string | undefined;
  const accountIds = unique((values.account as string[] | undefined) ?? []);
  const concurrency = values["account-concurrency"] as string | undefined;
  if (accountsFile === undefined && roleName === undefined) {
    if (accountIds.length > 0) throw new UsageError("--account needs --role-name NAME: the role to assume in it");
    if (concurrency !== undefined)
      throw new UsageError("--account-concurrency applies to several accounts (--accounts-file or --role-name)");
    return undefined;
  }
  if (accountsFile === "") throw new UsageError("--accounts-file needs a path");
  if (roleName !== undefined && !/^[\w+=,.@-]{1,64}$/.test(roleName))
    throw new UsageError(`--role-name needs an IAM role name (1 to 64 letters, digits or +=,.@_-); got ${JSON.stringify(roleName)}`);
  if (roleName !== undefined && accountsFile === undefined && accountIds.length === 0)
    throw new UsageError("--role-name needs the accounts: --account ID (repeatable) or --accounts-file FILE");
  for (const id of accountIds) {
    if (!/^\d{12}$/.test(id)) throw new UsageError(`--account needs a 12-digit AWS account id; got ${JSON.stringify(id)}`);
  }
  const accountConcurrency = concurrency === undefined ? undefined : Number(concurrency);
  if (accountConcurrency !== undefined && (!Number.isInteger(accountConcurrency) || accountConcurrency < 1 || accountConcurrency > 1000)) {
    throw new UsageError(`--account-concurrency needs a whole number from 1 to 1000; got ${JSON.stringify(concurrency)}`);
  }
  return { accountsFile, roleName, accountIds, accountConcurrency };
}

function checkUserName(name: string, where: string): string {
  const failure = validateUserName(name, where)[0];
  if (failure) throw new UsageError(failure.reason);
  return name;
}

const unique = (names: readonly string[]): string[] => [...new Set(names)];

/** The connection the command line names (--region, --profile, --role-arn, --allowed-account-id), for iamClientFor. */
export function connectionOf(flags: {
  region?: string;
  profile?: string;
  roleArn?: string;
  allowedAccountIds: readonly string[];
}): AwsConnection {
  return {
    region: flags.region,
    profile: flags.profile,
    assumeRoles: flags.roleArn ? [{ roleArn: flags.roleArn }] : undefined,
    allowedAccountIds: flags.allowedAccountIds.length > 0 ? [...flags.allowedAccountIds] : undefined,
  };
}
