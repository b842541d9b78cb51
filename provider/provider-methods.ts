/**
 * What IamUserTeardown's provider does. The provider serialized into stack state (dynamic-provider.ts) loads this
 * module from the installed package at each call, so an upgrade reaches stacks created with an older version.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { keptLegacySettings, resolveConnection, RESOURCE_CONNECTION_KEYS, type StackConfigReader } from "./connection";
import { createContext, type CountingContext } from "./teardown/context";
import { discoverInventory, teardownUser } from "./teardown/engine";
import { resolveIdentity } from "./teardown/identity";
import { inventoryOutput, type InventoryOutput } from "./teardown/report";
import { applyUserSettings, createUser, readLiveUser, removePermissionsBoundary, type LiveUser, type UserSettings } from "./user-lifecycle";
import { INPUT_PROPERTIES, isUnknown, validateInputs } from "./validate";

/** Inputs after check: defaults filled in. */
export interface TeardownInputs {
  userName: string;
  path?: string;
  tags?: Record<string, string>;
  permissionsBoundary?: string;
  deleteUser: boolean;
  adopt: boolean;
  region?: string;
  profile?: string;
  roleArn?: string;
}

export interface TeardownOutputs extends TeardownInputs {
  /**
   * The shape of the record. Absent: written by a version that copied the stack's aws: config into region, profile
   * and roleArn. 2: region, profile and roleArn are the resource's own settings only.
   */
  stateVersion?: number;
  arn: string;
  userId: string;
  inventory: InventoryOutput;
}

type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Settings that change the user in place. */
const USER_SETTINGS = ["path", "tags", "permissionsBoundary"] as const;
/** Settings that change what delete does or how IAM is reached: an update of the recorded outputs, no AWS call. */
const BEHAVIOUR = ["deleteUser", ...RESOURCE_CONNECTION_KEYS] as const;
/** The record's current shape (see TeardownOutputs.stateVersion). */
export const STATE_VERSION = 2;

export async function check(_olds: Props, news: Props): Promise<dynamic.CheckResult> {
  const failures = validateInputs(news);
  if (failures.length > 0) return { inputs: news, failures };
  const inputs: Props = {};
  for (const key of INPUT_PROPERTIES) if (news[key] !== undefined) inputs[key] = news[key];
  inputs.deleteUser = news.deleteUser ?? true;
  // Companion mode manages a user created elsewhere: it always adopts.
  inputs.adopt = news.adopt ?? inputs.deleteUser === false;
  return { inputs };
}

