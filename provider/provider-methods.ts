/**
 * What IamUserTeardown's provider does. The provider serialized into stack state (dynamic-provider.ts) loads this
 * module from the installed package at each call, so an upgrade reaches stacks created with an older version.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
  keptLegacySettings,
  RESOURCE_CONNECTION_KEYS,
  type ResourceConnection,
  resolveConnection,
  type StackConfigReader,
} from "./connection";
import { type InventoryOutputV2, recordedItems, recordedVirtualSerials } from "./recorded-inventory";
import { type CountingContext, createContext } from "./teardown/context";
import { withoutUndefined } from "./teardown/defined";
import { discoverInventory, teardownUser } from "./teardown/engine";
import { IdentityMismatchError } from "./teardown/errors";
import { resolveIdentity } from "./teardown/identity";
import { type InventoryOutput, inventoryOutput, inventorySummary } from "./teardown/report";
import type { Inventory, ListingMark } from "./teardown/types";
import { MFA_KIND_ID, recordedOrphans } from "./teardown/virtual-mfa";
import { applyUserSettings, createUser, type LiveUser, readLiveUser, removePermissionsBoundary, type UserSettings } from "./user-lifecycle";
import { INPUT_PROPERTIES, isUnknown, validateInputs } from "./validate";

/** Inputs after check: defaults filled in. (Type aliases, not interfaces: they must pass as plain records.) */
export type TeardownInputs = {
  userName: string;
  path?: string;
  tags?: Record<string, string>;
  permissionsBoundary?: string;
  deleteUser: boolean;
  adopt: boolean;
  region?: string;
  profile?: string;
  roleArn?: string;
};

export type TeardownOutputs = TeardownInputs & {
  /**
   * The shape of the record. Absent: written by a version that copied the stack's aws: config into region, profile
   * and roleArn. 2: region, profile and roleArn are the resource's own settings only. 3: besides, the inventory lists
   * only the kinds that hold something, one line each, and `summary` counts it. Records before 3 hold the inventory
   * as InventoryOutputV2 (recorded-inventory.ts reads both).
   */
  stateVersion?: number;
  arn: string;
  userId: string;
  /** What a destroy would remove, by kind; absent when nothing hangs on the user. */
  inventory?: InventoryOutput;
  /** The inventory in one line: "console password, 2 access keys, 1 virtual MFA device"; "nothing" when empty. */
  summary: string;
};

/**
 * What a stack recorded for the resource, which an older version of the package may have written: only userName is
 * sure to be there (an older state has no inventory, say, or one in the shape before stateVersion 3).
 */
export type RecordedOutputs = Partial<Omit<TeardownOutputs, "inventory">> &
  Pick<TeardownOutputs, "userName"> & { inventory?: InventoryOutput | InventoryOutputV2 };

/** The resource's arguments as a program passed them, before check has validated them. */
export type RawInputs = Readonly<Record<string, unknown>>;

/** Settings that change the user in place. */
const USER_SETTINGS = ["path", "tags", "permissionsBoundary"] as const;
/** Settings that change what delete does or how IAM is reached: an update of the recorded outputs, no AWS call. */
const BEHAVIOUR = ["deleteUser", ...RESOURCE_CONNECTION_KEYS] as const;
/** The record's current shape (see TeardownOutputs.stateVersion). */
export const STATE_VERSION = 3;

export async function check(_olds: RawInputs, news: RawInputs): Promise<dynamic.CheckResult<TeardownInputs> & { inputs: TeardownInputs }> {
  const failures = validateInputs(news);
  if (failures.length > 0) return { inputs: news as TeardownInputs, failures };
  const picked: Record<string, unknown> = {};
  for (const key of INPUT_PROPERTIES) if (news[key] !== undefined) picked[key] = news[key];
  // Validated above: every property has its declared type.
  const inputs = picked as TeardownInputs;
  inputs.deleteUser = (news.deleteUser as boolean | undefined) ?? true;
  // Companion mode manages a user created elsewhere: it always adopts.
  inputs.adopt = (news.adopt as boolean | undefined) ?? inputs.deleteUser === false;
  return { inputs };
}

