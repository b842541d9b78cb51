/**
 * Reads the inventory a stack recorded, in every shape a version of the package wrote, back into items, so that what
 * the teardown needs from state (the virtual MFA serials) survives an upgrade.
 */
import { DEPENDENCY_KINDS } from "./teardown/kinds";
import { parseMfaOutputId } from "./teardown/kinds/mfa-devices";
import { INVENTORY_SEPARATOR } from "./teardown/report";
import type { DependencyItem, Inventory, MfaKind } from "./teardown/types";
import { MFA_KIND_ID } from "./teardown/virtual-mfa";

/**
 * The inventory as records without a stateVersion, or with stateVersion 2, hold it: every kind with a count and
 * identifiers; MFA devices also as `devices`, a virtual one kept after an interrupted destroy marked `unassigned`.
 */
export type InventoryOutputV2 = { total?: number } & Record<
  string,
  { count?: number; ids?: string[]; devices?: Array<{ serial: string; kind: MfaKind; unassigned?: boolean }> } | number | undefined
>;

const isV2 = (recorded: object): recorded is InventoryOutputV2 => Object.values(recorded).some((v) => typeof v === "object" && v !== null);

/** The items a recorded inventory names, whatever its shape; an empty inventory when nothing was recorded. */
export function recordedItems(recorded: unknown): Inventory {
  const inventory: Inventory = {};
  if (typeof recorded !== "object" || recorded === null) return inventory;
  const kindIds = DEPENDENCY_KINDS.map((k) => k.id as string);
  for (const [kind, value] of Object.entries(recorded)) {
    if (!kindIds.includes(kind)) continue;
    let items: DependencyItem[] = [];
    if (isV2(recorded) && typeof value === "object" && value !== null) {
      const entry = value as { ids?: string[]; devices?: Array<{ serial: string; kind: MfaKind; unassigned?: boolean }> };
      items =
        kind === MFA_KIND_ID && entry.devices
          ? entry.devices.map((d) => ({ kind, id: d.serial, mfaKind: d.kind, ...(d.unassigned ? { unassigned: true } : {}) }))
          : (entry.ids ?? []).map((id) => ({ kind, id }));
    } else if (typeof value === "string" && value !== "") {
      const ids = value.split(INVENTORY_SEPARATOR);
      items =
        kind === MFA_KIND_ID
          ? ids.map(parseMfaOutputId).filter((d): d is DependencyItem => d !== undefined)
          : ids.map((id) => ({ kind, id }));
    }
    if (items.length > 0) inventory[kind] = items;
  }
  return inventory;
}

/** The virtual MFA serials a recorded inventory holds: only these lead a destroy to a device an interrupted one left unassigned. */
export const recordedVirtualSerials = (recorded: unknown): string[] =>
  (recordedItems(recorded)[MFA_KIND_ID] ?? []).filter((d) => d.mfaKind === "virtual").map((d) => d.id);
