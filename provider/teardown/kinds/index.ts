import type { DependencyKind, KindDetail, KindRegistry } from "../types";
import { accessKeys } from "./access-keys";
import { groupMemberships } from "./group-memberships";
import { inlinePolicies } from "./inline-policies";
import { loginProfile } from "./login-profile";
import { managedPolicies } from "./managed-policies";
import { mfaDevices } from "./mfa-devices";
import { serviceSpecificCredentials } from "./service-specific-credentials";
import { signingCertificates } from "./signing-certificates";
import { sshPublicKeys } from "./ssh-public-keys";

/**
 * Every kind that blocks DeleteUser, in the order plans list them: credentials first (they grant access), then
 * devices, then what grants permissions. Removals run concurrently; the order is for people reading a plan.
 * A kind AWS adds later is one module here and one line below; its id, words and output follow from it.
 */
export const DEPENDENCY_KINDS = [
  loginProfile,
  accessKeys,
  sshPublicKeys,
  signingCertificates,
  serviceSpecificCredentials,
  mfaDevices,
  groupMemberships,
  inlinePolicies,
  managedPolicies,
] as const satisfies KindRegistry;

type Registered = (typeof DEPENDENCY_KINDS)[number];

/** The kinds' ids: "loginProfile" | "accessKeys" | ... */
export type KindId = Registered["id"];

/** What hangs on a user, as a plan details it: per kind a count and identifiers, plus what the kind adds. */
export type InventoryDetail = { total: number } & {
  [K in Registered as K["id"]]: KindDetail<K extends DependencyKind<string, infer Extra> ? Extra : object>;
};

/**
 * What hangs on a user, as the resource's `inventory` output records it: only the kinds that hold something, each as
 * its identifiers on one line, ", " between them (IAM identifiers hold no spaces). One line per kind keeps a refreshed
 * user short in `pulumi preview --diff`, which prints every element of an array on a line of its own.
 */
export type InventoryOutput = { [K in KindId]?: string };

export function kindById(id: string, registry: KindRegistry = DEPENDENCY_KINDS): DependencyKind {
  const kind = registry.find((k) => k.id === id);
  if (!kind) throw new Error(`unknown dependency kind ${id}`);
  return kind;
}