const same = (a: unknown, b: unknown) => JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
function normalize(v: unknown): unknown {
  if (v && typeof v === "object" && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
  return v ?? null;
}

export async function diff(_id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
  const replaces = olds.userName !== news.userName ? ["userName"] : [];
  const changed = [...USER_SETTINGS, ...BEHAVIOUR].filter((k) => {
    if (isUnknown(news[k])) return true;
    if (k === "path") return (news.path ?? "/") !== (olds.path ?? "/");
    return !same(olds[k], news[k]);
  });
  return { changes: replaces.length + changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0, stables: ["userId", "arn"] };
}

function settingsOf(inputs: Props): UserSettings {
  return { path: inputs.path, tags: inputs.tags, permissionsBoundary: inputs.permissionsBoundary };
}

/**
 * The outputs Pulumi records. Properties without a value are left out: the provider host turns outputs into a
 * protobuf Struct, which rejects `undefined` ("Unexpected struct type"), so one unset boundary would fail the step.
 */
function outputs(inputs: Props, live: LiveUser, inventory: InventoryOutput): TeardownOutputs {
  return withoutUndefined({
    ...(inputs as TeardownInputs),
    userName: live.userName,
    path: live.path,
    tags: inputs.tags === undefined ? undefined : live.tags,
    permissionsBoundary: live.permissionsBoundary,
    arn: live.arn,
    userId: live.userId,
    inventory,
    stateVersion: STATE_VERSION,
  });
}

function withoutConnection(props: Props): Props {
  return Object.fromEntries(Object.entries(props).filter(([k]) => !(RESOURCE_CONNECTION_KEYS as readonly string[]).includes(k)));
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A record written before stateVersion 2 may hold the stack's aws: config of its day in region, profile and roleArn. */
const isLegacyRecord = (props: Props): boolean => props.stateVersion === undefined && props.arn !== undefined;

function connectionFor(props: Props, stackConfig?: StackConfigReader) {
  return resolveConnection(props, stackConfig, isLegacyRecord(props));
}

function contextFor(props: Props, stackConfig?: StackConfigReader): CountingContext {
  return createContext({ connection: connectionFor(props, stackConfig) });
}

/** Only deleteUser or the connection changed: the new settings are recorded without a call to IAM. */
function onlyRecordedSettingsChanged(olds: Props, news: Props): boolean {
  const user = (p: Props) => ({ userName: p.userName, path: p.path ?? "/", tags: p.tags ?? null, permissionsBoundary: p.permissionsBoundary ?? null });
  return same(user(olds), user(news)) && olds.adopt === news.adopt;
}

export async function create(inputs: Props, stackConfig?: StackConfigReader): Promise<dynamic.CreateResult> {
  const ctx = contextFor(inputs, stackConfig);
  if (inputs.adopt) {
    const live = await readLiveUser(ctx, inputs.userName);
    if (!live) throw new Error(`IAM user ${inputs.userName} does not exist, so it cannot be adopted (adopt: true${inputs.deleteUser === false ? ", implied by deleteUser: false" : ""}).`);
    const applied = await applyUserSettings(ctx, live, settingsOf(inputs));
    const inventory = inventoryOutput(await discoverInventory(ctx, applied.userName));
    return { id: applied.userName, outs: outputs(inputs, applied, inventory) };
  }
  const live = await createUser(ctx, inputs.userName, settingsOf(inputs));
  return { id: live.userName, outs: outputs(inputs, live, inventoryOutput(await discoverInventory(ctx, live.userName))) };
}

export async function update(_id: string, olds: Props, news: Props, stackConfig?: StackConfigReader): Promise<dynamic.UpdateResult> {
  if (onlyRecordedSettingsChanged(olds, news)) {
    const kept = Object.fromEntries(Object.entries(olds).filter(([k]) => !(k in news) && !(RESOURCE_CONNECTION_KEYS as readonly string[]).includes(k)));
    return { outs: withoutUndefined({ ...kept, ...news, stateVersion: STATE_VERSION }) };
  }
  const ctx = contextFor(news, stackConfig);
  const live = await readLiveUser(ctx, olds.userName);
  if (!live) throw new Error(`IAM user ${olds.userName} no longer exists; run pulumi refresh to drop it from the stack, then pulumi up to create it again.`);
  let applied = await applyUserSettings(ctx, live, settingsOf(news));
  if (news.permissionsBoundary === undefined && olds.permissionsBoundary !== undefined && live.permissionsBoundary !== undefined) {
    await removePermissionsBoundary(ctx, live.userName);
    applied = { ...applied, permissionsBoundary: undefined };
  }
  const since = Date.now();
  const inventory = await keepRecordedOrphans(ctx, olds.inventory, inventoryOutput(await discoverInventory(ctx, applied.userName)), since);
  return { outs: outputs(news, applied, inventory) };
}

/**
 * Refresh: the live user and what hangs on it now, so `pulumi preview --refresh --diff` shows what a destroy would
 * remove. A user gone out of band (or replaced by a different user under the same name) leaves the state.
 */
export async function read(id: string, props: Props, stackConfig?: StackConfigReader): Promise<dynamic.ReadResult> {
  const ctx = contextFor(props, stackConfig);
  let identity;
  try {
    identity = await resolveIdentity(ctx, props.userName ?? id, props.userId);
  } catch (err) {
    if ((err as Error).name === "IdentityMismatchError") return {};
    throw err;
  }
  if (identity.state === "gone") return {};
  const since = Date.now();
  const live = (await readLiveUser(ctx, identity.user.UserName!))!;
  const inventory = await keepRecordedOrphans(ctx, props.inventory, inventoryOutput(await discoverInventory(ctx, live.userName)), since);
  // A legacy record keeps only the connection settings the stack does not set now; the rest were the stack's own.
  const settings = isLegacyRecord(props) ? { ...withoutConnection(props), ...keptLegacySettings(props, stackConfig) } : props;
  const outs = outputs(settings, live, inventory);
  return { id: live.userName, props: outs };
}

/** An MFA device in the recorded inventory; `unassigned` marks a virtual device kept by keepRecordedOrphans. */
type RecordedMfaDevice = InventoryOutput["mfaDevices"]["devices"][number] & { unassigned?: boolean };

/**
 * Keeps, in a freshly listed inventory, the virtual MFA devices recorded as the user's that no longer hang on it but
 * still exist unassigned: an interrupted destroy deactivated them and did not get to delete them. Only the serials in
 * the stack lead the next destroy to them (as knownVirtualMfaSerials), so a refresh or update in between, which
 * Pulumi suggests after an interrupted run, must not forget them. They are counted (the destroy removes them) and
 * marked `unassigned: true`. Costs nothing unless a recorded virtual device is missing from the user's list.
 */
async function keepRecordedOrphans(ctx: CountingContext, recorded: unknown, current: InventoryOutput, since: number): Promise<InventoryOutput> {
  const devices = ((recorded as InventoryOutput | undefined)?.mfaDevices?.devices ?? []) as RecordedMfaDevice[];
  const listed = new Set(current.mfaDevices.devices.map((d) => d.serial));
  const candidates = devices.filter((d) => d.kind === "virtual" && !listed.has(d.serial)).map((d) => d.serial);
  const kept: RecordedMfaDevice[] = [];
  for (const serial of candidates) {
    if (await ctx.virtualMfa.isUnassignedVirtual(serial, since)) kept.push({ serial, kind: "virtual", unassigned: true });
  }
  if (kept.length === 0) return current;
  const all = [...current.mfaDevices.devices, ...kept].sort((a, b) => a.serial.localeCompare(b.serial));
  return {
    ...current,
    total: current.total + kept.length,
    mfaDevices: { count: all.length, ids: all.map((d) => d.serial).sort(), devices: all },
  };
}

export async function remove(_id: string, props: Props, stackConfig?: StackConfigReader, log?: (line: string) => void): Promise<void> {
  const inventory = props.inventory as InventoryOutput | undefined;
  await teardownUser({
    connection: connectionFor(props, stackConfig),
    userName: props.userName,
    expectedUserId: props.userId,
    deleteUser: props.deleteUser !== false,
    knownVirtualMfaSerials: inventory?.mfaDevices?.devices?.filter((d) => d.kind === "virtual").map((d) => d.serial) ?? [],
    log: log ?? ((line) => console.error(`iam-user-teardown: ${line}`)),
  });
}
