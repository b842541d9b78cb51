import { IAMClient } from "@aws-sdk/client-iam";
import { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } from "@smithy/core/config";
import { NODE_MAX_ATTEMPT_CONFIG_OPTIONS, NODE_RETRY_MODE_CONFIG_OPTIONS } from "@smithy/core/retry";
import { type Clock, systemClock } from "../clock";
import { type AccountRestriction, applyAccountGuard } from "./account-guard";
import { applyForeignAnswerCheck } from "./foreign-answer";
import { applyRateLimiter, PerActionRateLimiter } from "./rate-limit";
import { refreshingCredentials } from "./session-credentials";

/** One role of a chain to assume, in the shape of the AWS provider's `aws:assumeRole` / `aws:assumeRoles` entries. */
export interface AssumeRoleSettings {
  roleArn: string;
  externalId?: string;
  sessionName?: string;
  durationSeconds?: number;
  policy?: string;
  policyArns?: string[];
  tags?: Record<string, string>;
  transitiveTagKeys?: string[];
  sourceIdentity?: string;
}

/**
 * How to reach IAM. Everything is optional: unset fields fall back to the SDK's default credential chain and the
 * standard environment and shared config (AWS_REGION, AWS_PROFILE, the profile's region, AWS_ENDPOINT_URL_IAM,
 * AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, ...). No field holds secret material.
 */
export interface AwsConnection extends AccountRestriction {
  region?: string;
  profile?: string;
  /** Roles to assume in order, starting from the profile's (or the default chain's) credentials. */
  assumeRoles?: AssumeRoleSettings[];
  /** An IAM endpoint; normally left unset (AWS_ENDPOINT_URL_IAM is honoured by the SDK itself). */
  endpoint?: string;
}

export interface ClientTuning {
  /** Attempts per call for throttling and 5xx answers; overrides AWS_MAX_ATTEMPTS and the profile's max_attempts. */
  maxAttempts?: number;
  /** A hard per-action cap on requests per second, on top of the learned limit. */
  maxRatePerAction?: number;
  /** The clock assumed roles' sessions are renewed on, before they expire (the system's by default). */
  clock?: Clock;
}

/** IAM is a global service: with no region anywhere in the SDK's chain, its API is reached through us-east-1. */
export const DEFAULT_IAM_REGION = "us-east-1";
/** Attempts per call when neither the environment nor the profile sets max_attempts: IAM throttles hard at scale. */
export const DEFAULT_MAX_ATTEMPTS = 10;
/**
 * Retry mode when neither sets retry_mode: standard (throttling and 5xx, with backoff); the rate itself is kept per
 * action by the shared limiter. The SDK's adaptive mode keeps one client-wide rate for all actions, which the first
 * throttle of a fresh client drops to half a request per second, for every action (measured in bench/).
 */
export const DEFAULT_RETRY_MODE = "standard";

/** Shows in CloudTrail's userAgent field, so an audit can tell which removals this package made. */
export const USER_AGENT: [string, string] = ["iam-user-teardown", packageVersion()];

