/**
 * What IamUserTeardown's provider does. The provider serialized into stack state (dynamic-provider.ts) loads this
 * module from the installed package at each call, so an upgrade reaches stacks created with an older version.
 */

import type { User } from "@aws-sdk/client-iam";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { describeFailure } from "./aws/errors";
import { type Clock, systemClock } from "./clock";
import {
  keptLegacySettings,
  RESOURCE_CONNECTION_KEYS,
  type ResourceConnection,
  resolveConnection,
  type StackConfigReader,
} from "./connection";
import { type InventoryOutputV2, recordedItems, recordedVirtualSerials } from "./recorded-inventory";
import { recordWriterFor } from "./records/store";
import { activityLine, describeLastActivity, guardVerdict, parseInactivityWindow, readUserActivity } from "./teardown/activity";
import { type CountingContext, createContext } from "./teardown/context";
import { withoutUndefined } from "./teardown/defined";
import { discoverInventory, teardownUser } from "./teardown/engine";
import { getUserOrUndefined, type Identity, resolveIdentity } from "./teardown/identity";
import { disableUser, enableUser } from "./teardown/quarantine";
import { type InventoryOutput, inventoryOutput, inventorySummary } from "./teardown/report";
import type { Inventory, ListingMark } from "./teardown/types";
import { keepRecordedOrphans, MFA_KIND_ID } from "./teardown/virtual-mfa";
import {
  applyUserChanges,
  createUser,
  DEFAULT_PATH,
  type LiveUser,
  readLiveUser,
  type UserChanges,
  type UserSettings,
  withTags,
} from "./user-lifecycle";
import { INPUT_PROPERTIES, isUnknown, validateInputs } from "./validate";

/** Inputs after check: defaults filled in. (Type aliases, not interfaces: they must pass as plain records.) */
export type TeardownInputs = {
  userName: string;
  path?: string;
  tags?: Record<string, string>;
  permissionsBoundary?: string;
  deleteUser: boolean;
  adopt: boolean;
  /** With adopt: the UserId the existing user must have, so that adoption takes exactly that user. */
  adoptUserId?: string;
  /**
   * true: the user is quarantined (teardown/quarantine.ts: credentials Inactive, a deny-all policy); false, or dropped
   * after being declared: enabled again. Never declared: whether the user is disabled is left as it is.
   */
  disabled?: boolean;
  region?: string;
  profile?: string;
  roleArn?: string;
  /** The delete of a user with activity inside this window ("90d", "36h") is refused. Off when absent. */
  requireInactiveFor?: string;
  /** Where a destroy writes the user's record before its first removal: a directory, or s3://bucket/prefix/. */
  record?: string;
};

export type TeardownOutputs = TeardownInputs & {
  /**
   * The shape of the record. Absent: written by a version that copied the stack's aws: config into region, profile
   * and roleArn. 2: region, profile and roleArn are the resource's own settings only. 3: besides, the inventory lists
   * only the kinds that hold something, one line each, and `summary` counts it. Records before 3 hold the inventory
   * as InventoryOutputV2 (recorded-inventory.ts reads both). 4: besides, `declared` may say what the program declared.
   */
  stateVersion?: number;
  /**
   * Which of the user's settings the program declared, beside their live values in path, tags and
   * permissionsBoundary. A setting it declared and then dropped goes back to IAM's default (no boundary, no such tag,
   * path "/"); one it never declared is never changed. Absent (a record written before it): nothing counts as
   * declared, so nothing is ever removed on its account.
   */
  declared?: DeclaredSettings;
  arn: string;
  userId: string;
  /** What a destroy would remove, by kind; absent when nothing hangs on the user. */
  inventory?: InventoryOutput;
  /** The inventory in one line: "console password, 2 access keys, 1 virtual MFA device"; "nothing" when empty. */
  summary: string;
  /** The user's activity in one line (activityLine), as of the last create, update or refresh; why, when unknown. */
  activity?: string;
  /** When the user was disabled, as its reserved tags record it; absent when it is not disabled. */
  disabledSince?: string;
};

/**
 * What a stack recorded for the resource, which an older version of the package may have written: only userName is
 * sure to be there (an older state has no inventory, say, or one in the shape before stateVersion 3).
 */
export type RecordedOutputs = Partial<Omit<TeardownOutputs, "inventory">> &
  Pick<TeardownOutputs, "userName"> & { inventory?: InventoryOutput | InventoryOutputV2 };

/** The resource's arguments as a program passed them, before check has validated them. */
export type RawInputs = Readonly<Record<string, unknown>>;

