import type { IAMClient } from "@aws-sdk/client-iam";
import type { VirtualMfaIndex } from "./mfa-classifier";

/** The nine kinds of things that make DeleteUser answer DeleteConflict. */
export type KindId =
  | "loginProfile"
  | "accessKeys"
  | "sshPublicKeys"
  | "signingCertificates"
  | "serviceSpecificCredentials"
  | "mfaDevices"
  | "groupMemberships"
  | "inlinePolicies"
  | "managedPolicies";

export type MfaKind = "virtual" | "hardware" | "fido";

/** One thing hanging on a user. `id` is an identifier (never secret material). */
export interface DependencyItem {
  kind: KindId;
  id: string;
  /** For MFA devices: how AWS's own answers classify the device. */
  mfaKind?: MfaKind;
  /** For service-specific credentials: the service. */
  service?: string;
}

/** Aborting stops the SDK's own retries of a call, not only the calls not yet sent. */
export interface SendOptions {
  abortSignal?: AbortSignal;
}

/** What a kind module gets to work with. */
export interface KindContext {
  client: IAMClient;
  /** Sends a command, counting it. */
  send<Output>(command: unknown, options?: SendOptions): Promise<Output>;
  /** MaxItems for list calls. */
  pageSize: number;
  virtualMfa: VirtualMfaIndex;
}

/** A dependency kind: how to list what hangs on a user, and how to remove one item. */
export interface DependencyKind {
  id: KindId;
  /** Human words for logs and errors, plural. */
  title: string;
  /** The IAM actions the list makes. */
  listActions: readonly string[];
  list(ctx: KindContext, userName: string): Promise<DependencyItem[]>;
  /** The IAM actions that remove this item, in order (for plans and least-privilege policies). */
  removalActions(item: DependencyItem): readonly string[];
  /** Removes one item. NoSuchEntity is left to the caller, which treats it as already gone. */
  remove(ctx: KindContext, userName: string, item: DependencyItem): Promise<void>;
}

export type Inventory = Record<KindId, DependencyItem[]>;
