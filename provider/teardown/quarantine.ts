/**
 * A reversible quarantine ("disable first, delete later"): every Active credential that can be switched off is set
 * Inactive, and a deny-all policy goes on the user; enable puts back exactly what was Active and takes the deny-all
 * away. What was Active, and since when, is kept on the user itself, in tags under a reserved prefix, so whichever
 * tool disabled a user (the resource, the CLI, on any machine), any other can enable it. No Pulumi here.
 *
 * The console password is kept (deleting it cannot be undone: sign-in still works, every action after it is denied);
 * MFA devices, groups and policies are left as they are.
 */
import {
  AttachUserPolicyCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetAccountSummaryCommand,
  type GetAccountSummaryCommandOutput,
  GetUserPolicyCommand,
  type GetUserPolicyCommandOutput,
  type IAMClient,
  ListUserTagsCommand,
  type ListUserTagsCommandOutput,
  PutUserPolicyCommand,
  TagUserCommand,
  UntagUserCommand,
  type User,
} from "@aws-sdk/client-iam";
import type { AwsConnection } from "../aws/client";
import { errorMessage, isAccessDenied, isNoSuchEntity } from "../aws/errors";
import { type Clock, systemClock } from "../clock";
import { type CountingContext, createContext } from "./context";
import { confirmIdentity, resolveIdentity } from "./identity";
import { DEPENDENCY_KINDS } from "./kinds";
import { inlinePolicies } from "./kinds/inline-policies";
import { managedPolicies } from "./kinds/managed-policies";
import { listAllPages } from "./paging";
import { describeItem } from "./report";
import type { DependencyItem, KindRegistry } from "./types";

/** Tags under this prefix are the quarantine's record: the resource never manages them, a person should not edit them. */
export const QUARANTINE_TAG_PREFIX = "iam-user-teardown:";
/** The inline deny-all policy a quarantine puts on the user. */
export const QUARANTINE_POLICY_NAME = "iam-user-teardown-quarantine";
/** AWS's managed deny-all, attached instead when the user's inline policies leave no room. */
export const DENY_ALL_POLICY_NAME = "AWSDenyAll";

const SINCE_TAG = `${QUARANTINE_TAG_PREFIX}disabled-since`;
const DENY_TAG = `${QUARANTINE_TAG_PREFIX}deny`;
const WAS_ACTIVE_TAG = `${QUARANTINE_TAG_PREFIX}was-active:`;

/** IAM's tag limits: 50 a user, values up to 256 characters. */
const MAX_TAGS = 50;
const MAX_TAG_VALUE = 256;
/** A user's inline policies share this many characters, whitespace not counted (a fixed IAM quota). */
const INLINE_POLICY_CHARACTERS = 2048;

export const DENY_ALL_DOCUMENT = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "DisabledByIamUserTeardown", Effect: "Deny", Action: "*", Resource: "*" }],
});

/**
 * How the deny-all is in place: "inline" the quarantine's own inline policy, "AWSDenyAll" attached by the quarantine,
 * "AWSDenyAll-before" attached already before the quarantine (someone else's: enable leaves it).
 */
export type DenyMode = "inline" | "AWSDenyAll" | "AWSDenyAll-before";

/** What the tags record: when the user was disabled, how it is denied, and which items were Active then. */
export interface QuarantineRecord {
  since: string;
  deny: DenyMode;
  wasActive: Array<{ kind: string; id: string }>;
}

export const isReservedTagKey = (key: string): boolean => key.startsWith(QUARANTINE_TAG_PREFIX);

/** The record the user's tags hold, or undefined when the user is not disabled. */
export function readQuarantineRecord(tags: Readonly<Record<string, string>>): QuarantineRecord | undefined {
  const since = tags[SINCE_TAG];
  if (since === undefined) return undefined;
  const chunks = Object.keys(tags)
    .filter((k) => k.startsWith(WAS_ACTIVE_TAG))
    .sort((a, b) => Number(a.slice(WAS_ACTIVE_TAG.length)) - Number(b.slice(WAS_ACTIVE_TAG.length)));
  const wasActive = chunks
    .flatMap((k) => tags[k].split(" "))
    .filter((entry) => entry.includes("/"))
    .map((entry) => ({ kind: entry.slice(0, entry.indexOf("/")), id: entry.slice(entry.indexOf("/") + 1) }));
  const deny = tags[DENY_TAG];
  return { since, deny: deny === "AWSDenyAll" || deny === "AWSDenyAll-before" ? deny : "inline", wasActive };
}

