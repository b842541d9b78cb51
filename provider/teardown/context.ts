import type { IAMClient } from "@aws-sdk/client-iam";
import { actionOf, markAnswer } from "../aws/action";
import { type AwsConnection, iamClientFor } from "../aws/client";
import { errorCode } from "../aws/errors";
import { RATE_LIMIT_MIDDLEWARE, rateLimiterOf, sendWhenSlotFree } from "../aws/rate-limit";
import { IdentityRechecks } from "./identity-rechecks";
import { Semaphore } from "./pool";
import type { KindContext, SendOptions } from "./types";
import { VirtualMfaIndex } from "./virtual-mfa";

/**
 * Requests on the wire to IAM from one process, across every teardown sharing a client: the SDK's socket pool. A
 * request waiting for its action's slot in the rate limiter, or for its next attempt, holds no place: a call of an
 * idle action never queues behind calls of a throttled one.
 */
export const DEFAULT_MAX_IN_FLIGHT = 50;

/** What every teardown of a process sharing one client shares besides the client (and its rate limiter). */
interface ClientShared {
  inFlight: Semaphore;
  virtualMfa: VirtualMfaIndex;
  rechecks: IdentityRechecks;
}
const sharedByClient = new WeakMap<IAMClient, ClientShared>();

function sharedFor(client: IAMClient, maxInFlight: number): ClientShared {
  let shared = sharedByClient.get(client);
  if (!shared) {
    const inFlight = new Semaphore(maxInFlight);
    holdPlaceOnTheWire(client, inFlight);
    const send = <O>(command: unknown): Promise<O> => sendNamed<O>(client, command);
    shared = { inFlight, virtualMfa: VirtualMfaIndex.forClient(client, send), rechecks: new IdentityRechecks(send) };
    sharedByClient.set(client, shared);
  }
  return shared;
}

/** Each attempt holds a place in `inFlight` from its send to its answer: after the rate limiter's wait, inside the retries. */
function holdPlaceOnTheWire(client: IAMClient, inFlight: Semaphore): void {
  type Handler = (args: unknown) => Promise<unknown>;
  const middleware = (next: Handler) => (args: unknown) => inFlight.run(() => next(args));
  const name = "iamUserTeardownInFlight";
  if (rateLimiterOf(client))
    client.middlewareStack.addRelativeTo(middleware as never, { relation: "after", toMiddleware: RATE_LIMIT_MIDDLEWARE, name });
  else client.middlewareStack.add(middleware as never, { step: "finalizeRequest", priority: "low", name });
}

export { actionOf };

/**
 * Sends, and tags any error with the IAM action that raised it, for messages that name the missing permission; the
 * answer is marked with its action too (for a page walk's messages).
 */
async function sendNamed<O>(client: IAMClient, command: unknown, options?: SendOptions): Promise<O> {
  const { onSent, onUnanswered, ...httpOptions } = options ?? {};
  if (onSent || onUnanswered) reportEachAttempt(command, { onSent, onUnanswered });
  const action = actionOf(command);
  try {
    return markAnswer(
      await sendWhenSlotFree(client, command as object, action, () => client.send(command as never, httpOptions) as Promise<O>),
      action,
    );
  } catch (err) {
    if (err && typeof err === "object") (err as { iamAction?: string }).iamAction = action;
    throw err;
  }
}

/**
 * Calls `onSent` as each attempt of the command is handed to the HTTP handler: the innermost step of the SDK's stack,
 * after the rate limiter's wait, the retry strategy and signing, so the moment is the attempt's own. Calls
 * `onUnanswered` when the handler brings back no answer at all: a connection refused never carried the request, any
 * other failure there (dropped, reset, timed out, aborted) may have lost the answer of a request IAM carried out.
 */
function reportEachAttempt(command: unknown, on: Pick<SendOptions, "onSent" | "onUnanswered">): void {
  type Handler = (args: unknown) => Promise<unknown>;
  type Stack = { add(middleware: (next: Handler) => Handler, options: { step: "deserialize"; priority: "low"; name: string }): void };
  (command as { middlewareStack: Stack }).middlewareStack.add(
    (next) => async (args) => {
      on.onSent?.();
      try {
        return await next(args);
      } catch (err) {
        if (errorCode(err) !== "ECONNREFUSED") on.onUnanswered?.();
        throw err;
      }
    },
    { step: "deserialize", priority: "low", name: "iamUserTeardownOnSent" },
  );
}

/**
 * The actions one operation sent an attempt of that got no answer, across every retry of it (the SDK's and the
 * engine's): IAM may have carried such an attempt out, so a retry answered NoSuchEntity may be answering our own
 * removal, not someone else's.
 */
export class UnansweredAttempts {
  private readonly actions = new Set<string>();

  /** `base`, noting each attempt of every call sent through it that gets no answer. */
  watch<C extends KindContext>(base: C): C {
    const send = <O>(command: unknown, options?: SendOptions): Promise<O> =>
      base.send<O>(command, {
        ...options,
        onUnanswered: () => {
          options?.onUnanswered?.();
          this.actions.add(actionOf(command));
        },
      });
    return { ...base, send };
  }

  /** Whether `err`, a NoSuchEntity, answers a call of which an earlier attempt got no answer (so may have done it). */
  mayAnswerOurOwn(err: unknown): boolean {
    const action = (err as { iamAction?: string } | undefined)?.iamAction;
    return action !== undefined && this.actions.has(action);
  }
}

export interface ContextOptions {
  client?: IAMClient;
  connection?: AwsConnection;
  pageSize?: number;
  maxInFlight?: number;
}

export interface CountingContext extends KindContext {
  /** Calls this context has sent (shared listings, of virtual devices or of users, are not counted here). */
  calls: () => number;
  /** The identity re-checks of every teardown on this client, answered together. */
  rechecks: IdentityRechecks;
}

/** The shared parts of a client, for tests and the bench that show what a process shares. */
export function sharedOf(client: IAMClient): Readonly<ClientShared> | undefined {
  return sharedByClient.get(client);
}

export function createContext(options: ContextOptions): CountingContext {
  const client = options.client ?? iamClientFor(options.connection);
  const shared = sharedFor(client, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  let calls = 0;
  return {
    client,
    pageSize: options.pageSize ?? 1000,
    virtualMfa: shared.virtualMfa,
    rechecks: shared.rechecks,
    send: <O>(command: unknown, options?: SendOptions) => {
      calls++;
      return sendNamed<O>(client, command, options);
    },
    calls: () => calls,
  };
}