const same = (a: unknown, b: unknown) => JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
function normalize(v: unknown): unknown {
  if (v && typeof v === "object" && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
  return v ?? null;
}

/** A property's change, by the names of Pulumi's provider protocol (PropertyDiff.Kind in @pulumi/pulumi/proto/provider_pb). */
export type PropertyDiffKind = "ADD" | "ADD_REPLACE" | "DELETE" | "DELETE_REPLACE" | "UPDATE" | "UPDATE_REPLACE";
export interface PropertyDiff {
  kind: PropertyDiffKind;
  /** False: the change is between the recorded state and the new inputs, as Pulumi hands them to a dynamic provider. */
  inputDiff: boolean;
}
/**
 * The dynamic DiffResult with the detailed diff Pulumi's provider protocol carries: per property path, whether it is
 * added, deleted or updated, and whether that forces a replacement. (@pulumi/pulumi 3.276's Node.js dynamic provider
 * host passes on changes, replaces and deleteBeforeReplace only; the engine then diffs the inputs itself.)
 */
export type DetailedDiffResult = dynamic.DiffResult & { detailedDiff: Record<string, PropertyDiff> };

/** A property path as Pulumi writes it: `tags.team`, `tags["cost-center"]`. */
const propertyPath = (parent: string, key: string): string =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;

function changeKind(old: unknown, news: unknown, replaces: boolean): PropertyDiffKind {
  const kind = old === undefined && !isUnknown(news) ? "ADD" : news === undefined ? "DELETE" : "UPDATE";
  return replaces ? `${kind}_REPLACE` : kind;
}

export async function diff(_id: string, olds: RecordedOutputs, news: Partial<TeardownInputs>): Promise<DetailedDiffResult> {
  const replaces = olds.userName !== news.userName ? ["userName"] : [];
  const changed = [...USER_SETTINGS, ...BEHAVIOUR].filter((k) => {
    if (isUnknown(news[k])) return true;
    if (k === "path") return (news.path ?? "/") !== (olds.path ?? "/");
    return !same(olds[k], news[k]);
  });
  const detailedDiff: Record<string, PropertyDiff> = {};
  const record = (path: string, old: unknown, value: unknown, replace = false) =>
    (detailedDiff[path] = { kind: changeKind(old, value, replace), inputDiff: false });
  if (replaces.length > 0) record("userName", olds.userName, news.userName, true);
  for (const k of changed) {
    const [old, value] = [olds[k], news[k]];
    // Tags tag by tag, so the preview names the tags that change.
    if (k === "tags" && old && value && typeof old === "object" && typeof value === "object" && !isUnknown(value)) {
      const [before, after] = [old as Record<string, unknown>, value as Record<string, unknown>];
      for (const tag of new Set([...Object.keys(before), ...Object.keys(after)])) {
        if (before[tag] !== after[tag]) record(propertyPath("tags", tag), before[tag], after[tag]);
      }
    } else if (k === "path") record(k, olds.path ?? "/", news.path ?? "/");
    else record(k, old, value);
  }
  return {
    changes: replaces.length + changed.length > 0,
    replaces,
    deleteBeforeReplace: replaces.length > 0,
    stables: ["userId", "arn"],
    detailedDiff,
  };
}

function settingsOf(inputs: TeardownInputs): UserSettings {
  return { path: inputs.path, tags: inputs.tags, permissionsBoundary: inputs.permissionsBoundary };
}

/**
 * The outputs Pulumi records. Properties without a value are left out: the provider host turns outputs into a
 * protobuf Struct, which rejects `undefined` ("Unexpected struct type"), so one unset boundary would fail the step.
 */
function outputs(inputs: Partial<TeardownInputs>, live: LiveUser, inventory: Inventory): TeardownOutputs {
  // On refresh `inputs` is the recorded state, as complete as the version that wrote it made it.
  return withoutUndefined<TeardownOutputs>({
    ...inputs,
    ...inventoryOutputs(inventory),
    userName: live.userName,
    path: live.path,
    tags: inputs.tags === undefined ? undefined : live.tags,
    permissionsBoundary: live.permissionsBoundary,
    arn: live.arn,
    userId: live.userId,
    stateVersion: STATE_VERSION,
  } as TeardownOutputs);
}

/** The `inventory` and `summary` outputs; the inventory is left out when empty, so a user with nothing shows only its summary. */
function inventoryOutputs(inventory: Inventory): Pick<TeardownOutputs, "inventory" | "summary"> {
  const listed = inventoryOutput(inventory);
  return { inventory: Object.keys(listed).length > 0 ? listed : undefined, summary: inventorySummary(inventory) };
}

/** A record written before stateVersion 2 may hold the stack's aws: config of its day in region, profile and roleArn. */
const isLegacyRecord = (props: Pick<RecordedOutputs, "stateVersion" | "arn">): boolean =>
  props.stateVersion === undefined && props.arn !== undefined;

function contextFor(
  props: ResourceConnection & Pick<RecordedOutputs, "stateVersion" | "arn">,
  stackConfig?: StackConfigReader,
): CountingContext {
  return createContext({ connection: resolveConnection(props, stackConfig, isLegacyRecord(props)) });
}

function withoutConnection<T extends object>(props: T): Omit<T, keyof ResourceConnection> {
  return Object.fromEntries(Object.entries(props).filter(([k]) => !(RESOURCE_CONNECTION_KEYS as readonly string[]).includes(k))) as Omit<
    T,
    keyof ResourceConnection
  >;
}

/** Only deleteUser or the connection changed: the new settings are recorded without a call to IAM. */
function onlyRecordedSettingsChanged(olds: RecordedOutputs, news: TeardownInputs): boolean {
  const user = (p: Partial<TeardownInputs>) => ({
    userName: p.userName,
    path: p.path ?? "/",
    tags: p.tags ?? null,
    permissionsBoundary: p.permissionsBoundary ?? null,
    adopt: p.adopt,
  });
  return same(user(olds), user(news));
}

export async function create(
  inputs: TeardownInputs,
  stackConfig?: StackConfigReader,
): Promise<dynamic.CreateResult<TeardownOutputs> & { outs: TeardownOutputs }> {
  const ctx = contextFor(inputs, stackConfig);
  if (inputs.adopt) {
    const live = await readLiveUser(ctx, inputs.userName);
    if (!live)
      throw new Error(
        `IAM user ${inputs.userName} does not exist, so it cannot be adopted (adopt: true${inputs.deleteUser === false ? ", implied by deleteUser: false" : ""}).`,
      );
    const applied = await applyUserSettings(ctx, live, settingsOf(inputs));
    return { id: applied.userName, outs: outputs(inputs, applied, await discoverInventory(ctx, applied.userName)) };
  }
  const live = await createUser(ctx, inputs.userName, settingsOf(inputs));
  return { id: live.userName, outs: outputs(inputs, live, await discoverInventory(ctx, live.userName)) };
}

export async function update(
  _id: string,
  olds: RecordedOutputs,
  news: TeardownInputs,
  stackConfig?: StackConfigReader,
): Promise<dynamic.UpdateResult<TeardownOutputs> & { outs: TeardownOutputs }> {
  if (onlyRecordedSettingsChanged(olds, news) && olds.arn !== undefined) {
    // The recorded inventory is carried over, rewritten in the current shape.
    const carried = {
      ...withoutConnection(olds),
      ...news,
      ...inventoryOutputs(recordedItems(olds.inventory)),
      stateVersion: STATE_VERSION,
    };
    return { outs: withoutUndefined(carried as TeardownOutputs) };
  }
  const ctx = contextFor(news, stackConfig);
  const live = await readLiveUser(ctx, olds.userName);
  if (!live)
    throw new Error(
      `IAM user ${olds.userName} no longer exists; run pulumi refresh to drop it from the stack, then pulumi up to create it again.`,
    );
  let applied = await applyUserSettings(ctx, live, settingsOf(news));
  if (news.permissionsBoundary === undefined && olds.permissionsBoundary !== undefined && live.permissionsBoundary !== undefined) {
    await removePermissionsBoundary(ctx, live.userName);
    applied = { ...applied, permissionsBoundary: undefined };
  }
  const since = ctx.virtualMfa.mark();
  const inventory = await keepRecordedOrphans(ctx, olds.inventory, await discoverInventory(ctx, applied.userName), since);
  return { outs: outputs(news, applied, inventory) };
}

/**
 * Refresh: the live user and what hangs on it now, so `pulumi preview --refresh --diff` shows what a destroy would
 * remove. A user gone out of band (or replaced by a different user under the same name) leaves the state.
 */
export async function read(
  id: string,
  props: RecordedOutputs,
  stackConfig?: StackConfigReader,
): Promise<dynamic.ReadResult<TeardownOutputs>> {
  const ctx = contextFor(props, stackConfig);
  let identity: Awaited<ReturnType<typeof resolveIdentity>>;
  const since = ctx.virtualMfa.mark();
  try {
    identity = await resolveIdentity(ctx, props.userName ?? id, props.userId);
  } catch (err) {
    if (err instanceof IdentityMismatchError) return leftBehind(ctx, id, props, stackConfig, since);
    throw err;
  }
  if (identity.state === "gone") return leftBehind(ctx, id, props, stackConfig, since);
  const live = (await readLiveUser(ctx, identity.user.UserName!))!;
  const inventory = await keepRecordedOrphans(ctx, props.inventory, await discoverInventory(ctx, live.userName), since);
  return { id: live.userName, props: outputs(recordedSettings(props, stackConfig), live, inventory) };
}

/** A legacy record keeps only the connection settings the stack does not set now; the rest were the stack's own. */
function recordedSettings(props: RecordedOutputs, stackConfig?: StackConfigReader): RecordedOutputs {
  return isLegacyRecord(props) ? { ...withoutConnection(props), ...keptLegacySettings(props, stackConfig) } : props;
}

/**
 * The user is gone. Deleting a virtual MFA device goes beside DeleteUser, so a destroy interrupted at that moment
 * leaves the deactivated device in the account, unassigned, and only the record leads the next destroy to it: while
 * such a device still exists the resource stays, holding only it. Otherwise the resource is gone.
 */
async function leftBehind(
  ctx: CountingContext,
  id: string,
  props: RecordedOutputs,
  stackConfig: StackConfigReader | undefined,
  since: ListingMark,
): Promise<dynamic.ReadResult<TeardownOutputs>> {
  const orphans = await keepRecordedOrphans(ctx, props.inventory, {}, since);
  if ((orphans[MFA_KIND_ID] ?? []).length === 0) return {};
  return {
    id,
    props: withoutUndefined<TeardownOutputs>({
      ...recordedSettings(props, stackConfig),
      ...inventoryOutputs(orphans),
      stateVersion: STATE_VERSION,
    } as TeardownOutputs),
  };
}

/**
 * Keeps, in a freshly listed inventory, the virtual MFA devices recorded as the user's that no longer hang on it but
 * still exist unassigned: an interrupted destroy deactivated them and did not get to delete them. Only the serials in
 * the stack lead the next destroy to them (as knownVirtualMfaSerials), so a refresh or update in between, which
 * Pulumi suggests after an interrupted run, must not forget them. They are counted (the destroy removes them) and
 * marked unassigned. The record may be in any shape an older version wrote.
 */
async function keepRecordedOrphans(
  ctx: CountingContext,
  recorded: RecordedOutputs["inventory"],
  current: Inventory,
  since: ListingMark,
): Promise<Inventory> {
  const listed = (current[MFA_KIND_ID] ?? []).map((d) => d.id);
  const orphans = await recordedOrphans(ctx.virtualMfa, recordedVirtualSerials(recorded), listed, since);
  if (orphans.length === 0) return current;
  const kept = orphans.map((serial) => ({ kind: MFA_KIND_ID, id: serial, mfaKind: "virtual" as const, unassigned: true }));
  return { ...current, [MFA_KIND_ID]: [...(current[MFA_KIND_ID] ?? []), ...kept] };
}

export async function remove(
  _id: string,
  props: RecordedOutputs,
  stackConfig?: StackConfigReader,
  log?: (line: string) => void,
): Promise<void> {
  await teardownUser({
    connection: resolveConnection(props, stackConfig, isLegacyRecord(props)),
    userName: props.userName,
    expectedUserId: props.userId,
    deleteUser: props.deleteUser !== false,
    knownVirtualMfaSerials: recordedVirtualSerials(props.inventory),
    log: log ?? ((line) => console.error(`iam-user-teardown: ${line}`)),
  });
}