/** The record as tags: "kind/id" entries, space-separated (IAM tag values take no commas), in values of 256 at most. */
export function quarantineTags(record: QuarantineRecord): Record<string, string> {
  const tags: Record<string, string> = { [SINCE_TAG]: record.since, [DENY_TAG]: record.deny };
  let chunk = "";
  let n = 0;
  for (const { kind, id } of record.wasActive) {
    const entry = `${kind}/${id}`;
    if (chunk !== "" && chunk.length + 1 + entry.length > MAX_TAG_VALUE) {
      tags[`${WAS_ACTIVE_TAG}${++n}`] = chunk;
      chunk = "";
    }
    chunk = chunk === "" ? entry : `${chunk} ${entry}`;
  }
  if (chunk !== "") tags[`${WAS_ACTIVE_TAG}${++n}`] = chunk;
  return tags;
}

/** When the user was disabled, from its tags; undefined when it is not. */
export function disabledSinceOf(tags: Readonly<Record<string, string>>): string | undefined {
  return tags[SINCE_TAG];
}

/**
 * A permission the quarantine needs is missing. What was done before stopping is recorded on the user (the record
 * goes first), so running again once the permission is granted completes it.
 */
export class QuarantinePermissionError extends Error {
  override readonly name = "QuarantinePermissionError";
  constructor(
    readonly userName: string,
    readonly action: string,
    verb: "disabling" | "enabling",
    detail: string,
  ) {
    super(
      `${verb} IAM user ${userName} needs permission iam:${action}, which the caller does not have (${detail}). ` +
        `Run it again once the permission is granted: it completes what was begun.`,
    );
  }
}

/** Runs a quarantine step, turning a refused call into the permission it needs, by name. */
async function namingPermissions<T>(userName: string, verb: "disabling" | "enabling", run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const action = (err as { iamAction?: string }).iamAction;
    if (isAccessDenied(err) && action) throw new QuarantinePermissionError(userName, action, verb, errorMessage(err));
    throw err;
  }
}

/** A quarantine that cannot be done as asked; nothing was changed. */
export class QuarantineRefusedError extends Error {
  override readonly name = "QuarantineRefused";
}

export interface QuarantineOptions {
  client?: IAMClient;
  connection?: AwsConnection;
  userName: string;
  /** The UserId the user must have: a rename is followed, another user under the name is refused. */
  expectedUserId?: string;
  /** Whose time "disabled since" is. */
  clock?: Clock;
  log?: (line: string) => void;
  registry?: KindRegistry;
}

export interface QuarantineReport {
  userName: string;
  userId: string;
  arn: string;
  /** After disable: when the user was disabled (the first time, if disabled twice); after enable: undefined. */
  disabledSince?: string;
  /** Items whose status this run changed (deactivated by disable, reactivated by enable), in words. */
  switched: string[];
  /** Items left as they are, each in words with why (Expired, created while disabled, gone since). */
  left: string[];
  deny: DenyMode | "none";
  /** Whether this run changed anything at all (false: disabled twice, or enabled when not disabled). */
  changed: boolean;
  apiCalls: number;
}

interface Subject {
  ctx: CountingContext;
  user: User;
  userName: string;
  items: DependencyItem[];
  inline: string[];
  attached: string[];
  tags: Record<string, string>;
  denyAllArn: string;
}

