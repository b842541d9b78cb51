/** The teardown engine: no Pulumi inside. The resource, the CLI and the benchmark all drive it. */

export {
  ACTIVITY_DEFAULTS,
  type ActivityMark,
  type ActivityOptions,
  ActivityUnknownError,
  activeWithin,
  activityActions,
  activityLine,
  describeLastActivity,
  guardVerdict,
  parseInactivityWindow,
  readUserActivity,
  type UserActivity,
} from "./activity";
export { type ContextOptions, createContext } from "./context";
export { discoverInventory, TEARDOWN_DEFAULTS, type TeardownOptions, type TeardownReport, teardownUser } from "./engine";
export { IdentityMismatchError, MissingPermissionError, type PartlyRemoved, TeardownIncompleteError } from "./errors";
export { DEPENDENCY_KINDS, type KindId } from "./kinds";
export { type PlanOptions, planTeardown, type TeardownPlan } from "./plan";
export {
  DENY_ALL_POLICY_NAME,
  disabledSinceOf,
  disableUser,
  enableUser,
  isReservedTagKey,
  QUARANTINE_POLICY_NAME,
  QUARANTINE_TAG_PREFIX,
  type QuarantineOptions,
  QuarantineRefusedError,
  type QuarantineReport,
  readQuarantineRecord,
} from "./quarantine";
export {
  accountOfArn,
  RECORD_VERSION,
  type RecordedTeardown,
  type RecordedUser,
  RecordNotWrittenError,
  type RecordWriter,
  recordName,
  recordReadActions,
  type UserRecord,
} from "./record";
export {
  countByKind,
  describeItem,
  type InventoryDetail,
  type InventoryOutput,
  inventoryDetail,
  inventoryOutput,
  inventorySummary,
  type PlanStep,
  planSteps,
  type TallyCount,
  tallyInventory,
  tallyWords,
} from "./report";
export {
  type DependencyItem,
  type DependencyKind,
  defineKind,
  type Inventory,
  type ItemLastUse,
  type KindRegistry,
  type KindRestore,
  type ListingMark,
  type MfaKind,
  type RecordEntry,
  type RecreatedItem,
  type Tally,
} from "./types";
export { VirtualMfaIndex } from "./virtual-mfa";
