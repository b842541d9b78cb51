import { describeItem } from "../report";
import { deleteOrphans, MFA_KIND_ID } from "../virtual-mfa";
import { currentName, permissionError, type TeardownState } from "./state";

/**
 * Phase five, once the user is gone (deleted out of band, before or during the teardown): deleting a user deactivates
 * its virtual MFA devices without deleting them, so any it was known to hold that are now unassigned are deleted,
 * and none stays as an orphan.
 */
export async function sweepOrphans(s: TeardownState): Promise<void> {
  const name = currentName(s);
  const removedHere = new Set(s.removed.filter((i) => i.kind === MFA_KIND_ID).map((i) => i.id));
  const candidates = [...s.heldVirtual].filter((serial) => !removedHere.has(serial));
  await deleteOrphans(s.ctx, candidates, s.bounds, (item) => {
    s.removed.push(item);
    s.log(`removed ${describeItem(item, s.kinds)}, left unassigned when IAM user ${name} was deleted`);
  }).catch((err) => Promise.reject(permissionError(s, err)));
}
