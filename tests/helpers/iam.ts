import { IAMClient } from "@aws-sdk/client-iam";
import { iamClientFor } from "../../provider/aws/client";
import { type Emulator, type EmulatorOptions, startEmulator } from "../iam-emulator";

/** The client the package itself builds for an endpoint (its retry, its per-action rate limit), shared by the process. */
export function packageClientFor(endpoint: string, maxAttempts?: number): IAMClient {
  return iamClientFor({ endpoint }, { maxAttempts });
}

/** An SDK client as any consumer would build it; maxAttempts 1 by default so tests see every answer as it is. */
export function sdkClientFor(endpoint: string, opts: { accessKeyId?: string; maxAttempts?: number } = {}): IAMClient {
  return new IAMClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: opts.accessKeyId ?? "x", secretAccessKey: "y" },
    maxAttempts: opts.maxAttempts ?? 1,
  });
}

export interface EmulatorFixture {
  readonly emulator: Emulator;
  readonly client: IAMClient;
  /** Replaces the emulator with a new one (for tests that need a clean account). */
  fresh(extra?: EmulatorOptions): Promise<void>;
}

/**
 * Starts an emulator before the suite and stops it after. `client` talks to it: the package's own client, or with
 * "sdk" a plain SDK client (the emulator's own tests, which must see every answer as it is).
 */
export function useEmulator(options: EmulatorOptions = {}, clientKind: "package" | "sdk" = "package"): EmulatorFixture {
  let emulator: Emulator | undefined;
  let client: IAMClient | undefined;
  // The package's clients belong to its cache (resetIamClients forgets them); a plain SDK client is ours to close.
  const closeClient = () => (clientKind === "sdk" ? client?.destroy() : undefined);
  const start = async (extra: EmulatorOptions = {}) => {
    await emulator?.stop();
    closeClient();
    emulator = await startEmulator({ port: 0, ...options, ...extra });
    client = clientKind === "sdk" ? sdkClientFor(emulator.endpoint) : packageClientFor(emulator.endpoint);
  };
  before(() => start());
  after(async () => {
    closeClient();
    await emulator?.stop();
  });
  return {
    get emulator() {
      return emulator!;
    },
    get client() {
      return client!;
    },
    fresh: start,
  };
}

/** One user with every dependency kind and every MFA kind. */
export function everyKind(userName: string, extra: Record<string, unknown> = {}) {
  return {
    userName,
    loginProfile: true,
    accessKeys: 2,
    sshKeys: 2,
    signingCertificates: 2,
    serviceCredentials: ["codecommit.amazonaws.com", "cassandra.amazonaws.com", "bedrock.amazonaws.com"],
    virtualMfa: [`${userName}-phone`],
    hardwareMfa: [
      `GAHT${Math.floor(Math.random() * 1e8)
        .toString()
        .padStart(8, "0")}`,
    ],
    fidoMfa: 1,
    groups: ["developers", "on-call"],
    inlinePolicies: ["deploy", "read-logs"],
    managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "team-boundary"],
    ...extra,
  };
}

/**
 * Points the SDK's standard environment (AWS_ENDPOINT_URL_IAM, and AWS_ENDPOINT_URL_STS: the emulator answers
 * GetCallerIdentity on the same endpoint) at an endpoint; returns what puts it back.
 */
export function pointIamEndpointAt(endpoint: string): () => void {
  const saved = { iam: process.env.AWS_ENDPOINT_URL_IAM, sts: process.env.AWS_ENDPOINT_URL_STS };
  process.env.AWS_ENDPOINT_URL_IAM = endpoint;
  process.env.AWS_ENDPOINT_URL_STS = endpoint;
  return () => {
    if (saved.iam === undefined) delete process.env.AWS_ENDPOINT_URL_IAM;
    else process.env.AWS_ENDPOINT_URL_IAM = saved.iam;
    if (saved.sts === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
    else process.env.AWS_ENDPOINT_URL_STS = saved.sts;
  };
}
