import { setMaxListeners } from "node:events";
import { DeleteUserCommand, DeleteVirtualMFADeviceCommand, type User } from "@aws-sdk/client-iam";
import { isAccessDenied, isDeleteConflict, isNoSuchEntity, errorMessage } from "../aws/errors";
import { actionOf, createContext, type ContextOptions, type CountingContext } from "./context";
import { IdentityMismatchError, MissingPermissionError, TeardownIncompleteError, type PartlyRemoved } from "./errors";
import { confirmIdentity, getUserOrUndefined, resolveIdentity } from "./identity";
import { DEPENDENCY_KINDS, kindById } from "./kinds";
import { Semaphore, sleep } from "./pool";
import { describeItem, emptyInventory, flattenInventory, summarizeTeardown } from "./report";
import { withRetry, type RetryBounds } from "./retry";
import type { DependencyItem, Inventory } from "./types";

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
  /** Confirm with GetUser that the user is gone after DeleteUser. */
  verify?: boolean;
  log?: (line: string) => void;
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

/** Lists everything that hangs on the user: every kind at once, every list paginated. */
export async function discoverInventory(ctx: CountingContext, userName: string, bounds?: RetryBounds): Promise<Inventory> {
  const lists = await Promise.all(
    DEPENDENCY_KINDS.map((kind) => (bounds ? withRetry(() => kind.list(ctx, userName), bounds) : kind.list(ctx, userName))),
  );
  const inventory = emptyInventory();
  DEPENDENCY_KINDS.forEach((kind, i) => (inventory[kind.id] = lists[i]));
  return inventory;
}

/** Stops a removal's pending retries once the identity re-check found the name no longer holds the user. */
class IdentityLost extends Error {
  constructor() {
    super("the user no longer holds the name");
  }
}

/** Set on the options of a teardown that follows a user renamed during an earlier one. */
const FOLLOWING = Symbol("following a renamed user");
type Internal = TeardownOptions & { [FOLLOWING]?: { depth: number } };
/** Renames followed within one teardown before giving up (a name that keeps changing is someone else's work in progress). */
const MAX_FOLLOWS = 3;

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> => p.then((value) => ({ ok: true as const, value }), (error) => ({ ok: false as const, error }));

function permissionError(err: unknown, userName: string, removed: readonly DependencyItem[], partlyRemoved: readonly PartlyRemoved[] = []): unknown {
  if (!isAccessDenied(err)) return err;
  const action = (err as { iamAction?: string }).iamAction ?? "unknown";
  return new MissingPermissionError(userName, action, errorMessage(err), removed, partlyRemoved);
}

/**
 * Removes `userName` and everything that blocks its deletion: discover, remove concurrently, DeleteUser, verify.
 * A DeleteConflict (something new appeared, or a removal has not propagated) starts another round, up to maxRounds.
 */
