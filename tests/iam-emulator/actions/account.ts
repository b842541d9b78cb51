// Account-level answers: GetAccountSummary's usage counts and quotas.

import { XmlMap } from "../protocol";
import { LIMITS } from "../state";
import type { ActionTable } from "./common";

export const accountActions: ActionTable = {
  /** The entries the emulator models; AWS answers more (roles, server certificates, ...), each a number. */
  GetAccountSummary(ctx) {
    const s = ctx.state;
    const users = s.users.toArray();
    const customerPolicies = s.policies.toArray().filter((p) => !p.awsManaged).length;
    const summary: Array<[string, number]> = [
      ["Users", users.length],
      ["UsersQuota", 5000],
      ["Groups", s.groups.size],
      ["GroupsQuota", 300],
      ["GroupsPerUserQuota", LIMITS.groupsPerUser],
      ["Policies", customerPolicies],
      ["PoliciesQuota", 1500],
      ["PolicySizeQuota", 6144],
      ["AttachedPoliciesPerUserQuota", s.attachedPoliciesPerUserQuota],
      ["UserPolicySizeQuota", LIMITS.inlinePolicyCharactersPerUser],
      ["AccessKeysPerUserQuota", LIMITS.accessKeysPerUser],
      ["SigningCertificatesPerUserQuota", LIMITS.signingCertificatesPerUser],
      ["MFADevices", s.virtualMfaDevices.size],
      ["MFADevicesInUse", users.reduce((n, u) => n + u.mfaDevices.size, 0)],
    ];
    return { SummaryMap: new XmlMap(summary.map(([k, v]) => [k, String(v)])) };
  },
};