/** Which settings the program declared: path and boundary, and the keys of the tags. */
export type DeclaredSettings = { path?: boolean; permissionsBoundary?: boolean; tags?: string[]; disabled?: boolean };

/** Settings that change the user in place. */
const USER_SETTINGS = ["userName", "path", "tags", "permissionsBoundary"] as const;
/** Settings that change what delete does or how IAM is reached: an update of the recorded outputs, no AWS call. */
const BEHAVIOUR = ["deleteUser", "requireInactiveFor", "record", ...RESOURCE_CONNECTION_KEYS] as const;
/** The record's current shape (see TeardownOutputs.stateVersion). */
export const STATE_VERSION = 4;

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
  const detailedDiff: Record<string, PropertyDiff> = {};
  const record = (path: string, old: unknown, value: unknown) =>
    (detailedDiff[path] = { kind: changeKind(old, value, false), inputDiff: false });
  const unknown = USER_SETTINGS.filter((k) => isUnknown(news[k]));
  for (const k of unknown) record(k, olds[k], news[k]);
  // A value unknown until the update runs is shown as an update of its own, never as a setting dropped.
  const known = (o: object) => Object.fromEntries(Object.entries(o).filter(([k]) => !(unknown as string[]).includes(k)));
  const changes = userChanges(recordedUser(olds), olds.declared && known(olds.declared), known(news));
  if (changes.newUserName !== undefined) record("userName", olds.userName, changes.newUserName);
  if (changes.newPath !== undefined) record("path", recordedUser(olds).path, changes.newPath);
  // Tags tag by tag, so the preview names the tags that change.
  for (const [tag, value] of Object.entries(changes.tagsToSet ?? {})) record(propertyPath("tags", tag), olds.tags?.[tag], value);
  for (const tag of changes.tagKeysToRemove ?? []) record(propertyPath("tags", tag), olds.tags?.[tag], undefined);
  if (changes.permissionsBoundary !== undefined)
    record("permissionsBoundary", olds.permissionsBoundary, changes.permissionsBoundary ?? undefined);
  for (const k of BEHAVIOUR) if (isUnknown(news[k]) || !same(olds[k], news[k])) record(k, olds[k], news[k]);
  // Disabling and enabling change the user in place: always an update ("~ disabled"), never an add or a delete.
  if (isUnknown(news.disabled) || quarantineChange(olds.disabledSince !== undefined, olds.declared, news) !== undefined)
    detailedDiff.disabled = { kind: "UPDATE", inputDiff: false };
  // What the program declares changed, though IAM need not (a setting declared with the value it already has, or
  // dropped where it was not set): recorded by an update without a call to IAM (any other change records it too), so
  // that dropping the setting later does what the program says whatever else changed alongside. A record without
  // `declared` stays without until the next update, and counts nothing as declared.
  const declaredChanged = unknown.length === 0 && olds.declared !== undefined && !same(olds.declared, declaredOf(news));
  if (Object.keys(detailedDiff).length === 0 && declaredChanged) record("declared", olds.declared, declaredOf(news));
  return {
    changes: Object.keys(detailedDiff).length > 0,
    replaces: [],
    deleteBeforeReplace: false,
    // A rename keeps the UserId; the ARN carries the name and path.
    stables: ["userId"],
    detailedDiff,
  };
}

/** The user as the record describes it: its live settings as of the last create, update or refresh. */
function recordedUser(olds: RecordedOutputs): Pick<LiveUser, "userName" | "path" | "tags" | "permissionsBoundary"> {
  return { userName: olds.userName, path: olds.path ?? DEFAULT_PATH, tags: olds.tags ?? {}, permissionsBoundary: olds.permissionsBoundary };
}

/** Which settings `inputs` declares. */
function declaredOf(inputs: Partial<TeardownInputs>): DeclaredSettings {
  return withoutUndefined<DeclaredSettings>({
    path: inputs.path !== undefined || undefined,
    permissionsBoundary: inputs.permissionsBoundary !== undefined || undefined,
    tags: inputs.tags === undefined ? undefined : Object.keys(inputs.tags).sort(),
    disabled: inputs.disabled !== undefined || undefined,
  });
}

/**
 * Whether the user must be disabled (true) or enabled (false) to be what the program declares; undefined when it
 * already is. A program that never declared `disabled` leaves the user as the CLI or a person made it; one that
 * declared it and then dropped it enables the user.
 */
function quarantineChange(isDisabled: boolean, declared: DeclaredSettings | undefined, news: Partial<TeardownInputs>): boolean | undefined {
  if (isUnknown(news.disabled)) return undefined;
  const target = news.disabled ?? (declared?.disabled ? false : undefined);
  return target === undefined || target === isDisabled ? undefined : target;
}