/** The user (identity first), its switchable credentials with their status, its policies and its tags. */
async function look(options: QuarantineOptions): Promise<Subject> {
  const ctx = createContext({ client: options.client, connection: options.connection });
  const identity = await resolveIdentity(ctx, options.userName, options.expectedUserId);
  if (identity.state === "gone")
    throw new QuarantineRefusedError(
      `IAM user ${options.userName}${options.expectedUserId ? ` (${options.expectedUserId})` : ""} does not exist${identity.nameHeldBy ? ` (the name now belongs to UserId ${identity.nameHeldBy})` : ""}. Nothing was changed.`,
    );
  const user = identity.user;
  const userName = user.UserName!;
  const switchable = (options.registry ?? DEPENDENCY_KINDS).filter((k) => k.statusSwitch);
  const [lists, inline, attached, tagList] = await Promise.all([
    Promise.all(switchable.map((k) => k.list(ctx, userName))),
    inlinePolicies.list(ctx, userName),
    managedPolicies.list(ctx, userName),
    listAllPages(
      (Marker) => ctx.send<ListUserTagsCommandOutput>(new ListUserTagsCommand({ UserName: userName, Marker })),
      (page) => page.Tags,
    ),
  ]);
  const partition = /^arn:([^:]+):/.exec(user.Arn ?? "")?.[1] ?? "aws";
  return {
    ctx,
    user,
    userName,
    items: lists.flat(),
    inline: inline.map((i) => i.id),
    attached: attached.map((i) => i.id),
    tags: Object.fromEntries(tagList.map((t) => [t.Key!, t.Value ?? ""])),
    denyAllArn: `arn:${partition}:iam::aws:policy/${DENY_ALL_POLICY_NAME}`,
  };
}

const itemKey = (item: { kind: string; id: string }) => `${item.kind}/${item.id}`;

function kindOf(item: DependencyItem, registry: KindRegistry) {
  const kind = registry.find((k) => k.id === item.kind);
  if (!kind?.statusSwitch) throw new Error(`${item.kind} has no status to switch`);
  return kind.statusSwitch;
}

/** An inline policy's document, whitespace left out (IAM answers it URL-encoded). */
async function inlineDocument(s: Subject, PolicyName: string): Promise<string> {
  const out = await s.ctx.send<GetUserPolicyCommandOutput>(new GetUserPolicyCommand({ UserName: s.userName, PolicyName }));
  return decodeURIComponent(out.PolicyDocument ?? "").replace(/\s+/g, "");
}

/** Characters the user's inline policies take now, as IAM counts them against its quota. */
async function inlineCharacters(s: Subject): Promise<number> {
  const sizes = await Promise.all(s.inline.map(async (name) => (await inlineDocument(s, name)).length));
  return sizes.reduce((a, b) => a + b, 0);
}

/** Whether the inline policy under the quarantine's name is the deny-all (another hand may have put something else there). */
async function ownPolicyDeniesAll(s: Subject): Promise<boolean> {
  return (await inlineDocument(s, QUARANTINE_POLICY_NAME)) === DENY_ALL_DOCUMENT.replace(/\s+/g, "");
}

/** How the deny-all will be in place, decided before anything changes; refused when neither policy fits. */
async function chooseDeny(s: Subject, recorded: QuarantineRecord | undefined): Promise<DenyMode> {
  if (s.inline.includes(QUARANTINE_POLICY_NAME)) return "inline";
  // Disabled before: the same deny-all again, unless it was someone else's AWSDenyAll, since detached.
  const beforeGone = recorded?.deny === "AWSDenyAll-before" && !s.attached.includes(s.denyAllArn);
  if (recorded && !beforeGone) return recorded.deny;
  if (s.attached.includes(s.denyAllArn)) return "AWSDenyAll-before";
  const room = INLINE_POLICY_CHARACTERS - (await inlineCharacters(s));
  if (room >= DENY_ALL_DOCUMENT.replace(/\s+/g, "").length) return "inline";
  const summary = await s.ctx.send<GetAccountSummaryCommandOutput>(new GetAccountSummaryCommand({}));
  const quota = summary.SummaryMap?.AttachedPoliciesPerUserQuota ?? 10;
  if (s.attached.length < quota) return "AWSDenyAll";
  throw new QuarantineRefusedError(
    `cannot disable IAM user ${s.userName}: its inline policies leave no room for the deny-all policy ${QUARANTINE_POLICY_NAME} ` +
      `(2,048 characters between them) and it already has ${s.attached.length} managed policies attached (the account's quota is ${quota}), ` +
      `so ${DENY_ALL_POLICY_NAME} cannot be attached either. Nothing was changed.`,
  );
}

