import type { IAMClient } from "@aws-sdk/client-iam";
import { errorMessage } from "./errors";

/** Which AWS accounts a connection may change anything in (the AWS provider's allowedAccountIds / forbiddenAccountIds). */
export interface AccountRestriction {
  allowedAccountIds?: string[];
  forbiddenAccountIds?: string[];
}

/** A change refused because the credentials reach an account the restriction rules out. Nothing was sent. */
export class AccountNotAllowedError extends Error {
  override readonly name = "AccountNotAllowedError";
  constructor(
    readonly accountId: string,
    readonly restriction: AccountRestriction,
    readonly action: string,
  ) {
    super(accountRefusal(accountId, restriction, action));
  }
}

/**
 * A change refused because which account the credentials reach could not be learned (STS unreachable, say): with a
 * restriction set, an unknown account is never assumed to be allowed. Nothing was sent.
 */
export class AccountUnconfirmedError extends Error {
  override readonly name = "AccountUnconfirmedError";
  constructor(
    readonly action: string,
    override readonly cause: unknown,
  ) {
    super(
      `refusing ${action}: could not confirm which AWS account the credentials reach (STS GetCallerIdentity: ${errorMessage(cause)}), which the account restriction needs; nothing was changed`,
    );
  }
}

function accountRefusal(accountId: string, r: AccountRestriction, action: string): string {
  const rule =
    r.allowedAccountIds?.length && !r.allowedAccountIds.includes(accountId)
      ? `only AWS account${r.allowedAccountIds.length > 1 ? "s" : ""} ${r.allowedAccountIds.join(", ")} ${r.allowedAccountIds.length > 1 ? "are" : "is"} allowed`
      : `AWS account ${accountId} is forbidden (forbiddenAccountIds: ${r.forbiddenAccountIds?.join(", ")})`;
  return `refusing ${action}: the credentials reach AWS account ${accountId}, but ${rule}; nothing was changed`;
}

/** Whether the restriction rules `accountId` out. */
export function accountRefused(accountId: string, r: AccountRestriction): boolean {
  if (r.allowedAccountIds?.length && !r.allowedAccountIds.includes(accountId)) return true;
  return r.forbiddenAccountIds?.includes(accountId) ?? false;
}

/** Calls that change nothing: reads, and the service last-accessed report (a job that only reads). */
const READ_ONLY = /^(Get|List|GenerateServiceLastAccessedDetails$)/;

/** The check of each guarded client, so that a caller can make it before any change (confirmAllowedAccount). */
const guards = new WeakMap<IAMClient, (action: string) => Promise<void>>();

/**
 * Before the first call that changes anything, asks STS which account the client's credentials reach (once per client)
 * and refuses every change when the restriction rules that account out, or when the account cannot be learned. Reads
 * are never held up: a plan or a preview in the wrong account changes nothing.
 */
export function applyAccountGuard(client: IAMClient, restriction: AccountRestriction): void {
  if (!restriction.allowedAccountIds?.length && !restriction.forbiddenAccountIds?.length) return;
  let account: Promise<string> | undefined;
  const callerAccount = () =>
    (account ??= callerAccountOf(client).catch((err) => {
      account = undefined; // a failed lookup is asked again by the next change
      throw err;
    }));
  const check = async (action: string) => {
    let accountId: string;
    try {
      accountId = await callerAccount();
    } catch (err) {
      throw new AccountUnconfirmedError(action, err);
    }
    if (accountRefused(accountId, restriction)) throw new AccountNotAllowedError(accountId, restriction, action);
  };
  guards.set(client, check);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const action = String(context.commandName ?? "unknown").replace(/Command$/, "");
      if (!READ_ONLY.test(action)) await check(action);
      return next(args);
    },
    { step: "initialize", name: "iamUserTeardownAccountGuard" },
  );
}

/**
 * Makes the client's account check now, before any change is started: throws AccountNotAllowedError or
 * AccountUnconfirmedError (naming `action`) as the first change would. The account learned is kept for the changes
 * that follow. A client without a restriction passes.
 */
export async function confirmAllowedAccount(client: IAMClient, action: string): Promise<void> {
  await guards.get(client)?.(action);
}

/** The account of the client's credentials. */
export async function callerAccountOf(client: IAMClient): Promise<string> {
  const identity = await callerIdentityOf(client);
  if (!identity.account) throw new Error("STS GetCallerIdentity answered without an account id");
  return identity.account;
}

/** Who the client's credentials are: an IAM user's ARN, or an assumed role's, and the account. */
export interface CallerIdentity {
  account?: string;
  arn?: string;
}

const identities = new WeakMap<IAMClient, Promise<CallerIdentity>>();

/**
 * STS GetCallerIdentity (which needs no permission) for the client's credentials, asked once per client: the account
 * guard and the fleet CLI's "never the caller's own user" share the answer. A failure is asked again next time.
 */
export function callerIdentityOf(client: IAMClient): Promise<CallerIdentity> {
  let identity = identities.get(client);
  if (!identity) {
    identity = askCallerIdentity(client);
    identities.set(client, identity);
    identity.catch(() => identities.delete(client));
  }
  return identity;
}

async function askCallerIdentity(client: IAMClient): Promise<CallerIdentity> {
  const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts") as typeof import("@aws-sdk/client-sts");
  const sts = new STSClient({
    region: client.config.region,
    credentials: client.config.credentials,
    customUserAgent: client.config.customUserAgent,
    maxAttempts: client.config.maxAttempts,
  });
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    return { account: identity.Account, arn: identity.Arn };
  } finally {
    sts.destroy();
  }
}