/** Disables or enables the user through the engine, logging each item switched and each left; returns disabledSince. */
async function setDisabled(ctx: CountingContext, live: LiveUser, disabled: boolean): Promise<string | undefined> {
  const log = (line: string) => console.error(`iam-user-teardown: ${line}`);
  const options = { client: ctx.client, userName: live.userName, expectedUserId: live.userId, log };
  const report = disabled ? await disableUser(options) : await enableUser(options);
  for (const line of report.left) log(`${live.userName}: ${line}`);
  return report.disabledSince;
}

/**
 * What must change on `current` for it to be what the program declares: what it declares now is applied, what it
 * declared before (`declared`, from the record) and dropped goes back to IAM's default, and what it never declared is
 * left alone, so adopting a user, or standing beside the resource that owns it, never removes a boundary or a tag
 * that someone else manages. Undefined inputs count as not declared (an unknown value in a preview is passed so).
 */
function userChanges(
  current: Pick<LiveUser, "userName" | "path" | "tags" | "permissionsBoundary">,
  declared: DeclaredSettings | undefined,
  news: Partial<TeardownInputs>,
): UserChanges {
  const changes: UserChanges = {};
  if (news.userName !== undefined && news.userName !== current.userName) changes.newUserName = news.userName;
  const path = news.path ?? (declared?.path ? DEFAULT_PATH : undefined);
  if (path !== undefined && path !== current.path) changes.newPath = path;
  const tagsToSet = Object.fromEntries(Object.entries(news.tags ?? {}).filter(([k, v]) => current.tags[k] !== v));
  if (Object.keys(tagsToSet).length > 0) changes.tagsToSet = tagsToSet;
  const dropped = (declared?.tags ?? []).filter((k) => !(news.tags && k in news.tags) && k in current.tags);
  if (dropped.length > 0) changes.tagKeysToRemove = dropped;
  if (news.permissionsBoundary !== undefined) {
    if (news.permissionsBoundary !== current.permissionsBoundary) changes.permissionsBoundary = news.permissionsBoundary;
  } else if (declared?.permissionsBoundary && current.permissionsBoundary !== undefined) changes.permissionsBoundary = null;
  return changes;
}

const hasChanges = (changes: UserChanges): boolean => Object.keys(changes).length > 0;

function settingsOf(inputs: TeardownInputs): UserSettings {
  return { path: inputs.path, tags: inputs.tags, permissionsBoundary: inputs.permissionsBoundary };
}

/**
 * The outputs Pulumi records. Properties without a value are left out: the provider host turns outputs into a
 * protobuf Struct, which rejects `undefined` ("Unexpected struct type"), so one unset boundary would fail the step.
 */
function outputs(
  inputs: Partial<TeardownInputs> & Pick<Partial<TeardownOutputs>, "activity">,
  live: LiveUser,
  inventory: Inventory,
  declared: DeclaredSettings | undefined,
  activity?: string,
): TeardownOutputs {
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
    disabledSince: live.disabledSince,
    declared,
    activity: activity ?? inputs.activity,
    stateVersion: STATE_VERSION,
  } as TeardownOutputs);
}

/**
 * The `activity` output: read with the user (activity.ts), one line. Reading it never fails the step that asks (a
 * policy without the activity actions, a job that does not complete): the line then says why it is unknown.
 */
async function activityOutput(ctx: CountingContext, user: User, inventory: Inventory): Promise<string> {
  try {
    return activityLine(await readUserActivity(ctx, user, { inventory }));
  } catch (err) {
    return `unknown: ${describeFailure(err)}`;
  }
}

/**
 * requireInactiveFor: before anything of the user is touched, its activity is read; inside the window the delete is
 * refused, naming what was used when and both ways on (Pulumi applies the value recorded at the last up, and starts
 * no further deletes after a failure unless --continue-on-error).
 */
