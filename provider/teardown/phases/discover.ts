import { isNoSuchEntity } from "../../aws/errors";
import type { CountingContext } from "../context";
import { getUserOrUndefined } from "../identity";
import { DEPENDENCY_KINDS } from "../kinds";
import { type RetryBounds, withRetry } from "../retry";
import type { Inventory, KindRegistry } from "../types";
import { noteHeldVirtual, permissionError, type TeardownState } from "./state";

/** Lists everything that hangs on the user: every kind at once, every list paginated. */
export async function discoverInventory(
  ctx: CountingContext,
  userName: string,
  bounds?: RetryBounds,
  kinds: KindRegistry = DEPENDENCY_KINDS,
): Promise<Inventory> {
  const lists = await Promise.all(
    kinds.map((kind) => (bounds ? withRetry(() => kind.list(ctx, userName), bounds) : kind.list(ctx, userName))),
  );
  return Object.fromEntries(kinds.map((kind, i) => [kind.id, lists[i]]));
}

/** Lists the target again; undefined when the user disappeared meanwhile (someone else deleted it). */
export async function rediscover(s: TeardownState): Promise<Inventory | undefined> {
  const userName = s.target!.userName;
  try {
    const inventory = await discoverInventory(s.ctx, userName, s.bounds, s.kinds);
    noteHeldVirtual(s, inventory);
    return (s.inventory = inventory);
  } catch (err) {
    if (isNoSuchEntity(err) && (await withRetry(() => getUserOrUndefined(s.ctx, userName), s.bounds)) === undefined) return undefined;
    throw permissionError(s, err);
  }
}
