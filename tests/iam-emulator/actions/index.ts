// The action table: every IAM action the emulator answers, by name.

import { accountActions } from "./account";
import { activityActions } from "./activity";
import type { ActionHandler } from "./common";
import { credentialActions } from "./credentials";
import { groupPolicyActions } from "./groups-policies";
import { mfaActions } from "./mfa";
import { userActions } from "./users";

export { ActionContext, ActionHandler } from "./common";

export const ACTIONS: Readonly<Record<string, ActionHandler>> = Object.freeze({
  ...userActions,
  ...credentialActions,
  ...mfaActions,
  ...groupPolicyActions,
  ...activityActions,
  ...accountActions,
});

const MUTATING = /^(Create|Delete|Update|Put|Attach|Detach|Add|Remove|Enable|Deactivate|Tag|Untag|Upload|Reset|Resync|Set|Change)/;

/** True for calls that change state (the ones ConcurrentModification faults can hit). */
export function isMutating(action: string): boolean {
  return MUTATING.test(action);
}