async function refuseIfActive(props: RecordedOutputs, stackConfig: StackConfigReader | undefined, clock: Clock): Promise<void> {
  const window = props.requireInactiveFor;
  if (window === undefined) return;
  const windowMs = parseInactivityWindow(window);
  const ctx = contextFor(props, stackConfig);
  const identity = await resolveIdentity(ctx, props.userName, props.userId);
  // Gone, or only a different user under the name: the teardown itself says what it does (it never touches another).
  if (identity.state === "gone") return;
  const activity = await readUserActivity(ctx, identity.user, { clock });
  const now = clock.now();
  const mark = guardVerdict(activity, windowMs, now);
  if (!mark) return;
  throw new Error(
    `refusing to delete IAM user ${identity.user.UserName}: ${describeLastActivity(mark, now)}, inside requireInactiveFor ${window}; nothing was changed. ` +
      "To let it go: lower or remove requireInactiveFor in the program and run `pulumi up` (Pulumi applies the value recorded at the last up), then destroy again. " +
      "To remove the other users in this run: `pulumi destroy --continue-on-error`.",
  );
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

/**
 * A create that fails once the user is ours (created, or adopted and partly changed) still records it, so the stack,
 * not the account alone, holds it: Pulumi's dynamic provider host reports an error carrying an id and properties as
 * a resource that exists but failed to initialise, keeps it in the stack, and the next `pulumi up` updates it.
 */
function keptInStack(err: unknown, id: string, properties: TeardownOutputs & Record<string, unknown>): Error {
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(`${message} (IAM user ${id} is in the stack; run pulumi up again to finish)`), {
    id,
    properties,
    reasons: [message],
  });
}

export async function create(
  inputs: TeardownInputs,
  stackConfig?: StackConfigReader,
): Promise<dynamic.CreateResult<TeardownOutputs> & { outs: TeardownOutputs }> {
  const ctx = contextFor(inputs, stackConfig);
  const declared = declaredOf(inputs);
  if (inputs.adopt) {
    const live = await readLiveUser(ctx, inputs.userName);
    if (!live)
      throw new Error(
        `IAM user ${inputs.userName} does not exist, so it cannot be adopted (adopt: true${inputs.deleteUser === false ? ", implied by deleteUser: false" : ""}).`,
      );
    if (inputs.adoptUserId !== undefined && live.userId !== inputs.adoptUserId)
      throw new Error(
        `refusing to adopt IAM user ${inputs.userName}: it is UserId ${live.userId}, not ${inputs.adoptUserId} (adoptUserId). Nothing was changed.`,
      );
    // Adoption applies only what the program declares: nothing was declared before it.
    const changes = userChanges(live, undefined, { ...inputs, userName: undefined });
    try {
      const applied = await applyUserChanges(ctx, live, changes);
      const toggle = quarantineChange(live.disabledSince !== undefined, undefined, inputs);
      if (toggle !== undefined) applied.disabledSince = await setDisabled(ctx, applied, toggle);
      const inventory = await discoverInventory(ctx, applied.userName);
      const activity = await activityOutput(ctx, await userRecordOf(ctx, applied), inventory);
      return { id: applied.userName, outs: outputs(inputs, applied, inventory, declared, activity) };
    } catch (err) {
      throw keptInStack(err, live.userName, { ...inputs, ...outputs(inputs, live, {}, declared) });
    }
  }
  const live = await createUser(ctx, inputs.userName, settingsOf(inputs));
  // A user IAM has just created holds nothing and has not been used: no list is needed (and none can fail on IAM's
  // eventual consistency), and its activity is its creation.
  // IAM's CreateDate, as a refresh will read it: the output does not change on the first refresh.
  const created = (live.createDate ?? new Date()).toISOString();
  const activity = activityLine({
    userName: live.userName,
    created,
    credentials: [],
    services: [],
    lastActivity: { date: created, source: "created" },
  });
  if (inputs.disabled !== true) return { id: live.userName, outs: outputs(inputs, live, {}, declared, activity) };
  try {
    live.disabledSince = await setDisabled(ctx, live, true);
    return { id: live.userName, outs: outputs(inputs, live, await discoverInventory(ctx, live.userName), declared, activity) };
  } catch (err) {
    throw keptInStack(err, live.userName, { ...inputs, ...outputs(inputs, live, {}, declared, activity) });
  }
}

