import type { DependencyKind, KindId } from "../types";
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
 * A kind AWS adds later is one module here and one line below.
 */
export const DEPENDENCY_KINDS: readonly DependencyKind[] = [
  loginProfile,
  accessKeys,
  sshPublicKeys,
  signingCertificates,
  serviceSpecificCredentials,
  mfaDevices,
  groupMemberships,
  inlinePolicies,
  managedPolicies,
];

export const KIND_IDS: readonly KindId[] = DEPENDENCY_KINDS.map((k) => k.id);

export function kindById(id: KindId): DependencyKind {
  const kind = DEPENDENCY_KINDS.find((k) => k.id === id);
  if (!kind) throw new Error(`unknown dependency kind ${id}`);
  return kind;
}
