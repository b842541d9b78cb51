import { DEPENDENCY_KINDS, kindById } from "./kinds";
import type { DependencyItem, Inventory, KindId, MfaKind } from "./types";

export function emptyInventory(): Inventory {
  return Object.fromEntries(DEPENDENCY_KINDS.map((k) => [k.id, []])) as unknown as Inventory;
}

/** Every item, in registry order. */
export function flattenInventory(inventory: Inventory): DependencyItem[] {
  return DEPENDENCY_KINDS.flatMap((k) => inventory[k.id] ?? []);
}

const SINGULAR: Record<KindId, string> = {
  loginProfile: "console password",
  accessKeys: "access key",
  sshPublicKeys: "SSH public key",
  signingCertificates: "signing certificate",
  serviceSpecificCredentials: "service-specific credential",
  mfaDevices: "MFA device",
  groupMemberships: "membership of group",
  inlinePolicies: "inline policy",
  managedPolicies: "attached managed policy",
};

const MFA_WORDS: Record<MfaKind, string> = { virtual: "virtual", hardware: "hardware TOTP", fido: "FIDO security key" };

export function describeItem(item: DependencyItem): string {
  if (item.kind === "loginProfile") return "console password";
  if (item.kind === "mfaDevices") return `${item.mfaKind ? MFA_WORDS[item.mfaKind] + " " : ""}MFA device ${item.id}`;
  if (item.kind === "serviceSpecificCredentials") return `${SINGULAR[item.kind]} ${item.id}${item.service ? ` (${item.service})` : ""}`;
  return `${SINGULAR[item.kind]} ${item.id}`;
}

/** "2 access keys, 3 MFA devices (1 virtual, 1 hardware TOTP, 1 FIDO security key)". */
export function countByKind(items: readonly DependencyItem[]): string {
  const parts: string[] = [];
  for (const kind of DEPENDENCY_KINDS) {
    const of = items.filter((i) => i.kind === kind.id);
    if (of.length === 0) continue;
    let part = `${of.length} ${of.length === 1 ? SINGULAR[kind.id] : kind.title}`;
    if (kind.id === "mfaDevices") {
      const byKind = (["virtual", "hardware", "fido"] as MfaKind[])
        .map((k) => [k, of.filter((i) => i.mfaKind === k).length] as const)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${n} ${MFA_WORDS[k]}`);
      part += ` (${byKind.join(", ")})`;
    }
    parts.push(part);
  }
  return parts.length === 0 ? "nothing" : parts.join(", ");
}

export interface SummaryInput {
  requestedUserName: string;
  userName: string;
  userId?: string;
  outcome: "deleted" | "cleared" | "already-gone";
  renamedFrom?: string;
  removed: readonly DependencyItem[];
  alreadyGone: readonly DependencyItem[];
  rounds: number;
  apiCalls: number;
  durationMs: number;
}

/** The one line per user that ends every teardown's log. */
export function summarizeTeardown(r: SummaryInput): string {
  const who = `IAM user ${r.userName}${r.userId ? ` (${r.userId})` : ""}${r.renamedFrom ? `, formerly ${r.renamedFrom},` : ""}`;
  const verb = r.outcome === "deleted" ? "deleted" : r.outcome === "cleared" ? "cleared (user kept: deleteUser is false)" : "already gone";
  const extra = r.alreadyGone.length > 0 ? `; ${r.alreadyGone.length} listed item(s) were already gone` : "";
  return `${who} ${verb}: removed ${countByKind(r.removed)}${extra}; ${r.rounds} round(s), ${r.apiCalls} API calls, ${r.durationMs} ms`;
}

/** What hangs on a user, as resource outputs show it: per kind a count and identifiers; MFA devices with their kind. */
export interface InventoryOutput {
  total: number;
  loginProfile: { count: number; ids: string[] };
  accessKeys: { count: number; ids: string[] };
  sshPublicKeys: { count: number; ids: string[] };
  signingCertificates: { count: number; ids: string[] };
  serviceSpecificCredentials: { count: number; ids: string[] };
  mfaDevices: { count: number; ids: string[]; devices: Array<{ serial: string; kind: MfaKind }> };
  groupMemberships: { count: number; ids: string[] };
  inlinePolicies: { count: number; ids: string[] };
  managedPolicies: { count: number; ids: string[] };
}

export function inventoryOutput(inventory: Inventory): InventoryOutput {
  const out = { total: flattenInventory(inventory).length } as InventoryOutput;
  for (const kind of DEPENDENCY_KINDS) {
    const items = inventory[kind.id] ?? [];
    const ids = items.map((i) => (i.kind === "serviceSpecificCredentials" && i.service ? `${i.service}/${i.id}` : i.id)).sort();
    (out as unknown as Record<string, unknown>)[kind.id] = { count: items.length, ids };
  }
  out.mfaDevices.devices = inventory.mfaDevices
    .map((d) => ({ serial: d.id, kind: d.mfaKind ?? "hardware" }))
    .sort((a, b) => a.serial.localeCompare(b.serial));
  return out;
}

export interface PlanStep {
  step: number;
  kind: KindId | "user";
  id: string;
  description: string;
  /** IAM calls, in order. */
  actions: string[];
}

/** The ordered plan a teardown follows: every removal (run concurrently), then DeleteUser. */
export function planSteps(userName: string, inventory: Inventory, deleteUser: boolean): PlanStep[] {
  const steps: PlanStep[] = flattenInventory(inventory).map((item, i) => ({
    step: i + 1,
    kind: item.kind,
    id: item.id,
    description: `remove ${describeItem(item)}`,
    actions: [...kindById(item.kind).removalActions(item)],
  }));
  if (deleteUser) steps.push({ step: steps.length + 1, kind: "user", id: userName, description: `delete IAM user ${userName}`, actions: ["DeleteUser"] });
  return steps;
}
