import { IAMClient } from "@aws-sdk/client-iam";
import { PerActionRateLimiter, applyRateLimiter } from "./rate-limit";

/**
 * How to reach IAM. Everything is optional: unset fields fall back to the SDK's default credential chain and the
 * standard environment (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_IAM, AWS_ACCESS_KEY_ID, ...).
 * No field holds secret material.
 */
export interface AwsConnection {
  region?: string;
  profile?: string;
  /** A role to assume with the default (or profile) credentials before calling IAM. */
  roleArn?: string;
  /** An IAM endpoint; normally left unset (AWS_ENDPOINT_URL_IAM is honoured by the SDK itself). */
  endpoint?: string;
}

export interface ClientTuning {
  /** Attempts per call for throttling and 5xx answers (the SDK's standard retry). */
  maxAttempts?: number;
  /** A hard per-action cap on requests per second, on top of the adaptive limit. */
  maxRatePerAction?: number;
}

/** IAM is a global service: its API lives in us-east-1 unless a partition's region says otherwise. */
export const DEFAULT_IAM_REGION = "us-east-1";

let sharedLimiter: PerActionRateLimiter | undefined;
const clients = new Map<string, IAMClient>();

/** The process-wide limiter every client shares, so concurrent teardowns respect one budget per action. */
export function processRateLimiter(tuning: ClientTuning = {}): PerActionRateLimiter {
  if (!sharedLimiter) sharedLimiter = new PerActionRateLimiter({ maxRatePerAction: tuning.maxRatePerAction });
  return sharedLimiter;
}

function connectionKey(c: AwsConnection, tuning: ClientTuning): string {
  return JSON.stringify([c.region ?? "", c.profile ?? "", c.roleArn ?? "", c.endpoint ?? "", tuning.maxAttempts ?? 0,
    process.env.AWS_ENDPOINT_URL_IAM ?? "", process.env.AWS_ENDPOINT_URL ?? ""]);
}

/**
 * One IAM client per connection per process, so every teardown of the process shares its sockets and retry quota.
 */
export function iamClientFor(connection: AwsConnection = {}, tuning: ClientTuning = {}): IAMClient {
  const key = connectionKey(connection, tuning);
  const cached = clients.get(key);
  if (cached) return cached;
  const region = connection.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || DEFAULT_IAM_REGION;
  const client = new IAMClient({
    region,
    endpoint: connection.endpoint,
    // Standard retry (throttling and 5xx, with backoff); the rate itself is kept per action by the shared limiter
    // below. The SDK's adaptive mode would add one client-wide rate for all actions, which the first throttle of a
    // fresh client drops to half a request per second, for every action.
    retryMode: "standard",
    maxAttempts: tuning.maxAttempts ?? 10,
    credentials: credentialsFor(connection, region),
  });
  applyRateLimiter(client, processRateLimiter(tuning));
  clients.set(key, client);
  return client;
}

function credentialsFor(connection: AwsConnection, region: string): IAMClient["config"]["credentials"] | undefined {
  if (!connection.profile && !connection.roleArn) return undefined; // the SDK's default chain
  // Loaded lazily: most runs use the default chain and never need these providers.
  const providers = require("@aws-sdk/credential-providers") as typeof import("@aws-sdk/credential-providers");
  const base = connection.profile ? providers.fromIni({ profile: connection.profile }) : undefined;
  if (!connection.roleArn) return base;
  return providers.fromTemporaryCredentials({
    masterCredentials: base,
    params: { RoleArn: connection.roleArn, RoleSessionName: "iam-user-teardown" },
    clientConfig: { region },
  });
}

/** Forgets cached clients (tests that change the environment between cases). */
export function resetIamClients(): void {
  for (const c of clients.values()) c.destroy();
  clients.clear();
  sharedLimiter = undefined;
}
