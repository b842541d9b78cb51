import type { IAMClient } from "@aws-sdk/client-iam";
import { iamClientFor } from "../../provider/aws/client";
import { startEmulator, type Emulator, type EmulatorOptions } from "../iam-emulator";

/** The client the package itself would build for an endpoint (adaptive retry, shared rate limit). */
export function clientFor(emulator: Emulator, maxAttempts?: number): IAMClient {
  return iamClientFor({ endpoint: emulator.endpoint }, { maxAttempts });
}

/** Starts an emulator for a mocha suite and stops it afterwards. */
export function useEmulator(options: EmulatorOptions = {}): { readonly emulator: Emulator; readonly client: IAMClient } {
  const holder: { emulator?: Emulator; client?: IAMClient } = {};
  before(async () => {
    holder.emulator = await startEmulator({ port: 0, ...options });
    holder.client = clientFor(holder.emulator);
  });
  after(async () => {
    await holder.emulator?.stop();
  });
  return {
    get emulator() {
      return holder.emulator!;
    },
    get client() {
      return holder.client!;
    },
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
    hardwareMfa: [`GAHT${Math.floor(Math.random() * 1e8).toString().padStart(8, "0")}`],
    fidoMfa: 1,
    groups: ["developers", "on-call"],
    inlinePolicies: ["deploy", "read-logs"],
    managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "team-boundary"],
    ...extra,
  };
}

/** Points the SDK's standard environment (AWS_ENDPOINT_URL_IAM) at an endpoint; returns what puts it back. */
export function pointIamEndpointAt(endpoint: string): () => void {
  const saved = process.env.AWS_ENDPOINT_URL_IAM;
  process.env.AWS_ENDPOINT_URL_IAM = endpoint;
  return () => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_IAM;
    else process.env.AWS_ENDPOINT_URL_IAM = saved;
  };
}
