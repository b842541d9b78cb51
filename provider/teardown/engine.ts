import type { User } from "@aws-sdk/client-iam";
import { IdentityMismatchError, MissingPermissionError, TeardownIncompleteError } from "./errors";
import { confirmCleared, deleteAndVerify, type RoundEnd } from "./phases/delete-user";
import { identifyAndDiscover, movedTarget } from "./phases/identify";
import { recordBefore, recordOutcome } from "./phases/record";
import { removeDependencies } from "./phases/remove";
import {
  createState,
  finish,
  type Lineage,
  type TeardownOptions,
  type TeardownReport,
  type TeardownState,
  targetFields,
} from "./phases/state";
import { sweepOrphans } from "./phases/sweep-orphans";
import type { DependencyItem } from "./types";

export { discoverInventory } from "./phases/discover";
export { TEARDOWN_DEFAULTS, type TeardownOptions, type TeardownReport } from "./phases/state";

/** Renames followed within one teardown before giving up (a name that keeps changing is someone else's work in progress). */
const MAX_FOLLOWS = 3;

/**
 * Removes `userName` and everything that blocks its deletion, in phases over one state:
 *   1. identify  2. discover   whom the name belongs to, and everything hanging on it (together)
 *   3. remove                  every dependency, concurrently, the identity re-checked around it
 *   4. delete                  DeleteUser (GetUser until it is gone with `verify`), beside the deletion of the virtual
 *                              devices just deactivated; a DeleteConflict starts another round
 *   5. sweep orphans           when the user turned out gone: its virtual MFA devices left unassigned
 * A user renamed during the teardown is followed under its new name by a fresh teardown, reported as one.
 */
export function teardownUser(options: TeardownOptions): Promise<TeardownReport> {
  return runTeardown(options, { depth: 0 });
}

async function runTeardown(options: TeardownOptions, lineage: Lineage): Promise<TeardownReport> {
  const s = createState(options, lineage);
  const ended = s.ctx.rechecks.teardownStarted();
  try {
    const report = await runPhases(s);
    await recordOutcome(s, { report });
    return report;
  } catch (caught) {
    // A reused name refused midway (a later round, a rename followed): the refusal says what went before it.
    const err =
      caught instanceof IdentityMismatchError
        ? caught.afterRemovals([...s.removed, ...caught.removed], [...s.partlyRemoved, ...caught.partlyRemoved])
        : caught;
    await recordOutcome(s, { error: err });
    throw err;
  } finally {
    ended();
  }
}

async function runPhases(s: TeardownState): Promise<TeardownReport> {
  // The account's virtual device list is needed to classify ARN-form MFA serials; start it now, off the critical path.
  s.ctx.virtualMfa.prefetch();
  if ((await identifyAndDiscover(s)) === "gone") return whenGone(s, 0);
  await recordBefore(s);
  for (let round = 1; ; round++) {
    const end = await runRound(s, round);
    if (end === "gone") return whenGone(s, round);
    if (end !== "again") return finish(s, { ...targetFields(s), outcome: end }, round);
  }
}

/**
 * Phases three and four, one round of them. Deleting the virtual devices the round deactivated goes on beside
 * DeleteUser (a deactivated device no longer blocks it); the round ends when both have answered.
 */
async function runRound(s: TeardownState, round: number): Promise<RoundEnd> {
  const removal = await removeDependencies(s, round);
  if (removal.state === "gone" || s.options.deleteUser === false) {
    await removal.trailing;
    return removal.state === "gone" ? "gone" : confirmCleared(s, round);
  }
  const [deletion, trailing] = await Promise.allSettled([deleteAndVerify(s, round), removal.trailing]);
  if (deletion.status === "rejected") throw deletion.reason;
  if (trailing.status === "rejected") {
    const err = trailing.reason;
    throw deletion.value === "deleted" && err instanceof MissingPermissionError ? err.afterUserDeleted() : err;
  }
  return deletion.value;
}

/**
 * The user no longer answers to its name: follow it if it was renamed, else it is gone and its orphans are swept.
 * Gone by our own DeleteUser, whose answer was lost, it was deleted by this teardown; else it was already gone.
 */
async function whenGone(s: TeardownState, rounds: number): Promise<TeardownReport> {
  const moved = await movedTarget(s);
  if (moved) return follow(s, moved.user, rounds);
  await sweepOrphans(s);
  return finish(s, { ...targetFields(s), outcome: s.deletedUnheard ? "deleted" : "already-gone" }, rounds);
}

/** Hands the rest of the teardown over to a fresh one under the user's new name, and reports both as one. */
async function follow(s: TeardownState, live: User, rounds: number): Promise<TeardownReport> {
  const { options, lineage } = s;
  if (lineage.depth >= MAX_FOLLOWS) {
    throw new Error(
      `IAM user ${options.userName} (${live.UserId}) was renamed ${lineage.depth + 1} times during the teardown, now to ${live.UserName}; run the teardown again once it stops changing`,
    );
  }
  s.log(`IAM user ${s.target!.userName} (${live.UserId}) was renamed to ${live.UserName} during the teardown; following it`);
  const handOver: TeardownOptions = {
    ...options,
    userName: live.UserName!,
    expectedUserId: live.UserId,
    knownVirtualMfaSerials: [...s.heldVirtual],
    timeoutMs: Math.max(1, s.bounds.deadline - Date.now()),
  };
  const rest = await runTeardown(handOver, { depth: lineage.depth + 1 }).catch((err) => {
    if (err instanceof MissingPermissionError)
      throw new MissingPermissionError(err.userName, err.action, err.detail, [...s.removed, ...err.removed], err.partlyRemoved);
    throw err;
  });
  mergeFollowed(s, rest);
  return finish(
    s,
    { userName: rest.userName, userId: rest.userId, arn: rest.arn, outcome: rest.outcome, renamedFrom: options.userName },
    rounds + rest.rounds,
  );
}

function mergeFollowed(s: TeardownState, rest: TeardownReport): void {
  const same = (a: DependencyItem) => (b: DependencyItem) => a.kind === b.kind && a.id === b.id;
  // Removals the old name answered NoSuchEntity to were not gone: the user had moved. The new name removed them.
  for (let i = s.alreadyGone.length - 1; i >= 0; i--) if (rest.removed.some(same(s.alreadyGone[i]))) s.alreadyGone.splice(i, 1);
  s.removed.push(...rest.removed);
  s.alreadyGone.push(...rest.alreadyGone.filter((item) => !s.alreadyGone.some(same(item))));
  s.followedCalls += rest.apiCalls;
}

export { IdentityMismatchError, MissingPermissionError, TeardownIncompleteError };