export async function update(
  _id: string,
  olds: RecordedOutputs,
  news: TeardownInputs,
  stackConfig?: StackConfigReader,
): Promise<dynamic.UpdateResult<TeardownOutputs> & { outs: TeardownOutputs }> {
  const quarantineUnchanged = quarantineChange(olds.disabledSince !== undefined, olds.declared, news) === undefined;
  if (!hasChanges(userChanges(recordedUser(olds), olds.declared, news)) && quarantineUnchanged && olds.arn !== undefined) {
    // Only deleteUser or the connection changed: recorded without a call to IAM, the inventory rewritten in the
    // current shape.
    const carried = {
      ...withoutConnection(olds),
      ...news,
      ...inventoryOutputs(recordedItems(olds.inventory)),
      declared: declaredOf(news),
      stateVersion: STATE_VERSION,
    };
    return { outs: withoutUndefined(carried as TeardownOutputs) };
  }
  const ctx = contextFor(news, stackConfig);
  const live = await withTags(ctx, userToUpdate(olds, await resolveIdentity(ctx, olds.userName, olds.userId)));
  const changes = userChanges(live, olds.declared, news);
  if (changes.newUserName !== undefined && news.deleteUser === false)
    throw new Error(
      `IAM user ${live.userName} (${live.userId}) is declared as ${news.userName} in companion mode (deleteUser: false), which never renames ` +
        `a user: the resource that owns it renames it, and this one follows. Nothing was changed.`,
    );
  const applied = await applyUserChanges(ctx, live, changes);
  const toggle = quarantineChange(live.disabledSince !== undefined, olds.declared, news);
  if (toggle !== undefined) applied.disabledSince = await setDisabled(ctx, applied, toggle);
  const since = ctx.virtualMfa.mark();
  const inventory = await keepRecordedOrphans(
    ctx.virtualMfa,
    recordedVirtualSerials(olds.inventory),
    await discoverInventory(ctx, applied.userName),
    since,
  );
  const activity = await activityOutput(ctx, await userRecordOf(ctx, applied), inventory);
  return { outs: outputs({ ...news, activity: olds.activity }, applied, inventory, declaredOf(news), activity) };
}

/** The user an update may change: the recorded UserId, under its name or renamed out of band; never another user. */
function userToUpdate(olds: RecordedOutputs, identity: Identity) {
  const recorded = `IAM user ${olds.userName}${olds.userId ? ` (${olds.userId})` : ""}`;
  if (identity.state !== "present" && identity.nameHeldBy !== undefined)
    throw new Error(
      `refusing to update ${recorded}: the name now belongs to a different user (UserId ${identity.nameHeldBy}), and ` +
        (identity.state === "renamed"
          ? `the recorded user is now named ${identity.user.UserName}`
          : `the recorded user ${olds.userId} no longer exists`) +
        `. Nothing was changed. Run pulumi refresh to bring the stack up to date (it never records the other user).`,
    );
  if (identity.state === "gone")
    throw new Error(`${recorded} no longer exists; run pulumi refresh to drop it from the stack, then pulumi up to create it again.`);
  return identity.user;
}

/**
 * Refresh: the live user and what hangs on it now, so `pulumi preview --refresh --diff` shows what a destroy would
 * remove. The recorded UserId decides who that is: renamed out of band, the user is followed under its new name; gone
 * (even with a different user under the name, who is never recorded), it leaves the state.
 */
export async function read(
  id: string,
  props: RecordedOutputs,
  stackConfig?: StackConfigReader,
): Promise<dynamic.ReadResult<TeardownOutputs>> {
  const ctx = contextFor(props, stackConfig);
  const since = ctx.virtualMfa.mark();
  const identity = await resolveIdentity(ctx, props.userName ?? id, props.userId);
  if (identity.state === "gone") return leftBehind(ctx, id, props, stackConfig, since);
  const live = await withTags(ctx, identity.user);
  const inventory = await keepRecordedOrphans(
    ctx.virtualMfa,
    recordedVirtualSerials(props.inventory),
    await discoverInventory(ctx, live.userName),
    since,
  );
  const activity = await activityOutput(ctx, identity.user, inventory);
  return { id, props: outputs(recordedSettings(props, stackConfig), live, inventory, props.declared, activity) };
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
  const orphans = await keepRecordedOrphans(ctx.virtualMfa, recordedVirtualSerials(props.inventory), {}, since);
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

export async function remove(
  _id: string,
  props: RecordedOutputs,
  stackConfig?: StackConfigReader,
  log?: (line: string) => void,
  clock: Clock = systemClock,
): Promise<void> {
  await refuseIfActive(props, stackConfig, clock);
  await teardownUser({
    connection: resolveConnection(props, stackConfig, isLegacyRecord(props)),
    userName: props.userName,
    expectedUserId: props.userId,
    deleteUser: props.deleteUser !== false,
    knownVirtualMfaSerials: recordedVirtualSerials(props.inventory),
    log: log ?? ((line) => console.error(`iam-user-teardown: ${line}`)),
    // The record as the last up recorded it: Pulumi hands a destroy the inputs of the last up, not the program's.
    record: props.record === undefined ? undefined : recordWriterFor(props.record, { region: props.region }),
  });
}

/** The user as GetUser answers it (creation and console password dates), for its activity after a change. */
async function userRecordOf(ctx: CountingContext, live: LiveUser): Promise<User> {
  const user = await getUserOrUndefined(ctx, live.userName);
  return user?.UserId === live.userId
    ? user
    : { UserName: live.userName, UserId: live.userId, Arn: live.arn, Path: live.path, CreateDate: undefined };
}