/**
 * Disables the user: records what is Active (tags), puts the deny-all in place, then sets every Active credential
 * Inactive. The record goes first, so an interrupted disable never loses what was Active; run again, it completes
 * (disabling twice is disabling once: the first date is kept, an item Active now is added to the record).
 */
export function disableUser(options: QuarantineOptions): Promise<QuarantineReport> {
  return namingPermissions(options.userName, "disabling", () => disable(options));
}

async function disable(options: QuarantineOptions): Promise<QuarantineReport> {
  const registry = options.registry ?? DEPENDENCY_KINDS;
  const clock = options.clock ?? systemClock;
  const s = await look(options);
  const recorded = readQuarantineRecord(s.tags);
  const deny = await chooseDeny(s, recorded);
  const active = s.items.filter((i) => i.status === "Active");
  const known = new Set((recorded?.wasActive ?? []).map(itemKey));
  const record: QuarantineRecord = {
    since: recorded?.since ?? new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    deny,
    wasActive: [...(recorded?.wasActive ?? []), ...active.filter((i) => !known.has(itemKey(i))).map(({ kind, id }) => ({ kind, id }))],
  };
  const wanted = quarantineTags(record);
  const others = Object.keys(s.tags).filter((k) => !isReservedTagKey(k)).length;
  if (others + Object.keys(wanted).length > MAX_TAGS)
    throw new QuarantineRefusedError(
      `cannot disable IAM user ${s.userName}: its ${others} tags leave no room for the ${Object.keys(wanted).length} tags that record ` +
        `what was Active (IAM allows ${MAX_TAGS}). Nothing was changed.`,
    );
  const toTag = Object.entries(wanted).filter(([k, v]) => s.tags[k] !== v);
  const stale = Object.keys(s.tags).filter((k) => isReservedTagKey(k) && !(k in wanted));
  // The policy's name is the quarantine's: whatever another hand put there is replaced by the deny-all.
  const needsDeny =
    (deny === "inline" && !(s.inline.includes(QUARANTINE_POLICY_NAME) && (await ownPolicyDeniesAll(s)))) ||
    (deny === "AWSDenyAll" && !s.attached.includes(s.denyAllArn));
  const log = options.log ?? (() => {});
  if (toTag.length > 0 || stale.length > 0 || needsDeny) {
    // These calls name the user only: made while the name still holds the user looked at.
    await confirmIdentityOrRefuse(s);
    if (toTag.length > 0)
      await s.ctx.send(new TagUserCommand({ UserName: s.userName, Tags: toTag.map(([Key, Value]) => ({ Key, Value })) }));
    if (stale.length > 0) await s.ctx.send(new UntagUserCommand({ UserName: s.userName, TagKeys: stale }));
  }
  if (needsDeny) {
    if (deny === "inline")
      await s.ctx.send(
        new PutUserPolicyCommand({ UserName: s.userName, PolicyName: QUARANTINE_POLICY_NAME, PolicyDocument: DENY_ALL_DOCUMENT }),
      );
    else await s.ctx.send(new AttachUserPolicyCommand({ UserName: s.userName, PolicyArn: s.denyAllArn }));
    log(
      `${s.userName}: every action denied (${deny === "inline" ? `inline policy ${QUARANTINE_POLICY_NAME}` : `${DENY_ALL_POLICY_NAME} attached`})`,
    );
  }
  const switched = await Promise.all(
    active.map(async (item) => {
      await kindOf(item, registry).set(s.ctx, s.userName, item, "Inactive");
      log(`${s.userName}: deactivated ${describeItem(item)}`);
      return describeItem(item);
    }),
  );
  const left = s.items.filter((i) => i.status === "Expired").map((i) => `${describeItem(i)}: Expired, left as it is`);
  return {
    ...who(s),
    disabledSince: record.since,
    switched,
    left,
    deny,
    changed: toTag.length > 0 || stale.length > 0 || needsDeny || switched.length > 0,
    apiCalls: s.ctx.calls(),
  };
}

