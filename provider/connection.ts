import type { AssumeRoleSettings, AwsConnection } from "./aws/client";
import { withoutUndefined } from "./teardown/defined";

/**
 * Reads `aws:` stack configuration: the config Pulumi hands the provider when it runs (a Pulumi config object, or
 * anything with the same `get`). Values are strings; objects and lists arrive as JSON.
 */
export interface StackConfigReader {
  get(key: string): string | undefined;
}

/** The connection settings a resource may carry itself. They win over the stack's. */
export interface ResourceConnection {
  region?: string;
  profile?: string;
  roleArn?: string;
}

export const RESOURCE_CONNECTION_KEYS = ["region", "profile", "roleArn"] as const;

/**
 * The connection for a call, resolved when the provider runs: the resource's own settings first, then the stack's
 * `aws:` config as it is now, then (by leaving a field unset) the SDK's default chain and standard environment.
 *
 * `legacy`: the recorded settings come from a version that copied the stack's `aws:` config into the resource, so
 * they may be the stack's values of the day the user was created. Then the stack's current config wins over them,
 * and they only fill in what the stack no longer sets.
 */
export function resolveConnection(recorded: ResourceConnection, stackConfig?: StackConfigReader, legacy = false): AwsConnection {
  const stack = awsStackConnection(stackConfig);
  const own = ownConnection(recorded);
  const first = legacy ? stack : own;
  const second = legacy ? own : stack;
  return withoutUndefined({
    region: first.region ?? second.region,
    profile: first.profile ?? second.profile,
    assumeRoles: first.assumeRoles ?? second.assumeRoles,
    // Account restrictions are the stack's alone: a resource cannot widen them.
    allowedAccountIds: stack.allowedAccountIds,
    forbiddenAccountIds: stack.forbiddenAccountIds,
    endpoint: stack.endpoint,
  });
}

/**
 * What a legacy record keeps after a refresh: the settings the stack does not set now (those were the resource's own,
 * or the stack dropped them), so that the next destroy resolves to the same connection as before the refresh.
 */
export function keptLegacySettings(recorded: ResourceConnection, stackConfig?: StackConfigReader): ResourceConnection {
  const stack = awsStackConnection(stackConfig);
  return withoutUndefined({
    region: stack.region ? undefined : recorded.region,
    profile: stack.profile ? undefined : recorded.profile,
    roleArn: stack.assumeRoles ? undefined : recorded.roleArn,
  });
}

function ownConnection(recorded: ResourceConnection): AwsConnection {
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const roleArn = text(recorded.roleArn);
  return { region: text(recorded.region), profile: text(recorded.profile), assumeRoles: roleArn ? [{ roleArn }] : undefined };
}

/**
 * The stack's `aws:` config as the AWS provider reads it: `aws:region`, `aws:profile`, `aws:assumeRole` (one role) or
 * `aws:assumeRoles` (a chain, assumed in order), `aws:allowedAccountIds`, `aws:forbiddenAccountIds`, and an IAM
 * endpoint from `aws:endpoints`.
 */
export function awsStackConnection(config?: StackConfigReader): AwsConnection {
  if (!config) return {};
  const read = (key: string): string | undefined => {
    try {
      return config.get(`aws:${key}`) || undefined;
    } catch {
      return undefined;
    }
  };
  const assumeRoles = roleChain(read("assumeRoles")) ?? roleChain(read("assumeRole"));
  return withoutUndefined({
    region: read("region"),
    profile: read("profile"),
    assumeRoles,
    allowedAccountIds: accountIds(read("allowedAccountIds"), "aws:allowedAccountIds"),
    forbiddenAccountIds: accountIds(read("forbiddenAccountIds"), "aws:forbiddenAccountIds"),
    endpoint: iamEndpoint(read("endpoints")),
  });
}

function parseJson(text: string | undefined, key: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`stack config ${key} must be JSON (set it with pulumi config set --path or --json); got ${JSON.stringify(text)}`);
  }
}

/** One role object, or a list of them; entries without a roleArn are skipped (the AWS provider does the same). */
function roleChain(text: string | undefined): AssumeRoleSettings[] | undefined {
  const parsed = parseJson(text, "aws:assumeRole(s)");
  if (parsed === undefined || parsed === null) return undefined;
  const entries = (Array.isArray(parsed) ? parsed : [parsed]) as Array<Record<string, unknown>>;
  const roles = entries.filter((e) => e && typeof e.roleArn === "string" && e.roleArn !== "").map(assumeRoleSettings);
  return roles.length > 0 ? roles : undefined;
}

function assumeRoleSettings(entry: Record<string, unknown>): AssumeRoleSettings {
  const str = (k: string) => (typeof entry[k] === "string" && entry[k] !== "" ? (entry[k] as string) : undefined);
  const strings = (k: string) =>
    Array.isArray(entry[k]) ? (entry[k] as unknown[]).filter((v): v is string => typeof v === "string") : undefined;
  const tags = entry.tags && typeof entry.tags === "object" ? (entry.tags as Record<string, string>) : undefined;
  return withoutUndefined({
    roleArn: entry.roleArn as string,
    externalId: str("externalId"),
    sessionName: str("sessionName"),
    durationSeconds: durationSeconds(entry),
    policy: str("policy"),
    policyArns: strings("policyArns"),
    tags,
    transitiveTagKeys: strings("transitiveTagKeys"),
    sourceIdentity: str("sourceIdentity"),
  });
}

/** `durationSeconds` (a number), or the AWS provider's `duration` (Go's form: "1h", "15m", "1h30m", "900s"). */
function durationSeconds(entry: Record<string, unknown>): number | undefined {
  const seconds = entry.durationSeconds;
  if (typeof seconds === "number") return seconds;
  if (typeof seconds === "string" && /^\d+$/.test(seconds)) return Number(seconds);
  const duration = entry.duration;
  if (typeof duration !== "string" || duration === "") return undefined;
  const parts = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  if (!parts || parts[0] === "")
    throw new Error(`aws:assumeRole duration must look like 1h, 15m or 1h30m; got ${JSON.stringify(duration)}`);
  return Number(parts[1] ?? 0) * 3600 + Number(parts[2] ?? 0) * 60 + Number(parts[3] ?? 0);
}

const ACCOUNT_ID = /^\d{12}$/;

function accountIds(text: string | undefined, key: string): string[] | undefined {
  const parsed = parseJson(text, key);
  if (parsed === undefined || parsed === null) return undefined;
  const list = Array.isArray(parsed) ? parsed.map(String) : [String(parsed)];
  const bad = list.filter((id) => !ACCOUNT_ID.test(id));
  if (bad.length > 0) throw new Error(`stack config ${key} must list 12-digit AWS account ids; got ${JSON.stringify(bad)}`);
  return list.length > 0 ? list : undefined;
}

/** `aws:endpoints` is a list of objects keyed by service; the first that names `iam` counts. */
function iamEndpoint(text: string | undefined): string | undefined {
  const parsed = parseJson(text, "aws:endpoints");
  if (!Array.isArray(parsed)) return undefined;
  const entry = parsed.find((e) => e && typeof e === "object" && typeof (e as Record<string, unknown>).iam === "string");
  return entry ? (entry as Record<string, string>).iam || undefined : undefined;
}
