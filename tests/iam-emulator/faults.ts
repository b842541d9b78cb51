// Injected faults: per-action token-bucket throttling, seeded random throttling, server
// errors, dropped connections and ConcurrentModification, and scripted faults aimed at the
// n-th request of an action (an answer lost after the request was carried out, malformed pages).
//
// Random faults are drawn from one mulberry32 stream in request-arrival order. Every request a
// random fault may hit draws the same five numbers whatever shares are configured, so the same
// seed and the same sequence of requests give the same faults.

import { actionMatches, qualifiedAction } from "./policy";
import { mulberry32, type Random } from "./prng";
import { IamError, type XmlObject } from "./protocol";

export interface ThrottleOptions {
  ratePerSecond: number;
  burst?: number;
  actions?: string[];
}

export interface FaultOptions {
  /** PRNG seed for every random fault (and for generated ids); same seed + same requests = same faults. */
  seed?: number;
  /** Per-action token buckets (each action its own bucket; `actions` limits which); an empty bucket answers 400 Throttling "Rate exceeded". */
  throttle?: ThrottleOptions;
  /** 0..1 share of calls answered Throttling at random. */
  throttleShare?: number;
  /** 0..1 share of calls answered 500 ServiceFailure or 503 ServiceUnavailable. */
  serverErrorShare?: number;
  /** 0..1 share of calls whose socket is destroyed without an answer. */
  dropConnectionShare?: number;
  /** 0..1 share of mutating calls answered 409 ConcurrentModification. */
  concurrentModificationShare?: number;
  /** When set, the random faults above only hit these actions ('DeleteUser' or 'iam:DeleteUser'; wildcards allowed). */
  faultActions?: string[];
  /** Faults aimed at chosen requests of an action (they draw no random number: the seeded faults stay as they were). */
  scripted?: ScriptedFault[];
}

/**
 * A fault for the n-th request of an action to arrive (or, with `every`, each from the n-th on):
 * - `drop-after-handling`: the request is carried out, then the socket is destroyed without an answer (the
 *   client cannot tell it from a request that never arrived, and its retry finds the work done);
 * - `truncated-without-marker`: a List page says IsTruncated, but carries no Marker;
 * - `repeated-marker`: a List page asked with a Marker answers with that same Marker (IsTruncated), so a walk
 *   that follows it asks for the same page forever. A page asked without a Marker is answered as it is.
 */
export interface ScriptedFault {
  fault: ScriptedFaultName;
  /** 'DeleteUser' or 'iam:DeleteUser'. */
  action: string;
  /** 1-based; default 1. */
  nth?: number;
  every?: boolean;
}

export type ScriptedFaultName = "drop-after-handling" | "truncated-without-marker" | "repeated-marker";

export type FaultName =
  | "throttle-rate"
  | "throttle"
  | "service-failure"
  | "service-unavailable"
  | "drop"
  | "concurrent-modification"
  | ScriptedFaultName;

export type FaultDecision = { fault: "drop" } | { fault: Exclude<FaultName, "drop" | ScriptedFaultName>; error: IamError };

export const throttlingError = (): IamError => new IamError("Throttling", 400, "Rate exceeded");
export const serviceFailure = (): IamError =>
  new IamError("ServiceFailure", 500, "Request processing has failed due to some unknown error, exception or failure.", "Receiver");
export const serviceUnavailable = (): IamError =>
  new IamError("ServiceUnavailable", 503, "Service is unavailable. Please retry your request.", "Receiver");
export const concurrentModification = (): IamError =>
  new IamError(
    "ConcurrentModification",
    409,
    "The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.",
  );

class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

export class FaultInjector {
  private readonly rand: Random;
  private readonly buckets = new Map<string, TokenBucket>();
  /** Requests that arrived so far, per action (lower-cased, qualified), for the scripted faults. */
  private readonly arrivals = new Map<string, number>();

  constructor(
    private readonly options: FaultOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.rand = mulberry32(options.seed ?? 1);
  }

  private share(v: number | undefined): number {
    return v === undefined ? 0 : Math.max(0, Math.min(1, v));
  }

  /** Counts, at arrival, the request of `action`, and names the scripted fault aimed at it, if any. */
  scripted(action: string): ScriptedFaultName | undefined {
    const key = qualifiedAction(action).toLowerCase();
    const n = (this.arrivals.get(key) ?? 0) + 1;
    this.arrivals.set(key, n);
    const aimed = (this.options.scripted ?? []).find((f) => {
      if (qualifiedAction(f.action).toLowerCase() !== key) return false;
      const nth = f.nth ?? 1;
      return f.every ? n >= nth : n === nth;
    });
    return aimed?.fault;
  }

  /** Decides, at arrival, whether an injected fault answers this request. */
  decide(action: string, mutating: boolean): FaultDecision | undefined {
    const t = this.options.throttle;
    if (t && t.ratePerSecond > 0 && actionMatches(t.actions, action)) {
      let bucket = this.buckets.get(action);
      if (!bucket) {
        bucket = new TokenBucket(t.ratePerSecond, Math.max(1, t.burst ?? t.ratePerSecond), this.clock());
        this.buckets.set(action, bucket);
      }
      if (!bucket.take(this.clock())) return { fault: "throttle-rate", error: throttlingError() };
    }

    const o = this.options;
    const anyRandom = o.throttleShare || o.serverErrorShare || o.dropConnectionShare || o.concurrentModificationShare;
    if (!anyRandom || !actionMatches(o.faultActions, action)) return undefined;
    const [dDrop, dThrottle, dServer, dWhich, dConcurrent] = [this.rand(), this.rand(), this.rand(), this.rand(), this.rand()];
    if (dDrop < this.share(o.dropConnectionShare)) return { fault: "drop" };
    if (dThrottle < this.share(o.throttleShare)) return { fault: "throttle", error: throttlingError() };
    if (dServer < this.share(o.serverErrorShare)) {
      return dWhich < 0.5
        ? { fault: "service-failure", error: serviceFailure() }
        : { fault: "service-unavailable", error: serviceUnavailable() };
    }
    if (mutating && dConcurrent < this.share(o.concurrentModificationShare)) {
      return { fault: "concurrent-modification", error: concurrentModification() };
    }
    return undefined;
  }
}

/** A List answer with the page fault applied; undefined when the fault does not apply to it (no Marker to repeat). */
export function malformedPage(
  fault: Exclude<ScriptedFaultName, "drop-after-handling">,
  result: XmlObject | undefined,
  askedMarker: string | undefined,
): XmlObject | undefined {
  if (!result || !("IsTruncated" in result)) return undefined;
  if (fault === "truncated-without-marker") return { ...result, IsTruncated: true, Marker: undefined };
  return askedMarker ? { ...result, IsTruncated: true, Marker: askedMarker } : undefined;
}