/**
 * Enables the user: sets Active again exactly the items recorded as Active when it was disabled (those still there),
 * then takes the deny-all away, then the record. Anything else is left as it is and named. Enabling a user that is not
 * disabled changes nothing.
 */
export function enableUser(options: QuarantineOptions): Promise<QuarantineReport> {
  return namingPermissions(options.userName, "enabling", () => enable(options));
}

async function enable(options: QuarantineOptions): Promise<QuarantineReport> {
  const registry = options.registry ?? DEPENDENCY_KINDS;
  const s = await look(options);
  const record = readQuarantineRecord(s.tags);
  const ownInline = s.inline.includes(QUARANTINE_POLICY_NAME);
  const log = options.log ?? (() => {});
  if (!record && !ownInline) return { ...who(s), switched: [], left: [], deny: "none", changed: false, apiCalls: s.ctx.calls() };
  const recorded = new Set((record?.wasActive ?? []).map(itemKey));
  const toReactivate = s.items.filter((i) => recorded.has(itemKey(i)) && i.status === "Inactive");
  const left = s.items
    .filter((i) => !recorded.has(itemKey(i)) || i.status === "Expired")
    .map((i) =>
      recorded.has(itemKey(i))
        ? `${describeItem(i)}: Expired, left as it is`
        : `${describeItem(i)}: ${i.status}, left as it is (not Active when the user was disabled${i.status === "Active" ? ", or created since" : ""})`,
    );
  const present = new Set(s.items.map(itemKey));
  for (const r of record?.wasActive ?? []) if (!present.has(itemKey(r))) left.push(`${r.kind} ${r.id}: gone since the user was disabled`);
  // Reactivated while the deny-all still holds: nothing the user can do happens before the record is settled.
  const switched = await Promise.all(
    toReactivate.map(async (item) => {
      try {
        await kindOf(item, registry).set(s.ctx, s.userName, item, "Active");
      } catch (err) {
        if (!isNoSuchEntity(err)) throw err;
        return undefined;
      }
      log(`${s.userName}: reactivated ${describeItem(item)}`);
      return describeItem(item);
    }),
  );
  await confirmIdentityOrRefuse(s);
  if (ownInline) await ignoreGone(s.ctx.send(new DeleteUserPolicyCommand({ UserName: s.userName, PolicyName: QUARANTINE_POLICY_NAME })));
  if (record?.deny === "AWSDenyAll" && s.attached.includes(s.denyAllArn))
    await ignoreGone(s.ctx.send(new DetachUserPolicyCommand({ UserName: s.userName, PolicyArn: s.denyAllArn })));
  if (record?.deny === "AWSDenyAll-before") left.push(`${DENY_ALL_POLICY_NAME}: attached before the user was disabled, left attached`);
  log(`${s.userName}: deny-all removed`);
  const reserved = Object.keys(s.tags).filter(isReservedTagKey);
  if (reserved.length > 0) await s.ctx.send(new UntagUserCommand({ UserName: s.userName, TagKeys: reserved }));
  return {
    ...who(s),
    switched: switched.filter((x): x is string => x !== undefined),
    left,
    deny: record?.deny ?? "inline",
    changed: true,
    apiCalls: s.ctx.calls(),
  };
}

const who = (s: Subject) => ({ userName: s.userName, userId: s.user.UserId!, arn: s.user.Arn! });

async function confirmIdentityOrRefuse(s: Subject): Promise<void> {
  if ((await confirmIdentity(s.ctx, s.userName, s.user.UserId!)) === "gone")
    throw new QuarantineRefusedError(`IAM user ${s.userName} (${s.user.UserId}) is gone: nothing more was changed.`);
}

async function ignoreGone(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!isNoSuchEntity(err)) throw err;
  }
}

/**
 * The IAM actions only a quarantine calls (besides the reads, tags and policy removals a teardown or an update makes):
 * what the shipped policy adds for it.
 */
export const QUARANTINE_ONLY_ACTIONS: readonly string[] = [
  ...DEPENDENCY_KINDS.flatMap((k) => (k.statusSwitch ? [k.statusSwitch.action] : [])),
  "GetUserPolicy",
  "PutUserPolicy",
  "AttachUserPolicy",
  "GetAccountSummary",
];
