/** The teardown engine: no Pulumi inside. The resource, the CLI and the benchmark all drive it. */
export { teardownUser, discoverInventory, TEARDOWN_DEFAULTS, type TeardownOptions, type TeardownReport } from "./engine";
export { planTeardown, type PlanOptions, type TeardownPlan } from "./plan";
export { createContext, type ContextOptions } from "./context";
export { IdentityMismatchError, MissingPermissionError, TeardownIncompleteError, type PartlyRemoved } from "./errors";
export { DEPENDENCY_KINDS } from "./kinds";
export { VirtualMfaIndex } from "./mfa-classifier";
export { inventoryOutput, planSteps, describeItem, countByKind, type InventoryOutput, type PlanStep } from "./report";
export type { DependencyItem, DependencyKind, Inventory, KindId, MfaKind } from "./types";
