/**
 * The IAM action a command stands for (`new DeleteAccessKeyCommand(...)` -> "DeleteAccessKey"), for the per-action
 * limits and the messages that name a missing permission. Read from the operation schema the SDK builds every
 * command with (`[9, "com.amazonaws.iam", "DeleteAccessKey", ...]`): a string in the SDK's own code, which a minifying
 * bundler keeps, where it renames the class (so `constructor.name` would read "e"). The middleware context's
 * `commandName` is built from the same string.
 */
export function actionOf(command: unknown): string {
  const schema = (command as { schema?: unknown } | null | undefined)?.schema;
  const operation = Array.isArray(schema) ? schema[2] : (schema as { name?: unknown } | undefined)?.name;
  if (typeof operation === "string" && operation !== "") return operation;
  // Not an SDK command (a test's own object): its class name is all there is.
  return String((command as { constructor?: { name?: unknown } } | null | undefined)?.constructor?.name ?? "unknown").replace(
    /Command$/,
    "",
  );
}

const ANSWERED_BY = Symbol("iamAction");

/** Marks an answer with the action that produced it; not enumerable, so never serialized or logged. */
export function markAnswer<O>(output: O, action: string): O {
  if (output && typeof output === "object") Object.defineProperty(output, ANSWERED_BY, { value: action, enumerable: false });
  return output;
}

/** The action an answer came from, when it came through the package's send (see markAnswer). */
export function actionOfAnswer(output: unknown): string | undefined {
  return output && typeof output === "object" ? (output as { [ANSWERED_BY]?: string })[ANSWERED_BY] : undefined;
}
