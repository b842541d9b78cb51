// Injected faults: per-action token-bucket throttling, and seeded random throttling, server
// errors, dropped connections and ConcurrentModification.
//
// Random faults are drawn from one mulberry32 stream in request-arrival order. Every request a
// random fault may hit draws the same five numbers whatever shares are configured, so the same
// seed and the same sequence of requests give the same faults.

import { actionMatches } from "./policy";
import { mulberry32, type Random } from "./prng";
import { IamError } from "./protocol";

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
}

export type FaultName = "throttle-rate" | "throttle" | "service-failure" | "service-unavailable" | "drop" | "concurrent-modification";

export type FaultDecision = { fault: "drop" } | { fault: Exclude<FaultName, "drop">; error: IamError };

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

  constructor(
    private readonly options: FaultOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.rand = mulberry32(options.seed ?? 1);
  }

  private share(v: number | undefined): number {
    return v === undefined ? 0 : Math.max(0, Math.min(1, v));
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
