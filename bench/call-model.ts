/**
 * What each implementation's call sequence predicts, per IAM action, for a list of users torn down in order.
 *
 * Used three ways: the engine's prediction is the "calls" target (one list per kind per page, one removal per item,
 * two for a virtual device, one DeleteUser, plus its three GetUser checks); the anchors' predictions are checked
 * against what the emulator logged for the users they actually tore down, and then extrapolate their calls to a
 * scale that was not run (only in the throttled scenario, and labelled so).
 *
 * The account is simulated one user after another; runs 10 at a time can shift an account-wide page count by one
 * now and then, which is why predictions for the anchors are compared, not asserted.
 */
import { type DepCounts, mfaCount, type ScenarioSpec, type UserSpec } from "./scenarios";

export type ActionCounts = Record<string, number>;

const IAM_DEFAULT_PAGE = 100;
const ENGINE_PAGE = 1000;

const add = (m: ActionCounts, action: string, n = 1) => {
  if (n > 0) m[action] = (m[action] ?? 0) + n;
};

export function sumCounts(counts: ActionCounts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** The calls a teardown cannot do without: one list per kind, one removal per item (two for a virtual device), DeleteUser. */
export function minimalCalls(users: readonly UserSpec[]): ActionCounts {
  const m: ActionCounts = {};
  for (const u of users) {
    for (const list of ENGINE_LISTS) add(m, list);
    removals(m, u.counts);
    add(m, "DeleteUser");
    // One identity check per user: without it a name deleted and reused meanwhile has the new user's items removed.
    add(m, "GetUser");
  }
  return m;
}

const ENGINE_LISTS = [
  "GetLoginProfile",
  "ListAccessKeys",
  "ListSSHPublicKeys",
  "ListSigningCertificates",
  "ListServiceSpecificCredentials",
  "ListMFADevices",
  "ListGroupsForUser",
  "ListUserPolicies",
  "ListAttachedUserPolicies",
];

function removals(m: ActionCounts, c: DepCounts): void {
  add(m, "DeleteLoginProfile", c.loginProfile);
  add(m, "DeleteAccessKey", c.accessKeys);
  add(m, "DeleteSSHPublicKey", c.sshKeys);
  add(m, "DeleteSigningCertificate", c.signingCertificates);
  add(m, "DeleteServiceSpecificCredential", c.serviceCredentials);
  add(m, "DeactivateMFADevice", mfaCount(c));
  add(m, "DeleteVirtualMFADevice", c.virtualMfa);
  add(m, "RemoveUserFromGroup", c.groups);
  add(m, "DeleteUserPolicy", c.inlinePolicies);
  add(m, "DetachUserPolicy", c.managedPolicies);
}

/**
 * The reads a user's record needs beyond the teardown's own lists (`--record`), unavoidable once a record is asked
 * for: GetUserPolicy per inline policy (the document), GetSSHPublicKey per SSH key (the public body),
 * GetAccessKeyLastUsed per access key. Certificate bodies and dates come with the lists.
 */
export function recordReads(users: readonly UserSpec[]): ActionCounts {
  const m: ActionCounts = {};
  for (const u of users) {
    add(m, "GetUserPolicy", u.counts.inlinePolicies);
    add(m, "GetSSHPublicKey", u.counts.sshKeys);
    add(m, "GetAccessKeyLastUsed", u.counts.accessKeys);
  }
  return m;
}

/** Two call counts added, action by action. */
export function addCounts(a: ActionCounts, b: ActionCounts): ActionCounts {
  const m: ActionCounts = { ...a };
  for (const [action, n] of Object.entries(b)) add(m, action, n);
  return m;
}

/** Virtual MFA devices in the account when the run starts. */
export function virtualDevicesAtStart(s: ScenarioSpec): number {
  return [...s.targets, ...s.bystanders].reduce((n, u) => n + u.counts.virtualMfa, 0) + s.unassignedVirtual.length;
}

/**
 * The engine's calls other than GetUser, which the calls target fixes exactly: one account-wide classification
 * listing per process (MaxItems 1000, so 2 pages for 2,000 devices, however many users), one list per kind per user
 * (one page each at MaxItems 1000), one removal per item, two for a virtual device, one DeleteUser.
 * Its GetUser identity checks are counted apart (engineGetUserChecks), since they are the part that changes as the
 * engine's safety checks evolve.
 */
export function engineCalls(s: ScenarioSpec, users: readonly UserSpec[], options: { listings?: number } = {}): ActionCounts {
  const m: ActionCounts = {};
  add(m, "ListVirtualMFADevices", (options.listings ?? 1) * Math.max(1, Math.ceil(virtualDevicesAtStart(s) / ENGINE_PAGE)));
  for (const u of users) {
    for (const list of ENGINE_LISTS) add(m, list);
    removals(m, u.counts);
    add(m, "DeleteUser");
  }
  return m;
}

/** Terraform's force_destroy delete: per user, every step in turn, with one walk of the account's assigned virtual devices. */
export function terraformCalls(s: ScenarioSpec, users: readonly UserSpec[]): ActionCounts {
  const m: ActionCounts = {};
  const initiallyAssigned = [...s.targets, ...s.bystanders].reduce((n, u) => n + u.counts.virtualMfa, 0);
  // With P deletes at once, when user k walks the device list about k - P/2 earlier users are past their own
  // virtual-device step (the step sits mid-way through each delete); the first P all start on the full list.
  const lag = s.parallelism > 1 ? s.parallelism / 2 : 0;
  const unassignedBefore = (k: number) =>
    k < s.parallelism ? 0 : users.slice(0, Math.max(0, Math.floor(k - lag))).reduce((n, x) => n + x.counts.virtualMfa, 0);
  users.forEach((u, k) => {
    const assigned = initiallyAssigned - unassignedBefore(k);
    const c = u.counts;
    add(m, "ListGroupsForUser");
    add(m, "RemoveUserFromGroup", c.groups);
    add(m, "ListUserPolicies");
    add(m, "DeleteUserPolicy", c.inlinePolicies);
    add(m, "ListAttachedUserPolicies");
    add(m, "DetachUserPolicy", c.managedPolicies);
    add(m, "ListAccessKeys");
    add(m, "DeleteAccessKey", c.accessKeys);
    add(m, "ListSSHPublicKeys");
    add(m, "DeleteSSHPublicKey", c.sshKeys);
    add(m, "ListVirtualMFADevices", Math.max(1, Math.ceil(assigned / IAM_DEFAULT_PAGE)));
    add(m, "DeactivateMFADevice", mfaCount(c));
    add(m, "DeleteVirtualMFADevice", c.virtualMfa);
    add(m, "ListMFADevices");
    add(m, "DeleteLoginProfile");
    add(m, "ListSigningCertificates");
    add(m, "DeleteSigningCertificate", c.signingCertificates);
    add(m, "ListServiceSpecificCredentials");
    add(m, "DeleteServiceSpecificCredential", c.serviceCredentials);
    add(m, "DeleteUser");
  });
  return m;
}

/**
 * The runbook: per user, the ListUsers walk to the user's page, then its steps; a user with a hardware token or a
 * FIDO key fails at the first DeleteVirtualMFADevice on such a device and needs a second run.
 */
export function runbookCalls(s: ScenarioSpec, users: readonly UserSpec[]): ActionCounts & { secondRuns: number } {
  const m: ActionCounts = {};
  // ListUsers order is creation order: targets by name, then bystanders (see seedOf).
  const order = [...s.targets].map((u) => u.userName).sort((a, b) => a.localeCompare(b));
  order.push(...s.bystanders.map((b) => b.userName));
  let secondRuns = 0;
  // With P runs at once, when user k's run starts the P - 1 runs before it are still going (DeleteUser is their
  // last step): users up to k - P are gone from the list.
  const lag = s.parallelism - 1;
  users.forEach((u, k) => {
    const c = u.counts;
    if (k - lag - 1 >= 0) order.splice(order.indexOf(users[k - lag - 1].userName), 1);
    const pages = Math.ceil((order.indexOf(u.userName) + 1) / IAM_DEFAULT_PAGE);
    const lists1 = () => {
      for (const a of [
        "ListAccessKeys",
        "ListSigningCertificates",
        "ListServiceSpecificCredentials",
        "ListMFADevices",
        "ListSSHPublicKeys",
      ])
        add(m, a);
    };
    const rest = () => {
      for (const a of ["ListGroupsForUser", "ListUserPolicies", "ListAttachedUserPolicies"]) add(m, a);
      add(m, "RemoveUserFromGroup", c.groups);
      add(m, "DeleteUserPolicy", c.inlinePolicies);
      add(m, "DetachUserPolicy", c.managedPolicies);
      add(m, "DeleteLoginProfile");
      add(m, "DeleteUser");
      add(m, "GetUser");
    };
    add(m, "ListUsers", pages);
    lists1();
    add(m, "DeleteAccessKey", c.accessKeys);
    add(m, "DeleteSigningCertificate", c.signingCertificates);
    add(m, "DeleteServiceSpecificCredential", c.serviceCredentials);
    add(m, "DeactivateMFADevice", mfaCount(c));
    const fails = c.hardwareMfa + c.fidoMfa > 0;
    add(m, "DeleteVirtualMFADevice", c.virtualMfa + (fails ? 1 : 0));
    if (fails) {
      secondRuns++;
      add(m, "ListUsers", pages);
      lists1();
    }
    add(m, "DeleteSSHPublicKey", c.sshKeys);
    rest();
  });
  return Object.assign(m, { secondRuns });
}

/**
 * The calls reading each user's activity cannot do without, for the --inactive-for guard: one GetAccessKeyLastUsed
 * per access key, one GenerateServiceLastAccessedDetails, and GetServiceLastAccessedDetails until the job completes:
 * the emulator answers IN_PROGRESS `inProgressPolls` times first (1 by default), and no caller can know the job is
 * done without asking, so 1 + that many. The access keys' list is the teardown's own (a perfect implementation lists
 * them once for both).
 */
export function activityFloorCalls(users: readonly UserSpec[], inProgressPolls = 1): ActionCounts {
  const m: ActionCounts = {};
  for (const u of users) {
    add(m, "GetAccessKeyLastUsed", u.counts.accessKeys);
    add(m, "GenerateServiceLastAccessedDetails");
    add(m, "GetServiceLastAccessedDetails", 1 + inProgressPolls);
  }
  return m;
}

/** What the fleet CLI's guard adds to its calls: the floor's activity calls, and its own list of each user's access keys. */
export function activityCalls(users: readonly UserSpec[], inProgressPolls = 1): ActionCounts {
  const m = activityFloorCalls(users, inProgressPolls);
  for (const _ of users) add(m, "ListAccessKeys");
  return m;
}
