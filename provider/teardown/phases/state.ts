import type { User } from "@aws-sdk/client-iam";
import { errorMessage, isAccessDenied } from "../../aws/errors";
import { type ContextOptions, type CountingContext, createContext } from "../context";
import { withoutUndefined } from "../defined";
import { MissingPermissionError, type PartlyRemoved } from "../errors";
import { DEPENDENCY_KINDS } from "../kinds";
import { Semaphore } from "../pool";
import type { RecordWriter, UserRecord } from "../record";
import { summarizeTeardown } from "../report";
import type { RetryBounds } from "../retry";
import type { DependencyItem, Inventory, KindRegistry, ListingMark } from "../types";
import { virtualSerialsOf } from "../virtual-mfa";

export interface TeardownOptions extends ContextOptions {
  userName: string;
  /** The UserId recorded when the user was created or adopted. Guards against a reused name; follows a rename. */
  expectedUserId?: string;
  /** false: clear every dependency and leave the user itself to whoever manages it (companion mode). */
  deleteUser?: boolean;
  /** Removals in flight at once for this user. */
  concurrency?: number;
  /** Rounds of discover, remove, DeleteUser before giving up. */
  maxRounds?: number;
  /** Attempts per call for EntityTemporarilyUnmodifiable, ConcurrentModification and throttling the SDK gave up on. */
  retryAttempts?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** The whole teardown gives up after this long. */
  timeoutMs?: number;
  /** Virtual MFA serials recorded as this user's earlier: removed if an interrupted run left them unassigned. */
  knownVirtualMfaSerials?: readonly string[];
  /** Also confirm with GetUser that the user is gone after DeleteUser answered 200 (off by default: one GetUser saved). */
  verify?: boolean;
  /** The dependency kinds to list and remove; the package's registry unless given. */
  kinds?: KindRegistry;
  log?: (line: string) => void;
  /**
   * Only items this accepts are removed (a reviewed plan's): anything else listed is left in place, and when it blocks
   * DeleteUser the teardown stops, naming exactly what blocks it. Undefined: every item listed is removed.
   */
  onlyItems?: (item: DependencyItem) => boolean;
  /** Where the user's record goes: written before the first removal (nothing is removed if it cannot be), completed after. */
  record?: RecordWriter;
}

export interface TeardownReport {
  requestedUserName: string;
  userName: string;
  userId?: string;
  arn?: string;
  /** deleted: the user is gone; cleared: companion mode, dependencies gone and the user left; already-gone: nothing to do. */
  outcome: "deleted" | "cleared" | "already-gone";
  renamedFrom?: string;
  removed: DependencyItem[];
  /** Listed, but gone by the time they were removed. */
  alreadyGone: DependencyItem[];
  rounds: number;
  apiCalls: number;
  durationMs: number;
  summary: string;
}

export const TEARDOWN_DEFAULTS = {
  concurrency: 20,
  maxRounds: 6,
  retryAttempts: 8,
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 5_000,
  timeoutMs: 10 * 60_000,
} as const;

/** Which teardown this is: 0 for the one asked for, n for the n-th hand-over to a user renamed midway. */
export interface Lineage {
  depth: number;
}

/** The user a teardown acts on, once its identity is established. */
export interface Target {
  userName: string;
  userId: string;
  arn?: string;
  renamedFrom?: string;
  /** IAM's answer for the user (path, tags, boundary), for its record. */
  user?: User;
}

