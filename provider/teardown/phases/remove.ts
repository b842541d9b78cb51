import { isNoSuchEntity } from "../../aws/errors";
import type { PartlyRemoved } from "../errors";
import { HaltingSend, IdentityLost } from "../halting-send";
import { kindById } from "../kinds";
import { describeItem, flattenInventory } from "../report";
import { withRetry } from "../retry";
import type { DependencyItem, KindRegistry } from "../types";
import { confirmTarget } from "./identify";
import { permissionError, type TeardownState } from "./state";

/**
 * Phase three, one round of it: remove what the last listing showed (and, in the first round, the recorded orphans).
 * A list answers for whoever holds the name when it runs. Before acting on what was listed (or, after a wait,
 * calling DeleteUser again), the name must still hold the same user: if it was deleted and the name reused
 * meanwhile, the lists described the new user, and nothing of it may be removed. "gone": the target lost its name.
 */
export async function removeDependencies(s: TeardownState, round: number): Promise<"same" | "gone"> {
  const items = byUserNameFirst([...flattenInventory(s.inventory!, s.kinds), ...(round === 1 ? s.recordedOrphans : [])], s.kinds);
  const confirmedAlready = round === 1 && s.confirmedAfterLists;
  if ((items.length > 0 || round > 1) && !confirmedAlready && (await confirmTarget(s)) === "gone") return "gone";
  return removeAll(s, items);
}

/** Kinds whose removal names only the user go first, right after the identity check (see DependencyKind). */
function byUserNameFirst(items: DependencyItem[], kinds: KindRegistry): DependencyItem[] {
  const first = (i: DependencyItem) => kindById(i.kind, kinds).namedByUserOnly;
  return [...items.filter(first), ...items.filter((i) => !first(i))];
}

/**
 * Removes the items concurrently (bounded). When anything was removed, the identity is confirmed again before
 * DeleteUser, overlapping the last calls: it starts once every item's first call has answered (see HaltingSend).
 */
async function removeAll(s: TeardownState, items: DependencyItem[]): Promise<"same" | "gone"> {
  if (items.length === 0) return "same";
  const sender = new HaltingSend(() => confirmTarget(s), items.length);
  const failures: { first?: unknown; partlyRemoved: PartlyRemoved[] } = { partlyRemoved: [] };
  await Promise.all(
    items.map((item) =>
      s.pool.run(async () => {
        if (failures.first || sender.halted) return;
        const done: string[] = [];
        try {
          await removeOne(s, item, sender.contextFor(s.ctx, done));
        } catch (err) {
          if (done.length > 0) failures.partlyRemoved.push({ item, done });
          // Once halted, an aborted or refused call is the halt's doing; the re-check's answer decides what follows.
          if (!(err instanceof IdentityLost) && !sender.halted) failures.first ??= err;
        }
      }),
    ),
  );
  if (failures.first) throw permissionError(s, failures.first, failures.partlyRemoved);
  return sender.startRecheck();
}

/** One item, retried while IAM is busy; NoSuchEntity means it went before we got to it. */
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