function packageVersion(): string {
  try {
    return (require("../../package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}

let sharedLimiter: PerActionRateLimiter | undefined;
const clients = new Map<string, IAMClient>();

/** The process-wide limiter every client shares, so concurrent teardowns respect one budget per action. */
export function processRateLimiter(tuning: ClientTuning = {}): PerActionRateLimiter {
  if (!sharedLimiter) sharedLimiter = new PerActionRateLimiter({ maxRatePerAction: tuning.maxRatePerAction });
  return sharedLimiter;
}

function connectionKey(c: AwsConnection, tuning: ClientTuning): string {
  return JSON.stringify([c, tuning.maxAttempts ?? 0, process.env.AWS_ENDPOINT_URL_IAM ?? "", process.env.AWS_ENDPOINT_URL ?? ""]);
}

/**
 * One IAM client per connection per process, so every teardown of the process shares its sockets and retry quota.
 * Region, retry mode and attempts come from the SDK's own chain (environment, then the profile) where they are set.
 */
export function iamClientFor(connection: AwsConnection = {}, tuning: ClientTuning = {}): IAMClient {
  const key = connectionKey(connection, tuning);
  const cached = clients.get(key);
  if (cached) return cached;
  const client = buildIamClient(connection, tuning, processRateLimiter(tuning));
  clients.set(key, client);
  return client;
}

/**
 * A client of its own, with its own per-action rate limiter and nothing shared with the process's other clients: one
 * per account of an organization run, since IAM throttles each account apart. The caller destroys it.
 */
export function accountIamClient(connection: AwsConnection, tuning: ClientTuning = {}): IAMClient {
  return buildIamClient(connection, tuning, new PerActionRateLimiter({ maxRatePerAction: tuning.maxRatePerAction }));
}

function buildIamClient(connection: AwsConnection, tuning: ClientTuning, limiter: PerActionRateLimiter): IAMClient {
  const profile = connection.profile;
  const region = connection.region ?? regionFromChain(profile);
  const client = new IAMClient({
    region,
    // For the profile's region and retry settings; its credentials come from credentialsFor.
    profile,
    endpoint: connection.endpoint,
    retryMode: loadConfig({ ...NODE_RETRY_MODE_CONFIG_OPTIONS, default: DEFAULT_RETRY_MODE }, { profile }),
    maxAttempts: tuning.maxAttempts ?? loadConfig({ ...NODE_MAX_ATTEMPT_CONFIG_OPTIONS, default: DEFAULT_MAX_ATTEMPTS }, { profile }),
    customUserAgent: [USER_AGENT],
    credentials: credentialsFor(connection, region, tuning.clock ?? systemClock),
  });
  applyRateLimiter(client, limiter);
  applyAccountGuard(client, connection);
  applyForeignAnswerCheck(client);
  return client;
}

/** The SDK's region chain (AWS_REGION, then the profile's region), with IAM's home region when nothing sets one. */
function regionFromChain(profile: string | undefined): () => Promise<string> {
  return loadConfig({ ...NODE_REGION_CONFIG_OPTIONS, default: DEFAULT_IAM_REGION }, { ...NODE_REGION_CONFIG_FILE_OPTIONS, profile });
}

type Credentials = IAMClient["config"]["credentials"];

function credentialsFor(connection: AwsConnection, region: string | (() => Promise<string>), clock: Clock): Credentials | undefined {
  if (!connection.profile && !connection.assumeRoles?.length) return undefined; // the SDK's default chain
  // Loaded lazily: most runs use the default chain and never need these providers.
  const providers = require("@aws-sdk/credential-providers") as typeof import("@aws-sdk/credential-providers");
  // A named profile's own credentials (keys, SSO, credential_process, its own role_arn), never the environment's.
  let credentials: Credentials | undefined = connection.profile ? providers.fromIni({ profile: connection.profile }) : undefined;
  for (const role of connection.assumeRoles ?? []) {
    // Each link renewed before it expires: the next link's STS calls are signed with it too.
    credentials = refreshingCredentials(
      providers.fromTemporaryCredentials({
        masterCredentials: credentials,
        params: {
          RoleArn: role.roleArn,
          RoleSessionName: role.sessionName ?? "iam-user-teardown",
          ExternalId: role.externalId,
          DurationSeconds: role.durationSeconds,
          Policy: role.policy,
          PolicyArns: role.policyArns?.map((arn) => ({ arn })),
          Tags: role.tags ? Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value })) : undefined,
          TransitiveTagKeys: role.transitiveTagKeys,
          SourceIdentity: role.sourceIdentity,
        },
        clientConfig: { region, customUserAgent: [USER_AGENT] },
      }),
      clock,
    );
  }
  return credentials;
}

/** Forgets cached clients (tests that change the environment between cases). */
export function resetIamClients(): void {
  for (const c of clients.values()) c.destroy();
  clients.clear();
  sharedLimiter = undefined;
}
