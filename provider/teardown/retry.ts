import { errorCode, isThrottling, isTransientConflict } from "../aws/errors";
import { type Clock, systemClock } from "../clock";

export interface RetryBounds {
  /** Attempts per operation for conditions IAM clears by itself. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Absolute time (ms since epoch) after which nothing is retried. */
  deadline: number;
  /** Where the deadline is read and the waits are spent (the system's by default). */
  clock?: Clock;
}

/** Answers worth another try after the SDK's own retries: IAM is busy or briefly locked, not refusing. */
export function isRetryable(err: unknown): boolean {
  if (isTransientConflict(err) || isThrottling(err)) return true;
  const code = errorCode(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return (
    code === "ServiceFailure" ||
    code === "ServiceUnavailable" ||
    code === "TimeoutError" ||
    code === "ECONNRESET" ||
    code === "EPIPE" ||
    (status !== undefined && status >= 500)
  );
}

type DelayBounds = Pick<RetryBounds, "baseDelayMs" | "maxDelayMs">;

/** The capped exponential wait before attempt `attempt + 1`: base, 2 x base, 4 x base, ... up to maxDelayMs. */
export function exponentialDelay(attempt: number, bounds: DelayBounds): number {
  return Math.min(bounds.maxDelayMs, bounds.baseDelayMs * 2 ** (attempt - 1));
}

/** Exponential backoff with jitter (between half and all of the capped exponential wait). */
export function backoffDelay(attempt: number, bounds: DelayBounds): number {
  const ceiling = exponentialDelay(attempt, bounds);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * Waits before looking again at something IAM has to catch up with (a deleted user still answering, a DeleteConflict
 * with nothing left to remove): the plain capped exponential, no jitter, since nothing else competes for it.
 */
export const waitForIam = (attempt: number, bounds: DelayBounds & Pick<RetryBounds, "clock">): Promise<void> =>
  (bounds.clock ?? systemClock).sleep(exponentialDelay(attempt, bounds));

export async function withRetry<T>(operation: () => Promise<T>, bounds: RetryBounds): Promise<T> {
  const clock = bounds.clock ?? systemClock;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      const delay = backoffDelay(attempt, bounds);
      if (!isRetryable(err) || attempt >= bounds.attempts || clock.now() + delay > bounds.deadline) throw err;
      await clock.sleep(delay);
    }
  }
}
