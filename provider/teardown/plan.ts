import { createContext, type ContextOptions } from "./context";
import { discoverInventory } from "./engine";
import { resolveIdentity } from "./identity";
import { emptyInventory, inventoryOutput, planSteps, type InventoryOutput, type PlanStep } from "./report";
import type { Inventory } from "./types";

export interface PlanOptions extends ContextOptions {
  userName: string;
  expectedUserId?: string;
  deleteUser?: boolean;
}

export interface TeardownPlan {
  requestedUserName: string;
  exists: boolean;
  userName: string;
  userId?: string;
  arn?: string;
  renamedFrom?: string;
  inventory: Inventory;
  summary: InventoryOutput;
  steps: PlanStep[];
  apiCalls: number;
}

/** What a teardown would remove, in order, without changing anything. */
export async function planTeardown(options: PlanOptions): Promise<TeardownPlan> {
  const ctx = createContext(options);
  ctx.virtualMfa.prefetch();
  const identity = await resolveIdentity(ctx, options.userName, options.expectedUserId);
  if (identity.state === "gone") {
    const inventory = emptyInventory();
    return { requestedUserName: options.userName, exists: false, userName: options.userName, inventory, summary: inventoryOutput(inventory), steps: [], apiCalls: ctx.calls() };
  }
  const user = identity.user;
  const inventory = await discoverInventory(ctx, user.UserName!);
  return {
    requestedUserName: options.userName,
    exists: true,
    userName: user.UserName!,
    userId: user.UserId,
    arn: user.Arn,
    renamedFrom: identity.state === "renamed" ? identity.previousName : undefined,
    inventory,
    summary: inventoryOutput(inventory),
    steps: planSteps(user.UserName!, inventory, options.deleteUser !== false),
    apiCalls: ctx.calls(),
  };
}
