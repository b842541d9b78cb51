import { isNoSuchEntity } from "../../aws/errors";
import { type Identity, resolveIdentity } from "../identity";
import { withRetry } from "../retry";
import type { Inventory } from "../types";
import { recordedOrphans, virtualDeviceItem } from "../virtual-mfa";
import { discoverInventory, rediscover } from "./discover";
import { noteHeldVirtual, permissionError, type TeardownState } from "./state";

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error) => ({ ok: false as const, error }),
  );

/**
 * Phases one and two: whom the name belongs to, and what hangs on it. A list answers for whoever holds the name when
 * it runs, so the identity that counts is the one after the lists. With a recorded UserId one GetUser after the lists
 * proves it: that user existed before they began and UserIds are never reused, so finding it under the name afterwards
 * means it held the name throughout. Without one, a GetUser beside the lists says early whom the name belongs to, and
 * the first round confirms it once they have answered. "gone": no user to tear down under the name.
 */
export async function identifyAndDiscover(s: TeardownState): Promise<"found" | "gone"> {
  const { userName, expectedUserId } = s.options;
  const identifyAfterLists = expectedUserId !== undefined;
  const resolve = () => settle(withRetry(() => resolveIdentity(s.ctx, userName, expectedUserId), s.bounds));
  const discover = () => settle(discoverInventory(s.ctx, userName, s.bounds, s.kinds));
  const [identity, first] = identifyAfterLists
    ? await discover().then(async (lists) => [await resolve(), lists] as const)
    : await Promise.all([resolve(), discover()]);
  if (!identity.ok) throw permissionError(s, identity.error);
  const stranger = identity.value.state !== "present" ? identity.value.nameHeldBy : undefined;
  // Lists under a name another user holds may be that user's: nothing they show is taken as ours.
  if (first.ok && stranger === undefined) noteHeldVirtual(s, first.value);
  if (stranger !== undefined)
    s.log(
      `the name ${userName} now belongs to a different IAM user (UserId ${stranger}), which is left untouched; ` +
        (identity.value.state === "gone"
          ? `the recorded user ${expectedUserId} is gone`
          : `the recorded user ${expectedUserId} is sought under its new name`),
    );
  if (identity.value.state === "gone") return "gone";
  adoptTarget(s, identity.value);
  const renamed = s.target!.renamedFrom !== undefined;
  const inventory = await firstInventory(s, renamed ? undefined : first);
  if (!inventory) return "gone";
  s.confirmedAfterLists = identifyAfterLists && !renamed && first.ok;
  const listed = (inventory.mfaDevices ?? []).map((d) => d.id);
  const orphans = await recordedOrphans(s.ctx.virtualMfa, s.options.knownVirtualMfaSerials ?? [], listed, s.virtualMfaMark);
  s.recordedOrphans = orphans.map(virtualDeviceItem);
  return "found";
}

function adoptTarget(s: TeardownState, identity: Exclude<Identity, { state: "gone" }>): void {
  const user = identity.user;
  const renamedFrom = identity.state === "renamed" ? identity.previousName : undefined;
  s.target = { userName: user.UserName!, userId: user.UserId!, arn: user.Arn, renamedFrom, user };
  if (renamedFrom) s.log(`IAM user ${renamedFrom} (${user.UserId}) was renamed to ${user.UserName}; tearing down ${user.UserName}`);
}

/** The first lists when they described the target; else (a rename, or the user gone under them) list again. */
async function firstInventory(s: TeardownState, first: Settled<Inventory> | undefined): Promise<Inventory | undefined> {
  if (first?.ok) return (s.inventory = first.value);
  if (first && !isNoSuchEntity(first.error)) throw permissionError(s, first.error);
  return rediscover(s);
}

/**
 * Whether the name still holds the target. Every identity check after the first goes through here, and is answered
 * with the re-checks of every other teardown on the same client (one ListUsers walk for all, see IdentityRechecks).
 */
export function confirmTarget(s: TeardownState): Promise<"same" | "gone"> {
  const { userName, userId } = s.target!;
  return withRetry(() => s.ctx.rechecks.confirm(s.ctx, userName, userId), s.bounds);
}

/**
 * The target no longer answers to its name: the user it moved to, if its UserId lives on under another name (renamed
 * during the teardown); undefined when it is gone (deleted out of band) or was never found.
 */
export async function movedTarget(s: TeardownState): Promise<(Identity & { state: "present" | "renamed" }) | undefined> {
  if (!s.target) return undefined;
  const { userName, userId } = s.target;
  const now = await withRetry(() => resolveIdentity(s.ctx, userName, userId), s.bounds).catch((err) =>
    Promise.reject(permissionError(s, err)),
  );
  return now.state === "gone" ? undefined : now;
}
