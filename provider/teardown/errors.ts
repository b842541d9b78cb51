import type { DependencyItem } from "./types";

/**
 * The name now belongs to a different principal than the one this teardown was asked to remove. Refused before
 * anything was removed, or midway: then `removed` and `partlyRemoved` say what went before the refusal.
 */
export class IdentityMismatchError extends Error {
  override readonly name = "IdentityMismatchError";
  constructor(
    readonly userName: string,
    readonly expectedUserId: string,
    readonly actualUserId: string,
    readonly removed: readonly DependencyItem[] = [],
    readonly partlyRemoved: readonly PartlyRemoved[] = [],
  ) {
    super(
      `refusing to tear down IAM user ${userName}: it is now a different user (UserId ${actualUserId}, expected ` +
        `${expectedUserId}); the user this resource created was deleted and the name reused. ` +
        (removed.length === 0 && partlyRemoved.length === 0
          ? "Nothing was changed. "
          : `Removed before the refusal: ${itemList(removed)}.${partlyRemovedWords(partlyRemoved)} `) +
        `If the new user should go too, remove this resource from state (pulumi state delete) and manage it anew.`,
    );
  }

  /** The same refusal, coming after a teardown removed `removed` (and stopped `partlyRemoved` midway). */
  afterRemovals(removed: readonly DependencyItem[], partlyRemoved: readonly PartlyRemoved[]): IdentityMismatchError {
    return new IdentityMismatchError(this.userName, this.expectedUserId, this.actualUserId, removed, partlyRemoved);
  }
}

/** An item whose removal takes more than one call, stopped after some of them (a virtual MFA device deactivated, not deleted). */
export interface PartlyRemoved {
  item: DependencyItem;
  /** The calls IAM carried out, in order. */
  done: readonly string[];
}

/** The caller lacks a permission the teardown needs. Lists what was and was not done, so nothing is over- or under-reported. */
export class MissingPermissionError extends Error {
  override readonly name = "MissingPermissionError";
  constructor(
    readonly userName: string,
    readonly action: string,
    readonly detail: string,
    readonly removed: readonly DependencyItem[],
    readonly partlyRemoved: readonly PartlyRemoved[] = [],
    /** DeleteUser succeeded; what failed was deleting a virtual device it had held (which goes beside DeleteUser). */
    readonly userDeleted = false,
  ) {
    super(
      `tearing down IAM user ${userName} needs permission iam:${action}, which the caller does not have (${detail}). ` +
        (userDeleted ? `The user itself was deleted. ` : "") +
        `Removed before stopping: ${itemList(removed)}.${partlyRemovedWords(partlyRemoved)}`,
    );
  }

  /** The same failure, known to have come after DeleteUser succeeded. */
  afterUserDeleted(): MissingPermissionError {
    return new MissingPermissionError(this.userName, this.action, this.detail, this.removed, this.partlyRemoved, true);
  }
}

/** "accessKeys AKIA..., groupMemberships developers", or "nothing". */
function itemList(items: readonly DependencyItem[]): string {
  return items.length === 0 ? "nothing" : items.map((i) => `${i.kind} ${i.id}`).join(", ");
}

/** " Partly removed: mfaDevices arn:... (DeactivateMFADevice done: ...)." when any item was stopped midway. */
function partlyRemovedWords(partlyRemoved: readonly PartlyRemoved[]): string {
  if (partlyRemoved.length === 0) return "";
  const what = (p: PartlyRemoved) =>
    `${p.item.kind} ${p.item.id} (${p.done.join(", ")} done${p.item.mfaKind === "virtual" ? ": no longer on the user, but still in the account, unassigned" : ""})`;
  return ` Partly removed: ${partlyRemoved.map(what).join(", ")}.`;
}

/** DeleteUser still conflicts (or, in companion mode, dependencies keep appearing) after every allowed round. */
export class TeardownIncompleteError extends Error {
  override readonly name = "TeardownIncompleteError";
  constructor(
    readonly userName: string,
    readonly remaining: readonly DependencyItem[],
    readonly lastError: string,
    readonly rounds: number,
  ) {
    super(
      `IAM user ${userName} could not be deleted after ${rounds} round(s): ` +
        (remaining.length > 0
          ? `still blocked by ${itemList(remaining)}`
          : `no dependency is listed any more, but IAM still answers: ${lastError}`) +
        `. Run the teardown again, or inspect with: iam-user-teardown plan ${userName}`,
    );
  }
}
