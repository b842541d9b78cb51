import { errorCode, isThrottling, isTransientConflict } from "../aws/errors";
import { sleep } from "./pool";

export interface RetryBounds {
  /** Attempts per operation for conditions IAM clears by itself. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Absolute time (ms since epoch) after which nothing is retried. */
  deadline: number;
}

/** Answers worth another try after the SDK's own retries: IAM is busy or briefly locked, not refusing. */
export function isRetryable(err: unknown): boolean {
  if (isTransientConflict(err) || isThrottling(err)) return true;
  const code = errorCode(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return code === "ServiceFailure" || code === "ServiceUnavailable" || code === "TimeoutError" ||
    code === "ECONNRESET" || code === "EPIPE" || (status !== undefined && status >= 500);
}

/** Exponential backoff with full jitter, capped. */
export function backoffDelay(attempt: number, bounds: Pick<RetryBounds, "baseDelayMs" | "maxDelayMs">): number {
  const ceiling = Math.min(bounds.maxDelayMs, bounds.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

export async function withRetry<T>(operation: () => Promise<T>, bounds: RetryBounds): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      const delay = backoffDelay(attempt, bounds);
      if (!isRetryable(err) || attempt >= bounds.attempts || Date.now() + delay > bounds.deadline) throw err;
      await sleep(delay);
    }
  }
}
