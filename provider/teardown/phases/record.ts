import { describeFailure } from "../../aws/errors";
import { describeForRecord, RecordNotWrittenError, withTeardown } from "../record";
import { permissionError, type TeardownReport, type TeardownState } from "./state";

/**
 * Before the first removal: the user's record, written and acknowledged. If it cannot be read or written, nothing of
 * the user is removed and the error says why. A record of the same user already stored (a rerun after an interrupted
 * teardown) is kept as it is: this run sees less than the first one did.
 */
export async function recordBefore(s: TeardownState): Promise<void> {
  const writer = s.options.record;
  if (!writer || s.record) return;
  const { user } = s.target!;
  let described: Awaited<ReturnType<typeof describeForRecord>>;
  try {
    described = await describeForRecord(s.ctx, user!, s.inventory!, s.kinds, s.bounds);
  } catch (err) {
    const failure = permissionError(s, err);
    throw new RecordNotWrittenError(
      s.target!.userName,
      s.target!.userId,
      writer.location,
      `reading what it records failed: ${describeFailure(failure)}`,
    );
  }
  try {
    s.record = await writer.keepBefore(described);
  } catch (err) {
    throw new RecordNotWrittenError(s.target!.userName, s.target!.userId, writer.location, describeFailure(err));
  }
  s.log(`recorded IAM user ${s.target!.userName} (${s.target!.userId}) in ${writer.location} before removing anything`);
}

/** Once the teardown ended: the record gains what was removed and the outcome (or the failure). */
export async function recordOutcome(s: TeardownState, end: { report?: TeardownReport; error?: unknown }): Promise<void> {
  const writer = s.options.record;
  if (!writer || !s.record) return;
  const removed = (end.error as { removed?: unknown } | undefined)?.removed;
  const completed = withTeardown(s.record, {
    report: end.report,
    error: end.error === undefined ? undefined : describeFailure(end.error),
    removed: Array.isArray(removed) ? removed : s.removed,
  });
  try {
    await writer.complete(completed);
    s.record = completed;
  } catch (err) {
    // The teardown itself is done; its record keeps the "before" part, and says no outcome.
    s.log(`the record of IAM user ${s.target?.userName} in ${writer.location} could not be completed: ${describeFailure(err)}`);
  }
}
