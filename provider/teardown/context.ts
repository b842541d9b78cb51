import type { IAMClient } from "@aws-sdk/client-iam";
import { type AwsConnection, iamClientFor } from "../aws/client";
import { Semaphore } from "./pool";
import type { KindContext, SendOptions } from "./types";
import { VirtualMfaIndex } from "./virtual-mfa";

/** Requests in flight to IAM from one process, across every teardown sharing a client: the SDK's socket pool. */
export const DEFAULT_MAX_IN_FLIGHT = 50;

interface ClientShared {
  inFlight: Semaphore;
  virtualMfa: VirtualMfaIndex;
}
const sharedByClient = new WeakMap<IAMClient, ClientShared>();

function sharedFor(client: IAMClient, maxInFlight: number): ClientShared {
  let shared = sharedByClient.get(client);
  if (!shared) {
    const inFlight = new Semaphore(maxInFlight);
    const send = <O>(command: unknown): Promise<O> => inFlight.run(() => sendNamed<O>(client, command));
    shared = { inFlight, virtualMfa: VirtualMfaIndex.forClient(client, send) };
    sharedByClient.set(client, shared);
  }
  return shared;
}

/** The IAM action a command object stands for: `DeleteAccessKeyCommand` -> `DeleteAccessKey`. */
export function actionOf(command: unknown): string {
  return (command as { constructor: { name: string } }).constructor.name.replace(/Command$/, "");
}

/** Sends, and tags any error with the IAM action that raised it, for messages that name the missing permission. */
async function sendNamed<O>(client: IAMClient, command: unknown, options?: SendOptions): Promise<O> {
  try {
    return (await client.send(command as never, options ?? {})) as O;
  } catch (err) {
    if (err && typeof err === "object") (err as { iamAction?: string }).iamAction = actionOf(command);
    throw err;
  }
}

export interface ContextOptions {
  client?: IAMClient;
  connection?: AwsConnection;
  pageSize?: number;
  maxInFlight?: number;
}

export interface CountingContext extends KindContext {
  /** Calls this context has sent (shared classification listings are not counted here). */
  calls: () => number;
}

export function createContext(options: ContextOptions): CountingContext {
  const client = options.client ?? iamClientFor(options.connection);
  const shared = sharedFor(client, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  let calls = 0;
  return {
    client,
    pageSize: options.pageSize ?? 1000,
    virtualMfa: shared.virtualMfa,
    send: <O>(command: unknown, options?: SendOptions) => {
      calls++;
      return shared.inFlight.run(() => sendNamed<O>(client, command, options));
    },
    calls: () => calls,
  };
}
