import { describeFailure } from "../aws/errors";
import { type ActivityOptions, readUserActivity, type UserActivity } from "./activity";
import { type ContextOptions, createContext } from "./context";
import { discoverInventory } from "./engine";
import { resolveIdentity } from "./identity";
import { DEPENDENCY_KINDS } from "./kinds";
import { disabledSinceOf } from "./quarantine";
import { emptyInventory, type InventoryDetail, inventoryDetail, type PlanStep, planSteps } from "./report";
import type { Inventory, KindRegistry } from "./types";

export interface PlanOptions extends ContextOptions {
  userName: string;
  expectedUserId?: string;
  deleteUser?: boolean;
  /** The dependency kinds to list; the package's registry unless given. */
  kinds?: KindRegistry;
  /**
   * Also read the user's activity (activity.ts); a failure to read it is reported in the plan, not thrown. `known`
   * gives an activity already read for this UserId (it is then not read again).
   */
  activity?: ActivityOptions & { known?: (userId: string) => UserActivity | undefined };
}

export interface TeardownPlan {
  requestedUserName: string;
  exists: boolean;
  userName: string;
  userId?: string;
  arn?: string;
  renamedFrom?: string;
  /** When the user was disabled (quarantine.ts), from the tags GetUser answers with; absent when it is not. */
  disabledSince?: string;
  inventory: Inventory;
  /** Per kind a count and identifiers, MFA devices with their kind, and the total. */
  summary: InventoryDetail;
  steps: PlanStep[];
  apiCalls: number;
  /** With the `activity` option: the user's activity, or why it could not be read. */
  activity?: UserActivity;
  activityError?: string;
}

/** What a teardown would remove, in order, without changing anything. */
export async function planTeardown(options: PlanOptions): Promise<TeardownPlan> {
  const ctx = createContext(options);
  const kinds = options.kinds ?? DEPENDENCY_KINDS;
  ctx.virtualMfa.prefetch();
  const identity = await resolveIdentity(ctx, options.userName, options.expectedUserId);
  if (identity.state === "gone") {
    const inventory = emptyInventory(kinds);
    return {
      requestedUserName: options.userName,
      exists: false,
      userName: options.userName,
      inventory,
      summary: inventoryDetail(inventory, kinds),
      steps: [],
      apiCalls: ctx.calls(),
    };
  }
  const user = identity.user;
  const inventory = await discoverInventory(ctx, user.UserName!, undefined, kinds);
  let activity: Pick<TeardownPlan, "activity" | "activityError"> = {};
  if (options.activity) {
    try {
      const known = options.activity.known?.(user.UserId!);
      activity = { activity: known ?? (await readUserActivity(ctx, user, { kinds, ...options.activity, inventory })) };
    } catch (err) {
      activity = { activityError: describeFailure(err) };
    }
  }
  return {
    requestedUserName: options.userName,
    exists: true,
    userName: user.UserName!,
    userId: user.UserId,
    arn: user.Arn,
    renamedFrom: identity.state === "renamed" ? identity.previousName : undefined,
    disabledSince: disabledSinceOf(Object.fromEntries((user.Tags ?? []).map((t) => [t.Key!, t.Value ?? ""]))),
    inventory,
    summary: inventoryDetail(inventory, kinds),
    steps: planSteps(user.UserName!, inventory, options.deleteUser !== false, kinds),
    apiCalls: ctx.calls(),
    ...activity,
  };
}
