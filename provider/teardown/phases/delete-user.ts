import { DeleteUserCommand } from "@aws-sdk/client-iam";
import { errorMessage, isDeleteConflict, isNoSuchEntity } from "../../aws/errors";
import { UnansweredAttempts } from "../context";
import { TeardownIncompleteError } from "../errors";
import { getUserOrUndefined } from "../identity";
import { describeItem, flattenInventory } from "../report";
import { waitForIam, withRetry } from "../retry";
import { rediscover } from "./discover";
import type { TeardownState } from "./state";
import { permissionError } from "./state";

/** What a round ends in: the user deleted or cleared, the user gone meanwhile, or another round needed. */
export type RoundEnd = "deleted" | "cleared" | "gone" | "again";

const outOfTime = (s: TeardownState, round: number) => round >= s.maxRounds || Date.now() > s.bounds.deadline;

/**
 * Phase four: DeleteUser (with `verify`, then GetUser until the user is gone). A DeleteConflict (something new appeared, or IAM has not
 * caught up with the removals) lists again for another round, until maxRounds or the deadline.
 */
export async function deleteAndVerify(s: TeardownState, round: number): Promise<RoundEnd> {
  const { userName, userId } = s.target!;
  const unanswered = new UnansweredAttempts();
  const ctx = unanswered.watch(s.ctx);
  try {
    await withRetry(() => ctx.send(new DeleteUserCommand({ UserName: userName })), s.bounds);
  } catch (err) {
    if (isNoSuchEntity(err)) {
      // An attempt whose answer was lost (a dropped connection) may have deleted the user: the retry then finds it gone.
      s.deletedUnheard = unanswered.mayAnswerOurOwn(err);
      s.log(
        s.deletedUnheard
          ? `DeleteUser ${userName}: an attempt got no answer, and its retry found the user gone: that attempt deleted it`
          : `IAM user ${userName} was deleted by someone else during the teardown`,
      );
      return "gone";
    }
    if (!isDeleteConflict(err)) throw permissionError(s, err);
    return conflictRound(s, round, errorMessage(err));
  }
  // A 200 from DeleteUser is IAM's own answer that the user is deleted; looking again only waits out replication.
  if (s.options.verify === true) await verifyGone(s, userName, userId);
  return "deleted";
}

async function conflictRound(s: TeardownState, round: number, conflict: string): Promise<RoundEnd> {
  const inventory = await rediscover(s);
  if (!inventory) return "gone";
  const left = flattenInventory(inventory, s.kinds);
  // What a plan does not hold is never removed: another round cannot help, so say exactly what blocks the user now.
  const unplanned = s.options.onlyItems ? left.filter((i) => !s.options.onlyItems!(i)) : [];
  if (unplanned.length > 0) throw new TeardownIncompleteError(s.target!.userName, unplanned, `not in the plan: ${conflict}`, round);
  if (outOfTime(s, round)) throw new TeardownIncompleteError(s.target!.userName, left, conflict, round);
  const next = left.length === 0 ? "nothing new (waiting for IAM to catch up)" : left.map((i) => describeItem(i, s.kinds)).join(", ");
  s.log(`DeleteUser ${s.target!.userName}: ${conflict}; round ${round + 1} removes ${next}`);
  // Nothing listed means IAM has not caught up with the removals yet: give it a moment before asking again.
  if (left.length === 0) await waitForIam(round, s.bounds);
  return "again";
}

/** Companion mode: nothing answers DeleteConflict, so look once more for anything that appeared meanwhile. */
export async function confirmCleared(s: TeardownState, round: number): Promise<RoundEnd> {
  const inventory = await rediscover(s);
  if (!inventory) return "gone";
  const left = flattenInventory(inventory, s.kinds);
  if (left.length === 0) return "cleared";
  const unplanned = s.options.onlyItems ? left.filter((i) => !s.options.onlyItems!(i)) : [];
  if (unplanned.length > 0) throw new TeardownIncompleteError(s.target!.userName, unplanned, "not in the plan", round);
  if (outOfTime(s, round)) throw new TeardownIncompleteError(s.target!.userName, left, "dependencies keep appearing", round);
  return "again";
}

/** IAM is eventually consistent: a just-deleted user can still answer GetUser for a moment. */
async function verifyGone(s: TeardownState, name: string, id: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const still = await withRetry(() => getUserOrUndefined(s.ctx, name), s.bounds);
    if (!still || still.UserId !== id) return;
    if (attempt >= s.bounds.attempts || Date.now() > s.bounds.deadline) {
      throw new Error(`DeleteUser ${name} succeeded, but IAM still returns the user (${id}) after ${attempt} checks`);
    }
    await waitForIam(attempt, s.bounds);
  }
}
