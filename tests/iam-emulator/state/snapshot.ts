// A user as plain data, for byte-for-byte comparisons of a bystander before and after a run.

import type { Account } from "./account";

/** A deterministic JSON-able view of the user and everything hanging on it; null when the user does not exist. */
export function snapshotOf(state: Account, userName: string): unknown {
  const u = state.getUser(userName);
  if (!u) return null;
  const iso = (d: Date | undefined) => (d ? d.toISOString() : null);
  const byKey = <T>(items: T[], key: (t: T) => string) => [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return {
    userName: u.userName,
    userId: u.userId,
    path: u.path,
    arn: u.arn,
    createDate: iso(u.createDate),
    tags: Object.fromEntries([...u.tags.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    permissionsBoundary: u.permissionsBoundary ?? null,
    loginProfile: u.loginProfile
      ? { createDate: iso(u.loginProfile.createDate), passwordResetRequired: u.loginProfile.passwordResetRequired }
      : null,
    accessKeys: byKey(u.accessKeys.toArray(), (k) => k.accessKeyId).map((k) => ({
      accessKeyId: k.accessKeyId,
      status: k.status,
      createDate: iso(k.createDate),
    })),
    sshPublicKeys: byKey(u.sshPublicKeys.toArray(), (k) => k.sshPublicKeyId).map((k) => ({
      sshPublicKeyId: k.sshPublicKeyId,
      fingerprint: k.fingerprint,
      status: k.status,
      uploadDate: iso(k.uploadDate),
    })),
    signingCertificates: byKey(u.signingCertificates.toArray(), (c) => c.certificateId).map((c) => ({
      certificateId: c.certificateId,
      status: c.status,
      uploadDate: iso(c.uploadDate),
    })),
    serviceSpecificCredentials: byKey(u.serviceCredentials.toArray(), (c) => c.serviceSpecificCredentialId).map((c) => ({
      serviceSpecificCredentialId: c.serviceSpecificCredentialId,
      serviceName: c.serviceName,
      status: c.status,
      createDate: iso(c.createDate),
    })),
    mfaDevices: byKey(u.mfaDevices.toArray(), (m) => m.serialNumber).map((m) => ({
      serialNumber: m.serialNumber,
      kind: m.kind,
      enableDate: iso(m.enableDate),
    })),
    groups: u.groups
      .toArray()
      .map((g) => g.groupName)
      .sort(),
    inlinePolicies: Object.fromEntries(byKey(u.inlinePolicies.toArray(), (p) => p.policyName).map((p) => [p.policyName, p.document])),
    managedPolicies: u.attachedPolicies
      .toArray()
      .map((p) => p.arn)
      .sort(),
  };
}
