import * as readline from "node:readline";
import { AccountNotAllowedError } from "./aws/account-guard";
import { iamClientFor } from "./aws/client";
import {
  IdentityMismatchError,
  MissingPermissionError,
  planTeardown,
  TeardownIncompleteError,
  type TeardownPlan,
  teardownUser,
} from "./teardown";
import { countByKind, flattenInventory } from "./teardown/report";
import { validateConnection, validateUserName } from "./validate";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const USAGE = `usage:
  iam-user-teardown plan <user-name> [--json] [connection]
  iam-user-teardown delete <user-name> [--yes] [--keep-user] [--expect-user-id AIDA...] [--json] [connection]

  plan     read-only: what hangs on the user, and the ordered plan a delete would follow
  delete   remove every dependency, then the user (--keep-user: clear dependencies only)

connection (defaults: the AWS SDK's default chain and environment, AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_IAM):
  --region <region>   --profile <name>   --role-arn <arn>
  --allowed-account-id <12 digits>   refuse to change anything unless the credentials reach this account (repeatable)

exit codes: 0 done, 1 failed, 2 bad usage`;

interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Asks a yes/no question; absent when there is no terminal to ask. */
  confirm?: (question: string) => Promise<boolean>;
}

class UsageError extends Error {}

interface ParsedArgs {
  command: "plan" | "delete";
  userName: string;
  json: boolean;
  yes: boolean;
  keepUser: boolean;
  expectUserId?: string;
  region?: string;
  profile?: string;
  roleArn?: string;
  allowedAccountIds: string[];
}

const VALUE_FLAGS: Record<string, keyof ParsedArgs> = {
  "--region": "region",
  "--profile": "profile",
  "--role-arn": "roleArn",
  "--expect-user-id": "expectUserId",
};
const BOOLEAN_FLAGS: Record<string, keyof ParsedArgs> = { "--json": "json", "--yes": "yes", "-y": "yes", "--keep-user": "keepUser" };

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  if (command !== "plan" && command !== "delete")
    throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : "a command is required");
  const parsed: Record<string, unknown> = { command, json: false, yes: false, keepUser: false, allowedAccountIds: [] };
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (flag in BOOLEAN_FLAGS && inline === undefined) parsed[BOOLEAN_FLAGS[flag]] = true;
    else if (flag === "--allowed-account-id") {
      const value = inline ?? rest[++i];
      if (value === undefined || !/^\d{12}$/.test(value))
        throw new UsageError(`--allowed-account-id needs a 12-digit AWS account id; got ${JSON.stringify(value ?? "")}`);
      (parsed.allowedAccountIds as string[]).push(value);
    } else if (flag in VALUE_FLAGS) {
      const value = inline ?? rest[++i];
      if (value === undefined || value === "" || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      parsed[VALUE_FLAGS[flag]] = value;
    } else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (positional.length !== 1)
    throw new UsageError(positional.length === 0 ? "a user name is required" : `one user name expected, got ${positional.length}`);
  const failure = validateUserName(positional[0], "user name")[0];
  if (failure) throw new UsageError(failure.reason);
  if (command === "plan" && (parsed.yes || parsed.keepUser)) throw new UsageError("--yes and --keep-user apply to delete only");
  const connectionFailure = validateConnection(parsed)[0];
  if (connectionFailure)
    throw new UsageError(connectionFailure.reason.replace(/^(region|profile|roleArn)/, (p) => `--${p === "roleArn" ? "role-arn" : p}`));
  if (parsed.expectUserId !== undefined && !/^AIDA[A-Z0-9]{8,}$/.test(parsed.expectUserId as string))
    throw new UsageError("--expect-user-id must be an IAM UserId (AIDA...)");
  return { ...(parsed as unknown as ParsedArgs), userName: positional[0] };
}

function renderPlan(plan: TeardownPlan): string {
  if (!plan.exists) return `IAM user ${plan.requestedUserName} does not exist: nothing to do.\n`;
  const lines = [
    `IAM user ${plan.userName} (${plan.userId}) ${plan.arn}${plan.renamedFrom ? ` (formerly ${plan.renamedFrom})` : ""}`,
    `hangs on it: ${countByKind(flattenInventory(plan.inventory))}`,
    `plan (removals run concurrently, then DeleteUser):`,
    ...plan.steps.map((s) => `  ${String(s.step).padStart(3)}. ${s.description}  [${s.actions.join(" -> ")}]`),
  ];
  return `${lines.join("\n")}\n`;
}

/** Runs the CLI; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args: ParsedArgs;
  try {
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
      (argv.length === 0 ? io.stderr : io.stdout)(`${USAGE}\n`);
      return argv.length === 0 ? EXIT.usage : EXIT.ok;
    }
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`iam-user-teardown: ${err.message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const client = iamClientFor({
    region: args.region,
    profile: args.profile,
    assumeRoles: args.roleArn ? [{ roleArn: args.roleArn }] : undefined,
    allowedAccountIds: args.allowedAccountIds.length > 0 ? args.allowedAccountIds : undefined,
  });
  try {
    const plan = await planTeardown({ client, userName: args.userName, expectedUserId: args.expectUserId, deleteUser: !args.keepUser });
    if (args.command === "plan") {
      io.stdout(args.json ? `${JSON.stringify(jsonPlan(plan), null, 2)}\n` : renderPlan(plan));
      return EXIT.ok;
    }
    if (!args.json) io.stderr(renderPlan(plan));
    if (plan.exists && !args.yes) {
      if (!io.confirm) {
        io.stderr("iam-user-teardown: refusing to delete without confirmation: pass --yes when not running in a terminal\n");
        return EXIT.usage;
      }
      if (!(await io.confirm(`Delete IAM user ${plan.userName} and everything above? [y/N] `))) {
        io.stderr("iam-user-teardown: nothing changed\n");
        return EXIT.failed;
      }
    }
    const report = await teardownUser({
      client,
      userName: args.userName,
      expectedUserId: args.expectUserId ?? plan.userId,
      deleteUser: !args.keepUser,
      log: (line) => io.stderr(`iam-user-teardown: ${line}\n`),
    });
    if (args.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    return EXIT.ok;
  } catch (err) {
    const known =
      err instanceof AccountNotAllowedError ||
      err instanceof IdentityMismatchError ||
      err instanceof MissingPermissionError ||
      err instanceof TeardownIncompleteError;
    io.stderr(`iam-user-teardown: ${known ? "" : "error: "}${(err as Error).message}\n`);
    return EXIT.failed;
  }
}

function jsonPlan(plan: TeardownPlan) {
  const { inventory: _raw, ...rest } = plan;
  return rest;
}

function terminalConfirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => rl.question(question, (answer) => (rl.close(), resolve(/^y(es)?$/i.test(answer.trim())))));
}

/** The process entry point (bin/iam-user-teardown.js). */
export function main(): void {
  runCli(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    confirm: process.stdin.isTTY ? terminalConfirm : undefined,
  }).then((code) => (process.exitCode = code));
}

if (require.main === module) main();
