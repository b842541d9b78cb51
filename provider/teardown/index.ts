/** The teardown engine: no Pulumi inside. The resource, the CLI and the benchmark all drive it. */
export { teardownUser, discoverInventory, TEARDOWN_DEFAULTS, type TeardownOptions, type TeardownReport } from "./engine";
export { planTeardown, type PlanOptions, type TeardownPlan } from "./plan";
export { createContext, type ContextOptions } from "./context";
export { IdentityMismatchError, MissingPermissionError, TeardownIncompleteError, type PartlyRemoved } from "./errors";
export { DEPENDENCY_KINDS, type KindId } from "./kinds";
export { VirtualMfaIndex } from "./virtual-mfa";
export { inventoryOutput, inventoryDetail, inventorySummary, tallyInventory, tallyWords, planSteps, describeItem, countByKind, type InventoryDetail, type InventoryOutput, type TallyCount, type PlanStep } from "./report";
export { defineKind, type Tally, type DependencyItem, type DependencyKind, type Inventory, type KindRegistry, type MfaKind } from "./types";
