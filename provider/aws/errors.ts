/** Error classification for IAM answers, by the error's `name` (the IAM error code) as the SDK v3 reports it. */

export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === "object") {
    const e = err as { name?: unknown; Code?: unknown; code?: unknown };
    if (typeof e.Code === "string") return e.Code;
    if (typeof e.name === "string" && e.name !== "Error") return e.name;
    if (typeof e.code === "string") return e.code;
  }
  return undefined;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export const isNoSuchEntity = (err: unknown): boolean => errorCode(err) === "NoSuchEntity";
export const isDeleteConflict = (err: unknown): boolean => errorCode(err) === "DeleteConflict";
export const isAccessDenied = (err: unknown): boolean => {
  const code = errorCode(err);
  return code === "AccessDenied" || code === "AccessDeniedException" || code === "UnauthorizedOperation";
};

/** Conditions IAM clears by itself after a moment: the SDK does not retry them, the engine does. */
export const isTransientConflict = (err: unknown): boolean => {
  const code = errorCode(err);
  return code === "EntityTemporarilyUnmodifiable" || code === "ConcurrentModification";
};

export const isThrottling = (err: unknown): boolean => {
  const code = errorCode(err);
  return code === "Throttling" || code === "ThrottlingException" || code === "RequestLimitExceeded" || code === "TooManyRequestsException";
};

/**
 * An error in words for a person, naming the IAM action it came from. An answer that is not IAM's XML reads
 * "GetUser: the answer is not IAM's (HTTP 403): <html>..." (aws/foreign-answer.ts), never a bare parse error.
 */
export function describeFailure(err: unknown): string {
  const action = (err as { iamAction?: string } | undefined)?.iamAction;
  const message = errorMessage(err);
  return action && !message.includes(action) ? `${action}: ${message}` : message;
}
