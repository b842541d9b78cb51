import { DEPENDENCY_KINDS, type InventoryOutput, type KindId, kindById } from "./kinds";
import type { DependencyItem, DependencyKind, Inventory, KindRegistry } from "./types";

export function emptyInventory(registry: KindRegistry = DEPENDENCY_KINDS): Inventory {
  return Object.fromEntries(registry.map((k) => [k.id, []]));
}

/** Every item, in registry order. */
export function flattenInventory(inventory: Inventory, registry: KindRegistry = DEPENDENCY_KINDS): DependencyItem[] {
  return registry.flatMap((k) => inventory[k.id] ?? []);
}

const describeWith = (kind: DependencyKind, item: DependencyItem): string => kind.describe?.(item) ?? `${kind.singular} ${item.id}`;

export function describeItem(item: DependencyItem, registry: KindRegistry = DEPENDENCY_KINDS): string {
  return describeWith(kindById(item.kind, registry), item);
}

/** "2 access keys, 3 MFA devices (1 virtual, 1 hardware TOTP, 1 FIDO security key)". */
export function countByKind(items: readonly DependencyItem[], registry: KindRegistry = DEPENDENCY_KINDS): string {
  const parts: string[] = [];
  for (const kind of registry) {
    const of = items.filter((i) => i.kind === kind.id);
    if (of.length === 0) continue;
    const detail = kind.countDetail?.(of);
    parts.push(`${of.length} ${of.length === 1 ? kind.singular : kind.title}${detail === undefined ? "" : ` (${detail})`}`);
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
export function summarizeTeardown(r: SummaryInput, registry: KindRegistry = DEPENDENCY_KINDS): string {
  const who = `IAM user ${r.userName}${r.userId ? ` (${r.userId})` : ""}${r.renamedFrom ? `, formerly ${r.renamedFrom},` : ""}`;
  const verb = r.outcome === "deleted" ? "deleted" : r.outcome === "cleared" ? "cleared (user kept: deleteUser is false)" : "already gone";
  const extra = r.alreadyGone.length > 0 ? `; ${r.alreadyGone.length} listed item(s) were already gone` : "";
  return `${who} ${verb}: removed ${countByKind(r.removed, registry)}${extra}; ${r.rounds} round(s), ${r.apiCalls} API calls, ${r.durationMs} ms`;
}

export type { InventoryOutput };

/** The inventory as resource outputs show it. With another registry the entries are that registry's kinds. */
export function inventoryOutput(inventory: Inventory, registry: KindRegistry = DEPENDENCY_KINDS): InventoryOutput {
  const out: Record<string, unknown> = { total: flattenInventory(inventory, registry).length };
  for (const kind of registry) {
    const items = inventory[kind.id] ?? [];
    const ids = items.map((i) => kind.outputId?.(i) ?? i.id).sort();
    out[kind.id] = { count: items.length, ids, ...kind.outputExtra?.(items) };
  }
  return out as InventoryOutput;
}

export interface PlanStep {
  step: number;
  kind: KindId | "user" | (string & {});
  id: string;
  description: string;
  /** IAM calls, in order. */
  actions: string[];
}

/** The ordered plan a teardown follows: every removal (run concurrently), then DeleteUser. */
export function planSteps(
  userName: string,
  inventory: Inventory,
  deleteUser: boolean,
  registry: KindRegistry = DEPENDENCY_KINDS,
): PlanStep[] {
  const steps: PlanStep[] = flattenInventory(inventory, registry).map((item, i) => {
    const kind = kindById(item.kind, registry);
    return {
      step: i + 1,
      kind: item.kind,
      id: item.id,
      description: `remove ${describeWith(kind, item)}`,
      actions: [...kind.removalActions(item)],
    };
  });
  if (deleteUser)
    steps.push({ step: steps.length + 1, kind: "user", id: userName, description: `delete IAM user ${userName}`, actions: ["DeleteUser"] });
  return steps;
}