export async function teardownUser(options: TeardownOptions): Promise<TeardownReport> {
  const started = Date.now();
  const settings = { ...TEARDOWN_DEFAULTS, ...definedOnly(options) };
  const ctx = createContext(options);
  const log = options.log ?? (() => undefined);
  const deleteUser = options.deleteUser !== false;
  const bounds: RetryBounds = {
    attempts: settings.retryAttempts,
    baseDelayMs: settings.retryBaseDelayMs,
    maxDelayMs: settings.retryMaxDelayMs,
    deadline: started + settings.timeoutMs,
  };
  const removed: DependencyItem[] = [];
  const alreadyGone: DependencyItem[] = [];
  const following = (options as Internal)[FOLLOWING];
  /** Calls made by the teardowns this one handed over to (a user renamed midway). */
  let followedCalls = 0;
  const finish = (partial: Pick<TeardownReport, "userName" | "outcome"> & Partial<TeardownReport>, rounds: number): TeardownReport => {
    const report: TeardownReport = {
      requestedUserName: options.userName,
      removed,
      alreadyGone,
      rounds,
      apiCalls: ctx.calls() + followedCalls,
      durationMs: Date.now() - started,
      summary: "",
      ...partial,
    };
    report.summary = summarizeTeardown(report);
    // A teardown that follows a rename reports through the one that handed over: one summary line in the end.
    if (!following) log(report.summary);
    return report;
  };

  // The account's virtual device list is needed to classify ARN-form MFA serials; start it now, off the critical path.
  ctx.virtualMfa.prefetch();

  // A list answers for whoever holds the name when it runs, so the identity that counts is the one after the lists.
  // With a recorded UserId one GetUser after the lists proves it: that user existed before they began and UserIds are
  // never reused, so finding it under the name afterwards means it held the name throughout. Without one, a GetUser
  // beside the lists says early whom the name belongs to, and the round below confirms it once they have answered.
  const identifyAfterLists = options.expectedUserId !== undefined;
  const resolve = () => settle(withRetry(() => resolveIdentity(ctx, options.userName, options.expectedUserId), bounds));
  const [identity, firstDiscovery] = identifyAfterLists
    ? await settle(discoverInventory(ctx, options.userName, bounds)).then(async (lists) => [await resolve(), lists] as const)
    : await Promise.all([resolve(), settle(discoverInventory(ctx, options.userName, bounds))]);
  if (!identity.ok) throw permissionError(identity.error, options.userName, removed);

  // Virtual MFA devices the user is known to have held: those its last inventory recorded, and any a list shows.
  const heldVirtual = new Set(options.knownVirtualMfaSerials ?? []);
  const noteVirtual = (inv: Inventory | undefined) => inv?.mfaDevices.forEach((d) => d.mfaKind === "virtual" && heldVirtual.add(d.id));
  if (firstDiscovery.ok) noteVirtual(firstDiscovery.value);

  /**
   * The user no longer answers to its name. If its UserId lives on under another name (renamed during the teardown),
   * the teardown follows it there: it is not gone. Otherwise it is (deleted out of band, before or during the
   * teardown); deleting a user deactivates its virtual MFA devices without deleting them, so any it held that are now
   * unassigned are removed, and none stays as an orphan.
   */
  const whenGone = async (partial: Partial<TeardownReport>, rounds: number): Promise<TeardownReport> => {
    const name = partial.userName ?? options.userName;
    if (partial.userId) {
      const now = await withRetry(() => resolveIdentity(ctx, name, partial.userId), bounds).catch((err) => Promise.reject(permissionError(err, name, removed)));
      if (now.state !== "gone") return follow(now.user, name, rounds);
    }
    const candidates = [...heldVirtual].filter((serial) => !removed.some((i) => i.kind === "mfaDevices" && i.id === serial));
    const since = Date.now();
    for (const serial of candidates) {
      const item: DependencyItem = { kind: "mfaDevices", id: serial, mfaKind: "virtual" };
      try {
        // One fresh listing of the account's virtual devices serves every candidate.
        if (!(await withRetry(() => ctx.virtualMfa.isUnassignedVirtual(serial, since), bounds))) continue;
        await withRetry(() => ctx.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })), bounds);
        removed.push(item);
        log(`removed ${describeItem(item)}, left unassigned when IAM user ${name} was deleted`);
      } catch (err) {
        if (!isNoSuchEntity(err)) throw permissionError(err, name, removed);
      }
    }
    return finish({ userName: name, ...partial, outcome: "already-gone" }, rounds);
  };
  if (identity.value.state === "gone") return whenGone({}, 0);

  /** Hands the rest of the teardown over to a fresh one under the user's new name, and reports both as one. */
  async function follow(live: User, from: string, rounds: number): Promise<TeardownReport> {
    const depth = following?.depth ?? 0;
    if (depth >= MAX_FOLLOWS) {
      throw new Error(`IAM user ${options.userName} (${live.UserId}) was renamed ${depth + 1} times during the teardown, now to ${live.UserName}; run the teardown again once it stops changing`);
    }
    log(`IAM user ${from} (${live.UserId}) was renamed to ${live.UserName} during the teardown; following it`);
    const rest = await teardownUser({
      ...options,
      userName: live.UserName!,
      expectedUserId: live.UserId,
      knownVirtualMfaSerials: [...heldVirtual],
      timeoutMs: Math.max(1, bounds.deadline - Date.now()),
      [FOLLOWING]: { depth: depth + 1 },
    } as Internal).catch((err) => {
      if (err instanceof MissingPermissionError) throw new MissingPermissionError(err.userName, err.action, err.detail, [...removed, ...err.removed], err.partlyRemoved);
      throw err;
    });
    const same = (a: DependencyItem) => (b: DependencyItem) => a.kind === b.kind && a.id === b.id;
    // Removals the old name answered NoSuchEntity to were not gone: the user had moved. The new name removed them.
    for (let i = alreadyGone.length - 1; i >= 0; i--) if (rest.removed.some(same(alreadyGone[i]))) alreadyGone.splice(i, 1);
    removed.push(...rest.removed);
    alreadyGone.push(...rest.alreadyGone.filter((item) => !alreadyGone.some(same(item))));
    followedCalls += rest.apiCalls;
    return finish({ userName: rest.userName, userId: rest.userId, arn: rest.arn, outcome: rest.outcome, renamedFrom: options.userName }, rounds + rest.rounds);
  }

  const user = identity.value.user;
  const userName = user.UserName!;
  const userId = user.UserId!;
  const renamedFrom = identity.value.state === "renamed" ? identity.value.previousName : undefined;
  if (renamedFrom) log(`IAM user ${renamedFrom} (${userId}) was renamed to ${userName}; tearing down ${userName}`);

  const gone = (round = 0) => whenGone({ userName, userId, arn: user.Arn, renamedFrom }, round);
  /** Lists again; undefined when the user disappeared meanwhile (someone else deleted it). */
  const rediscover = async (): Promise<Inventory | undefined> => {
    try {
      return await discoverInventory(ctx, userName, bounds);
    } catch (err) {
      if (isNoSuchEntity(err) && (await withRetry(() => getUserOrUndefined(ctx, userName), bounds)) === undefined) return undefined;
      throw permissionError(err, userName, removed);
    }
  };

  let inventory: Inventory | undefined;
  if (!renamedFrom && firstDiscovery.ok) inventory = firstDiscovery.value;
  else if (!renamedFrom && !isNoSuchEntity((firstDiscovery as { error: unknown }).error)) {
    throw permissionError((firstDiscovery as { error: unknown }).error, userName, removed);
  } else inventory = await rediscover();
  if (!inventory) return gone();
  noteVirtual(inventory);

  const orphans = await recordedOrphans(ctx, options.knownVirtualMfaSerials ?? [], inventory, started);
  const pool = new Semaphore(settings.concurrency);

  for (let round = 1; ; round++) {
    const items = byUserNameFirst([...flattenInventory(inventory!), ...(round === 1 ? orphans : [])]);
    // A list answers for whoever holds the name when it runs. Before acting on what was listed (or, after a wait,
    // calling DeleteUser again), make sure the name still holds the same user: if it was deleted and the name reused
    // meanwhile, the lists described the new user, and nothing of it may be removed.
    const confirmedAfterLists = round === 1 && identifyAfterLists && !renamedFrom && firstDiscovery.ok;
    if ((items.length > 0 || round > 1) && !confirmedAfterLists) {
      if ((await withRetry(() => confirmIdentity(ctx, userName, userId), bounds)) === "gone") return gone(round);
    }
    const outcome = await removeAll(items);
    if (outcome.userGone) return gone(round);

    if (!deleteUser) {
      // Nothing answers DeleteConflict in companion mode, so look once more for anything that appeared meanwhile.
      inventory = await rediscover();
      if (!inventory) return gone(round);
      noteVirtual(inventory);
      const left = flattenInventory(inventory);
      if (left.length === 0) return finish({ userName, userId, arn: user.Arn, outcome: "cleared", renamedFrom }, round);
      if (round >= settings.maxRounds || Date.now() > bounds.deadline) throw new TeardownIncompleteError(userName, left, "dependencies keep appearing", round);
      continue;
    }

    try {
      await withRetry(() => ctx.send(new DeleteUserCommand({ UserName: userName })), bounds);
    } catch (err) {
      if (isNoSuchEntity(err)) {
        log(`IAM user ${userName} was deleted by someone else during the teardown`);
        return gone(round);
      }
      if (!isDeleteConflict(err)) throw permissionError(err, userName, removed);
      inventory = await rediscover();
      if (!inventory) return gone(round);
      noteVirtual(inventory);
      const left = flattenInventory(inventory);
      if (round >= settings.maxRounds || Date.now() > bounds.deadline) throw new TeardownIncompleteError(userName, left, errorMessage(err), round);
      log(`DeleteUser ${userName}: ${errorMessage(err)}; round ${round + 1} removes ${left.length === 0 ? "nothing new (waiting for IAM to catch up)" : left.map(describeItem).join(", ")}`);
      // Nothing listed means IAM has not caught up with the removals yet: give it a moment before asking again.
      if (left.length === 0) await sleep(Math.min(bounds.maxDelayMs, bounds.baseDelayMs * 2 ** (round - 1)));
      continue;
    }

    if (options.verify !== false) await verifyGone(userName, userId);
    return finish({ userName, userId, arn: user.Arn, outcome: "deleted", renamedFrom }, round);
  }

  /**
   * Removes the items concurrently (bounded). When anything was removed, the identity is confirmed again before
   * DeleteUser, overlapping the last calls: it starts once every item's first call has answered.
   */
  async function removeAll(items: DependencyItem[]): Promise<{ userGone: boolean }> {
    if (items.length === 0) return { userGone: false };
    let firstCallsPending = items.length;
    let recheck: Promise<"same" | "gone"> | undefined;
    /** Set once the re-check finds the name no longer holds the user: from then on nothing more is sent for it. */
    let halted: IdentityLost | undefined;
    // Halting also aborts calls under way, so the SDK's own retries of a removal never reach whoever holds the name now.
    const abort = new AbortController();
    // Every call of the round listens on this one signal.
    setMaxListeners(0, abort.signal);
    const halt = () => {
      halted ??= new IdentityLost();
      abort.abort(halted);
    };
    const startRecheck = () =>
      (recheck ??= withRetry(() => confirmIdentity(ctx, userName, userId), bounds).then(
        (state) => (state === "gone" && halt(), state),
        (err) => {
          halt();
          throw err;
        },
      ));
    let failure: unknown;
    const partlyRemoved: PartlyRemoved[] = [];
    await Promise.all(
      items.map((item) =>
        pool.run(async () => {
          if (failure || halted) return;
          let firstAnswered = false;
          /** Calls IAM carried out for this item (a virtual MFA device takes two). */
          const done: string[] = [];
          const noteFirstAnswer = () => {
            if (firstAnswered) return;
            firstAnswered = true;
            if (--firstCallsPending === 0) void startRecheck().catch(() => undefined);
          };
          // Calls made for this item; the first answer counts towards starting the identity re-check.
          const itemContext = (): CountingContext => ({
            ...ctx,
            send: async <O>(command: unknown) => {
              // Deleting a virtual MFA device this teardown already deactivated names only the device's serial, never
              // a user: it goes on regardless, so a halt leaves no orphan behind. Any other call (a retry, say) made
              // once the re-check is under way waits for its answer, and is not sent if the name changed hands.
              const ownDeviceOnly = actionOf(command) === "DeleteVirtualMFADevice";
              if (!ownDeviceOnly && recheck) await recheck.catch(() => undefined);
              return halted && !ownDeviceOnly
                ? Promise.reject(halted)
                : ctx
                    .send<O>(command, ownDeviceOnly ? {} : { abortSignal: abort.signal })
                    .then((out) => (done.push(actionOf(command)), out))
                    .finally(noteFirstAnswer);
            },
          });
          try {
            const result = await withRetry(() => kindById(item.kind).remove(itemContext(), userName, item), bounds).then(
              () => "removed" as const,
              (err) => (isNoSuchEntity(err) ? ("already-gone" as const) : Promise.reject(err)),
            );
            (result === "removed" ? removed : alreadyGone).push(item);
            log(result === "removed" ? `removed ${describeItem(item)} from IAM user ${userName}` : `${describeItem(item)} of IAM user ${userName} was already gone`);
          } catch (err) {
            if (done.length > 0) partlyRemoved.push({ item, done });
            // Once halted, an aborted or refused call is the halt's doing; the re-check's answer decides what follows.
            if (!(err instanceof IdentityLost) && !halted) failure ??= err;
          }
        }),
      ),
    );
    if (failure) throw permissionError(failure, userName, removed, partlyRemoved);
    const state = await startRecheck();
    return { userGone: state === "gone" };
  }

  async function verifyGone(name: string, id: string): Promise<void> {
    // IAM is eventually consistent: a just-deleted user can still answer GetUser for a moment.
    for (let attempt = 1; ; attempt++) {
      const still = await withRetry(() => getUserOrUndefined(ctx, name), bounds);
      if (!still || still.UserId !== id) return;
      if (attempt >= bounds.attempts || Date.now() > bounds.deadline) {
        throw new Error(`DeleteUser ${name} succeeded, but IAM still returns the user (${id}) after ${attempt} checks`);
      }
      await sleep(Math.min(bounds.maxDelayMs, bounds.baseDelayMs * 2 ** (attempt - 1)));
    }
  }
}

