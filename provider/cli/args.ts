import { parseArgs as parseNodeArgs } from "node:util";
import { validateConnection, validateUserName } from "../validate";

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

export type Command = "plan" | "delete";

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
  region?: string;
  profile?: string;
  roleArn?: string;
  allowedAccountIds: string[];
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

/** What the command line asks for: a run, or help / the version printed. */
export type Request = { kind: "run"; args: ParsedArgs } | { kind: "help"; text: string } | { kind: "version" };

const CONNECTION_HELP = `connection (defaults: the AWS SDK's default chain and environment, AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_IAM):
  --region <region>   --profile <name>   --role-arn <arn>
  --allowed-account-id <12 digits>   refuse to plan or change anything unless the credentials reach this account
                      (repeatable); confirmed once with STS GetCallerIdentity before any user is looked up, and
                      nothing is read or changed when it cannot be`;

const ACCOUNTS_HELP = `several accounts in one run (docs/organization.md), each through a role assumed there:
  --accounts-file FILE   one account a line: ACCOUNT_ID ROLE_ARN [EXTERNAL_ID] [USER,USER,...] (- leaves a field
                         empty; a line without users takes the names given; blank lines and # comments ignored)
  --role-name NAME --account ID...   assume arn:<partition>:iam::<ID>:role/NAME in each account (also for file
                         lines whose ROLE_ARN is -)
  --account-concurrency N   accounts run at once (default all); each has its own client and rate limits, and is
                         refused, named, before anything in it is read when the role cannot be assumed or reaches
                         another account`;

const USERS_HELP = `users: names on the command line and/or --from-file PATH (one name a line; blank lines and # comments ignored;
  PATH - reads standard input, at a terminal until Ctrl-D)`;

export const USAGE = `usage:
  iam-user-teardown plan [USER...] [--from-file PATH|-] [--json | --markdown] [--concurrency N] [accounts] [connection]
  iam-user-teardown delete [USER...] [--from-file PATH|-] [--yes] [--keep-user] [--expect-user-id ID] [--json] [--concurrency N] [accounts] [connection]
  iam-user-teardown --version | --help | <command> --help

  plan     read-only: what hangs on each user, and the ordered plan a delete would follow
  delete   remove every dependency, then the user (--keep-user: clear dependencies only)

${USERS_HELP}

${ACCOUNTS_HELP}

exit codes: 0 every user done, 1 at least one failed or the question was answered no (nothing changed), or an
  account was refused, 2 bad usage (nothing called), 3 a guard kept some users (each untouched and named) and none
  failed, 130 interrupted (Ctrl-C at the question: nothing changed)`;

export const COMMAND_HELP: Record<Command, string> = {
  plan: `usage: iam-user-teardown plan [USER...] [--from-file PATH|-] [--json | --markdown] [--concurrency N] [accounts] [connection]

Read-only. For each user: what hangs on it and the ordered plan a delete would follow.

${USERS_HELP}
  --json             one JSON object per user on standard output, then a summary line
  --markdown         one Markdown table (per user, by kind, MFA devices by kind, totals) for a pull-request comment;
                     with several accounts, one table per account
  --concurrency N    users looked at at once (default ${DEFAULT_CONCURRENCY}; per account with several)
${ACCOUNTS_HELP}
${CONNECTION_HELP}

exit codes: 0 done, 1 a user could not be read or an account was refused, 2 bad usage, 130 interrupted`,
  delete: `usage: iam-user-teardown delete [USER...] [--from-file PATH|-] [--yes] [--keep-user] [--expect-user-id ID] [--json] [--concurrency N] [accounts] [connection]

Removes every dependency of each user (credentials, MFA devices by kind, groups, policies), then the user. Before
anything changes it says how many users, in which account, and asks.

${USERS_HELP}
  --yes, -y          do not ask (required when standard input is not a terminal, and with --from-file -)
  --keep-user        clear the dependencies only, leave the users
  --expect-user-id   the UserId the (single) user must have; nothing is touched otherwise
  --json             one JSON object per user on standard output (failures included), then a summary line
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
};

const OPTIONS = {
  "from-file": { type: "string" },
  concurrency: { type: "string" },
  json: { type: "boolean" },
  markdown: { type: "boolean" },
  yes: { type: "boolean", short: "y" },
  "keep-user": { type: "boolean" },
  "expect-user-id": { type: "string" },
  region: { type: "string" },
  profile: { type: "string" },
  "role-arn": { type: "string" },
  "allowed-account-id": { type: "string", multiple: true },
  "accounts-file": { type: "string" },
  "role-name": { type: "string" },
  account: { type: "string", multiple: true },
  "account-concurrency": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

/** Parses the command line (node:util parseArgs, strict). Throws UsageError; never reads files or calls anything. */
export function parseCommandLine(argv: readonly string[]): Request {
  if (argv.length === 0) throw new UsageError("a command is required");
  const [first, ...rest] = argv;
  if (first === "--version") return { kind: "version" };
  if (first === "--help" || first === "-h" || first === "help") return { kind: "help", text: USAGE };
  if (first !== "plan" && first !== "delete") throw new UsageError(`unknown command ${JSON.stringify(first)}`);
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
  if (command === "delete" && values.markdown) throw new UsageError("--markdown applies to plan only");
  if (values.json && values.markdown) throw new UsageError("--json and --markdown are two formats: choose one");
  for (const name of positionals) checkUserName(name, "user name");
  const fromFile = values["from-file"];
  if (fromFile === "") throw new UsageError("--from-file needs a path, or - for standard input");
  const organization = organizationArgs(values);
  if (positionals.length === 0 && fromFile === undefined && organization?.accountsFile === undefined)
    throw new UsageError("a user name is required (or --from-file PATH)");
  if (organization && values["role-arn"] !== undefined)
    throw new UsageError("--role-arn is one account's role: with --accounts-file or --role-name each account names its own");
  if (organization && values["expect-user-id"] !== undefined) throw new UsageError("--expect-user-id applies to one user in one account");
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
      ...connection,
      allowedAccountIds,
      ...(organization ? { organization } : {}),
    },
  };
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
  const users = unique([...args.userNames, ...fromFile]);
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
