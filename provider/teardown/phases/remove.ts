import { isNoSuchEntity } from "../../aws/errors";
import type { PartlyRemoved } from "../errors";
import { HaltingSend, IdentityLost } from "../halting-send";
import { kindById } from "../kinds";
import { describeItem, flattenInventory } from "../report";
import { withRetry } from "../retry";
import type { DependencyItem, KindRegistry } from "../types";
import { confirmTarget } from "./identify";
import { permissionError, type TeardownState } from "./state";

/** How a removal round ended, and its virtual devices' deletions, which need not finish before DeleteUser. */
export interface RemovalRound {
  state: "same" | "gone";
  /** Settles once every item is done; rejects with the round's first failure, if only a device's deletion failed. */
  trailing: Promise<void>;
}

const NOTHING_TRAILING: Promise<void> = Promise.resolve();

/**
 * Phase three, one round of it: remove what the last listing showed (and, in the first round, the recorded orphans).
 * A list answers for whoever holds the name when it runs. Before acting on what was listed (or, after a wait,
 * calling DeleteUser again), the name must still hold the same user: if it was deleted and the name reused
 * meanwhile, the lists described the new user, and nothing of it may be removed. "gone": the target lost its name.
 */
export async function removeDependencies(s: TeardownState, round: number): Promise<RemovalRound> {
  const listed = [...flattenInventory(s.inventory!, s.kinds), ...(round === 1 ? s.recordedOrphans : [])];
  const items = byUserNameFirst(withinPlan(s, listed), s.kinds);
  const confirmedAlready = round === 1 && s.confirmedAfterLists;
  if ((items.length > 0 || round > 1) && !confirmedAlready && (await confirmTarget(s)) === "gone")
    return { state: "gone", trailing: NOTHING_TRAILING };
  return removeAll(s, items);
}

/** The items a plan allows (all without one); the others are noted, each once, and left in place. */
function withinPlan(s: TeardownState, items: DependencyItem[]): DependencyItem[] {
  const allowed = s.options.onlyItems;
  if (!allowed) return items;
  for (const item of items)
    if (!allowed(item) && !s.notPlanned.some((n) => n.kind === item.kind && n.id === item.id)) {
      s.notPlanned.push(item);
      s.log(`${describeItem(item, s.kinds)} of IAM user ${s.target!.userName} is not in the plan: left in place`);
    }
  return items.filter(allowed);
}

/** Kinds whose removal names only the user go first, right after the identity check (see DependencyKind). */
function byUserNameFirst(items: DependencyItem[], kinds: KindRegistry): DependencyItem[] {
  const first = (i: DependencyItem) => kindById(i.kind, kinds).namedByUserOnly;
  return [...items.filter(first), ...items.filter((i) => !first(i))];
}

/**
 * Removes the items concurrently (bounded). When anything was removed, the identity is confirmed again before
 * DeleteUser by a re-check travelling beside the round's calls (see HaltingSend). The round ends once every call
 * to the user has answered; deleting the virtual devices it deactivated goes on beside DeleteUser (`trailing`).
 */
async function removeAll(s: TeardownState, items: DependencyItem[]): Promise<RemovalRound> {
  if (items.length === 0) return { state: "same", trailing: NOTHING_TRAILING };
  const sender = new HaltingSend(() => confirmTarget(s), items.length);
  const failures: { first?: unknown; partlyRemoved: PartlyRemoved[] } = { partlyRemoved: [] };
  const userParts: Promise<void>[] = [];
  const whole = items.map((item) => {
    let userPartDone!: () => void;
    userParts.push(new Promise<void>((resolve) => (userPartDone = resolve)));
    return s.pool.run(async () => {
      const done: string[] = [];
      try {
        if (failures.first || sender.halted) return;
        await removeOne(s, item, sender.contextFor(s.ctx, done, userPartDone));
      } catch (err) {
        if (done.length > 0) failures.partlyRemoved.push({ item, done });
        // Once halted, an aborted or refused call is the halt's doing; the re-check's answer decides what follows.
        if (!(err instanceof IdentityLost) && !sender.halted) failures.first ??= err;
      } finally {
        userPartDone();
      }
    });
  });
  const everyItem = Promise.all(whole).then(() => {
    s.partlyRemoved.push(...failures.partlyRemoved);
    if (failures.first) throw permissionError(s, failures.first, failures.partlyRemoved);
  });
  // Handled where it is awaited; this keeps a failure from being reported unhandled meanwhile.
  everyItem.catch(() => undefined);
  await Promise.all(userParts);
  if (failures.first) {
    await everyItem;
  }
  const state = await sender.confirmAfterRemovals().catch(async (err) => {
    await everyItem.catch(() => undefined);
    throw err;
  });
  return { state, trailing: everyItem };
}

/**
 * One item, retried while IAM is busy; NoSuchEntity means it went before we got to it. A retry of an attempt whose
 * answer was lost answers NoSuchEntity alike whether that attempt removed the item or someone else did meanwhile:
 * nothing tells the two apart, so the item is reported as already gone, never as a removal IAM may not have made.
 */
async function removeOne(s: TeardownState, item: DependencyItem, ctx: TeardownState["ctx"]): Promise<void> {
  const userName = s.target!.userName;
  const kind = kindById(item.kind, s.kinds);
  const removed = await withRetry(() => kind.remove(ctx, userName, item), s.bounds).then(
    () => true,
    (err) => (isNoSuchEntity(err) ? false : Promise.reject(err)),
  );
  (removed ? s.removed : s.alreadyGone).push(item);
  const what = describeItem(item, s.kinds);
  s.log(removed ? `removed ${what} from IAM user ${userName}` : `${what} of IAM user ${userName} was already gone`);
}
