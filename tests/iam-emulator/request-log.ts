// The request log: one small entry per request, in arrival order. Tests use it to count calls,
// to prove which principals a run touched, and to derive the set of IAM actions a run needed.

import type { Params } from "./protocol";

export interface RequestLogEntry {
  seq: number;
  action: string;
  params: Record<string, string>;
  accessKeyId?: string;
  /** The region the request was signed for (SigV4's credential scope). */
  signingRegion?: string;
  /** The User-Agent header, where the SDK puts the caller's custom user agent. */
  userAgent?: string;
  /** The account the request acted in (a session's, or the home account). */
  accountId?: string;
  /** The principal (user) the call touches, if any. */
  userName?: string;
  /** ARN or identifier of the item touched (key id, serial, group name, policy ARN, device ARN...). */
  resource?: string;
  mutating: boolean;
  status: number;
  errorCode?: string;
  /** Which injected fault answered, if any: throttle-rate, throttle, service-failure, service-unavailable, drop, concurrent-modification, drop-after-handling, truncated-without-marker, repeated-marker, access-denied, hook-error. */
  fault?: string;
  startedAt: number;
  endedAt: number;
}

const SECRET_PARAMS = new Set(["Password", "NewPassword", "OldPassword"]);
const MAX_PARAM_LENGTH = 256;

/** Request parameters as logged: without Action/Version, passwords redacted, long values (policy documents, key bodies) cut. */
export function loggedParams(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === "Action" || k === "Version") continue;
    if (SECRET_PARAMS.has(k)) out[k] = "***";
    else out[k] = v.length > MAX_PARAM_LENGTH ? `${v.slice(0, MAX_PARAM_LENGTH)}...` : v;
  }
  return out;
}

export class RequestLog {
  /** The entries; the same array for the emulator's whole life (clear() empties it in place). */
  readonly entries: RequestLogEntry[] = [];

  constructor(
    private readonly enabled: boolean,
    private readonly maxEntries: number,
  ) {}

  add(entry: RequestLogEntry): void {
    if (!this.enabled) return;
    this.entries.push(entry);
    // Keep the newest maxEntries.
    while (this.entries.length > this.maxEntries) this.entries.shift();
  }

  clear(): void {
    this.entries.length = 0;
  }
}