/**
 * Virtual devices recorded as the user's that are now unassigned: an interrupted run deactivated them but did not get
 * to delete them. Only serials this user was seen holding qualify, so nobody else's device is ever touched.
 */
async function recordedOrphans(ctx: CountingContext, serials: readonly string[], inventory: Inventory, since: number): Promise<DependencyItem[]> {
  const listed = new Set(inventory.mfaDevices.map((d) => d.id));
  const candidates = serials.filter((s) => !listed.has(s));
  const orphans: DependencyItem[] = [];
  for (const serial of candidates) {
    if (await ctx.virtualMfa.isUnassignedVirtual(serial, since)) orphans.push({ kind: "mfaDevices", id: serial, mfaKind: "virtual" });
  }
  return orphans;
}

/**
 * Kinds whose removal call names nothing unique to this user (DeleteLoginProfile, RemoveUserFromGroup,
 * DeleteUserPolicy and DetachUserPolicy name the user and a group, policy name or policy ARN). If the user were deleted
 * and its name reused during the teardown, such a call would reach the new user; calls with an access key id, a key or
 * certificate id or an MFA serial would only answer NoSuchEntity. They are sent first, right after the identity check.
 */
const NAMED_BY_USER_ONLY: ReadonlySet<string> = new Set(["loginProfile", "groupMemberships", "inlinePolicies", "managedPolicies"]);

function byUserNameFirst(items: DependencyItem[]): DependencyItem[] {
  return [...items.filter((i) => NAMED_BY_USER_ONLY.has(i.kind)), ...items.filter((i) => !NAMED_BY_USER_ONLY.has(i.kind))];
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export { IdentityMismatchError, MissingPermissionError, TeardownIncompleteError };
