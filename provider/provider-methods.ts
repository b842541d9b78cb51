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
import { type CountingContext, createContext } from "./teardown/context";
import { withoutUndefined } from "./teardown/defined";
import { discoverInventory, teardownUser } from "./teardown/engine";
import { IdentityMismatchError } from "./teardown/errors";
import { resolveIdentity } from "./teardown/identity";
import { type InventoryOutput, inventoryOutput } from "./teardown/report";
import { recordedOrphans } from "./teardown/virtual-mfa";
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
   * and roleArn. 2: region, profile and roleArn are the resource's own settings only.
   */
  stateVersion?: number;
  arn: string;
  userId: string;
  inventory: InventoryOutput;
};

/**
 * What a stack recorded for the resource, which an older version of the package may have written: only userName is
 * sure to be there (an older state has no inventory, say).
 */
export type RecordedOutputs = Partial<TeardownOutputs> & Pick<TeardownOutputs, "userName">;

/** The resource's arguments as a program passed them, before check has validated them. */
export type RawInputs = Readonly<Record<string, unknown>>;

/** Settings that change the user in place. */
const USER_SETTINGS = ["path", "tags", "permissionsBoundary"] as const;
/** Settings that change what delete does or how IAM is reached: an update of the recorded outputs, no AWS call. */
const BEHAVIOUR = ["deleteUser", ...RESOURCE_CONNECTION_KEYS] as const;
/** The record's current shape (see TeardownOutputs.stateVersion). */
export const STATE_VERSION = 2;

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

export async function diff(_id: string, olds: RecordedOutputs, news: Partial<TeardownInputs>): Promise<dynamic.DiffResult> {
  const replaces = olds.userName !== news.userName ? ["userName"] : [];
  const changed = [...USER_SETTINGS, ...BEHAVIOUR].filter((k) => {
    if (isUnknown(news[k])) return true;
    if (k === "path") return (news.path ?? "/") !== (olds.path ?? "/");
    return !same(olds[k], news[k]);
  });
  return { changes: replaces.length + changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0, stables: ["userId", "arn"] };
}

function settingsOf(inputs: TeardownInputs): UserSettings {
  return { path: inputs.path, tags: inputs.tags, permissionsBoundary: inputs.permissionsBoundary };
}

/**
 * The outputs Pulumi records. Properties without a value are left out: the provider host turns outputs into a
 * protobuf Struct, which rejects `undefined` ("Unexpected struct type"), so one unset boundary would fail the step.
 */
function outputs(inputs: Partial<TeardownInputs>, live: LiveUser, inventory: InventoryOutput): TeardownOutputs {
  // On refresh `inputs` is the recorded state, as complete as the version that wrote it made it.
  return withoutUndefined<TeardownOutputs>({
    ...inputs,
    userName: live.userName,
    path: live.path,
    tags: inputs.tags === undefined ? undefined : live.tags,
    permissionsBoundary: live.permissionsBoundary,
    arn: live.arn,
    userId: live.userId,
    inventory,
    stateVersion: STATE_VERSION,
  } as TeardownOutputs);
}

/** A record written before stateVersion 2 may hold the stack's aws: config of its day in region, profile and roleArn. */
const isLegacyRecord = (props: Partial<TeardownOutputs>): boolean => props.stateVersion === undefined && props.arn !== undefined;

function contextFor(props: Partial<TeardownOutputs>, stackConfig?: StackConfigReader): CountingContext {
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
    const inventory = inventoryOutput(await discoverInventory(ctx, applied.userName));
    return { id: applied.userName, outs: outputs(inputs, applied, inventory) };
  }
  const live = await createUser(ctx, inputs.userName, settingsOf(inputs));
  return { id: live.userName, outs: outputs(inputs, live, inventoryOutput(await discoverInventory(ctx, live.userName))) };
}

export async function update(
  _id: string,
  olds: RecordedOutputs,
  news: TeardownInputs,
  stackConfig?: StackConfigReader,
): Promise<dynamic.UpdateResult<TeardownOutputs> & { outs: TeardownOutputs }> {
  if (onlyRecordedSettingsChanged(olds, news) && olds.arn !== undefined) {
    return { outs: withoutUndefined({ ...withoutConnection(olds), ...news, stateVersion: STATE_VERSION } as TeardownOutputs) };
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
  const since = Date.now();
  const inventory = await keepRecordedOrphans(ctx, olds.inventory, inventoryOutput(await discoverInventory(ctx, applied.userName)), since);
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
  let identity;
  try {
    identity = await resolveIdentity(ctx, props.userName ?? id, props.userId);
  } catch (err) {
    if (err instanceof IdentityMismatchError) return {};
    throw err;
  }
  if (identity.state === "gone") return {};
  const since = Date.now();
  const live = (await readLiveUser(ctx, identity.user.UserName!))!;
  const inventory = await keepRecordedOrphans(ctx, props.inventory, inventoryOutput(await discoverInventory(ctx, live.userName)), since);
  // A legacy record keeps only the connection settings the stack does not set now; the rest were the stack's own.
  const settings = isLegacyRecord(props) ? { ...withoutConnection(props), ...keptLegacySettings(props, stackConfig) } : props;
  return { id: live.userName, props: outputs(settings, live, inventory) };
}

/** An MFA device in the recorded inventory; `unassigned` marks a virtual device kept by keepRecordedOrphans. */
type RecordedMfaDevice = InventoryOutput["mfaDevices"]["devices"][number] & { unassigned?: boolean };

/** The virtual MFA serials an inventory recorded in the stack holds (an older version's may lack any of it). */
const recordedVirtualSerials = (recorded: InventoryOutput | undefined): string[] =>
  (recorded?.mfaDevices?.devices ?? []).filter((d) => d.kind === "virtual").map((d) => d.serial);

/**
 * Keeps, in a freshly listed inventory, the virtual MFA devices recorded as the user's that no longer hang on it but
 * still exist unassigned: an interrupted destroy deactivated them and did not get to delete them. Only the serials in
 * the stack lead the next destroy to them (as knownVirtualMfaSerials), so a refresh or update in between, which
 * Pulumi suggests after an interrupted run, must not forget them. They are counted (the destroy removes them) and
 * marked `unassigned: true`.
 */
async function keepRecordedOrphans(
  ctx: CountingContext,
  recorded: InventoryOutput | undefined,
  current: InventoryOutput,
  since: number,
): Promise<InventoryOutput> {
  const listed = current.mfaDevices.devices.map((d) => d.serial);
  const orphans = await recordedOrphans(ctx.virtualMfa, recordedVirtualSerials(recorded), listed, since);
  if (orphans.length === 0) return current;
  const kept: RecordedMfaDevice[] = orphans.map((serial) => ({ serial, kind: "virtual", unassigned: true }));
  const all = [...current.mfaDevices.devices, ...kept].sort((a, b) => a.serial.localeCompare(b.serial));
  return {
    ...current,
    total: current.total + kept.length,
    mfaDevices: { count: all.length, ids: all.map((d) => d.serial).sort(), devices: all },
  };
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