/** Everything one teardown knows, passed to each phase; nothing is shared any other way. */
export interface TeardownState {
  readonly options: TeardownOptions;
  readonly lineage: Lineage;
  readonly ctx: CountingContext;
  readonly kinds: KindRegistry;
  readonly bounds: RetryBounds;
  readonly maxRounds: number;
  /** Bounds the removals in flight for this user. */
  readonly pool: Semaphore;
  readonly started: number;
  /** The virtual device index's order as the teardown began: recorded orphans are judged on a listing begun after. */
  readonly virtualMfaMark: ListingMark;
  readonly log: (line: string) => void;
  target?: Target;
  /** The latest listing of what hangs on the target. */
  inventory?: Inventory;
  /** The first listing ran after the identity was confirmed: the first round needs no re-check before removing. */
  confirmedAfterLists: boolean;
  /** Recorded virtual devices an interrupted run left unassigned, removed in the first round. */
  recordedOrphans: DependencyItem[];
  /** Virtual MFA serials the user is known to have held: recorded ones and any a list showed. */
  readonly heldVirtual: Set<string>;
  readonly removed: DependencyItem[];
  readonly alreadyGone: DependencyItem[];
  /**
   * DeleteUser answered NoSuchEntity to a retry of an attempt that got no answer: that attempt deleted the user (the
   * outcome is `deleted`), unless the user turns up under another name.
   */
  deletedUnheard: boolean;
  /** Items whose removal stopped after some of its calls (a virtual device deactivated, not deleted). */
  readonly partlyRemoved: PartlyRemoved[];
  /** Calls made by the teardowns this one handed over to (a user renamed midway). */
  followedCalls: number;
  /** Listed items `onlyItems` did not accept, left in place. */
  readonly notPlanned: DependencyItem[];
  /** The user's record as stored before the first removal, once it is. */
  record?: UserRecord;
}

export function createState(options: TeardownOptions, lineage: Lineage): TeardownState {
  const started = Date.now();
  const ctx = createContext(options);
  const settings = { ...TEARDOWN_DEFAULTS, ...withoutUndefined(options) };
  return {
    options,
    lineage,
    ctx,
    kinds: options.kinds ?? DEPENDENCY_KINDS,
    bounds: {
      attempts: settings.retryAttempts,
      baseDelayMs: settings.retryBaseDelayMs,
      maxDelayMs: settings.retryMaxDelayMs,
      deadline: started + settings.timeoutMs,
    },
    maxRounds: settings.maxRounds,
    pool: new Semaphore(settings.concurrency),
    started,
    virtualMfaMark: ctx.virtualMfa.mark(),
    log: options.log ?? (() => undefined),
    confirmedAfterLists: false,
    recordedOrphans: [],
    heldVirtual: new Set(options.knownVirtualMfaSerials ?? []),
    removed: [],
    alreadyGone: [],
    deletedUnheard: false,
    partlyRemoved: [],
    followedCalls: 0,
    notPlanned: [],
  };
}

/** The name the teardown acts on now: the target's, once known (it may have been renamed), else the one asked for. */
export const currentName = (s: TeardownState): string => s.target?.userName ?? s.options.userName;

/** The target's fields of the report; before the identity is known, only the name asked for. */
export function targetFields(s: TeardownState): Pick<TeardownReport, "userName" | "userId" | "arn" | "renamedFrom"> {
  const t = s.target;
  return t ? { userName: t.userName, userId: t.userId, arn: t.arn, renamedFrom: t.renamedFrom } : { userName: s.options.userName };
}

/** The report, and its summary line (logged once, by the teardown that was asked for). */
export function finish(
  s: TeardownState,
  partial: Pick<TeardownReport, "userName" | "outcome"> & Partial<TeardownReport>,
  rounds: number,
): TeardownReport {
  const report: TeardownReport = {
    requestedUserName: s.options.userName,
    removed: s.removed,
    alreadyGone: s.alreadyGone,
    rounds,
    apiCalls: s.ctx.calls() + s.followedCalls,
    durationMs: Date.now() - s.started,
    summary: "",
    ...partial,
  };
  report.summary = summarizeTeardown(report, s.kinds);
  if (s.lineage.depth === 0) s.log(report.summary);
  return report;
}

/** An AccessDenied becomes a MissingPermissionError naming the action and what was removed before it; others pass. */
export function permissionError(s: TeardownState, err: unknown, partlyRemoved: readonly PartlyRemoved[] = []): unknown {
  if (!isAccessDenied(err)) return err;
  const action = (err as { iamAction?: string }).iamAction ?? "unknown";
  return new MissingPermissionError(currentName(s), action, errorMessage(err), s.removed, partlyRemoved);
}

/** The virtual devices a listing shows join those the user is known to have held. */
export function noteHeldVirtual(s: TeardownState, inventory: Inventory): void {
  for (const serial of virtualSerialsOf(inventory)) s.heldVirtual.add(serial);
}
