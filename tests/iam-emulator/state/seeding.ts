// Seeding: a whole account described as data (users with any mix of dependencies, plus
// account-level groups, policies and unassigned virtual devices), created through the same rules as
// the API, so a seeded account is one the API could have produced.

import type { ActivityLog } from "./activity";
import type { MfaKind } from "./records";
import type { UserState } from "./users";

export interface UserSeed {
  userName: string;
  path?: string;
  tags?: Record<string, string>;
  permissionsBoundary?: string;
  loginProfile?: boolean | { recent?: boolean };
  accessKeys?: number;
  sshKeys?: number;
  signingCertificates?: number;
  serviceCredentials?: string[];
  virtualMfa?: string[];
  hardwareMfa?: string[];
  fidoMfa?: number;
  groups?: string[];
  inlinePolicies?: string[];
  managedPolicies?: string[];
  /** When the user (and its seeded credentials) were created; now by default. */
  createDate?: Date | string;
  /** The console password's last use (needs loginProfile). */
  passwordLastUsed?: Date | string;
  /** Per seeded access key, in order: its last use; null or missing: never used. */
  accessKeysLastUsed?: Array<{ date: Date | string; service?: string; region?: string } | null>;
  /** The user's last authenticated access per service (namespace: "codecommit"), whatever the credential. */
  serviceLastAccessed?: Array<{ namespace: string; date: Date | string; region?: string }>;
}

export interface Scenario {
  users?: UserSeed[];
  groups?: string[];
  managedPolicies?: string[];
  unassignedVirtualMfa?: string[];
}

export interface SeedResult {
  users: Record<string, { userId: string; arn: string; accessKeyIds: string[]; mfaSerials: { serial: string; kind: MfaKind }[] }>;
}

export function seedScenario(state: UserState & { activity: ActivityLog }, scenario: Scenario): SeedResult {
  for (const g of scenario.groups ?? []) if (!state.getGroup(g)) state.createGroup(g);
  for (const p of scenario.managedPolicies ?? []) if (!state.policies.has(state.customerPolicyArn(p))) state.createPolicy(p);
  for (const d of scenario.unassignedVirtualMfa ?? []) state.createVirtualMfaDevice(d);
  const result: SeedResult = { users: {} };
  for (const s of scenario.users ?? []) {
    if (
      s.permissionsBoundary &&
      !s.permissionsBoundary.startsWith("arn:") &&
      !state.policies.has(state.customerPolicyArn(s.permissionsBoundary))
    ) {
      state.createPolicy(s.permissionsBoundary);
    }
    const user = state.createUser(s.userName, { path: s.path, tags: s.tags, permissionsBoundary: s.permissionsBoundary });
    if (s.loginProfile) {
      const recent = typeof s.loginProfile === "object" && s.loginProfile.recent === true;
      state.createLoginProfile(user.userName, { recent });
    }
    const accessKeyIds: string[] = [];
    for (let i = 0; i < (s.accessKeys ?? 0); i++) accessKeyIds.push(state.createAccessKey(user.userName).accessKeyId);
    for (let i = 0; i < (s.sshKeys ?? 0); i++) state.uploadSshPublicKey(user.userName);
    for (let i = 0; i < (s.signingCertificates ?? 0); i++) state.uploadSigningCertificate(user.userName);
    for (const svc of s.serviceCredentials ?? []) state.createServiceSpecificCredential(user.userName, svc);
    const mfaSerials: { serial: string; kind: MfaKind }[] = [];
    for (const name of s.virtualMfa ?? []) {
      const d = state.createVirtualMfaDevice(name);
      state.enableMfaDevice(user.userName, d.serialNumber);
      mfaSerials.push({ serial: d.serialNumber, kind: "virtual" });
    }
    for (const serial of s.hardwareMfa ?? []) mfaSerials.push({ serial: state.addHardwareDevice(user.userName, serial), kind: "hardware" });
    for (let i = 0; i < (s.fidoMfa ?? 0); i++) mfaSerials.push({ serial: state.addFidoDevice(user.userName), kind: "fido" });
    for (const g of s.groups ?? []) state.addUserToGroup(user.userName, g);
    for (const p of s.inlinePolicies ?? []) {
      state.putUserPolicy(
        user.userName,
        p,
        JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }),
      );
    }
    for (const p of s.managedPolicies ?? []) {
      if (!p.startsWith("arn:") && !state.policies.has(state.customerPolicyArn(p))) state.createPolicy(p);
      state.attachUserPolicy(user.userName, p);
    }
    // Dates may come as ISO strings: a scenario crosses a process boundary as JSON (the bench's emulator host).
    const date = (d: Date | string) => new Date(d);
    if (s.createDate) {
      const created = date(s.createDate);
      user.createDate = created;
      for (const k of user.accessKeys.toArray()) k.createDate = created;
      if (user.loginProfile) user.loginProfile.createDate = created;
    }
    if (s.passwordLastUsed) state.activity.recordConsoleSignIn(user.userName, date(s.passwordLastUsed));
    (s.accessKeysLastUsed ?? []).forEach((use, i) => {
      const keyId = accessKeyIds[i];
      if (use && keyId)
        state.activity.recordKeyUse(user, keyId, { date: date(use.date), service: use.service ?? "s3", region: use.region ?? "us-east-1" });
    });
    for (const access of s.serviceLastAccessed ?? []) state.activity.recordServiceAccess(user, { ...access, date: date(access.date) });
    result.users[user.userName] = { userId: user.userId, arn: user.arn, accessKeyIds, mfaSerials };
  }
  return result;
}
