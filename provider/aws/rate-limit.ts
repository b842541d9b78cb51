import type { IAMClient } from "@aws-sdk/client-iam";
import { type Clock, systemClock } from "../clock";
import { isThrottling } from "./errors";

/**
 * A client-side rate limit shared by every IAM client of the process.
 *
 * IAM throttles each API with its own token bucket, account-wide. A single client-wide limiter (the SDK's adaptive
 * retry mode) slows every action down to the most throttled one, and on the first throttle of a fresh client drops
 * to half a request per second. So the limit is kept per action, and learns the bucket's refill rate:
 * - it starts open, and the first Throttling answer sets the rate a little under what the bucket accepted in the last
 *   second (a token bucket punishes an over-limit request with one retry, not with a penalty, so sitting just under
 *   the refill rate is what pays). Accepted, not sent: many users starting at once send far more than the bucket
 *   holds, and a rate learned from what was sent would take a cut per second for each halving of the excess (at 2
 *   requests/s, 16 users' first burst took some 20 seconds of throttling to learn);
 * - the Throttling answers of one burst are one congestion event: the rate is cut at most once per `windowMs`;
 * - the rate grows back with time, and only while calls are waiting for their slot (growing a limit nobody reaches
 *   only sets up the next overshoot).
 */
export interface ActionRateState {
  /** Allowed requests per second; Infinity until the first throttle. */
  rate: number;
  /** Earliest time the next request of this action may go out. */
  nextSlot: number;
  /** When the rate was last cut, last grew, and a call last had to wait for its slot. */
  lastCut: number;
  lastGrow: number;
  lastWait: number;
}

export interface RateLimiterOptions {
  /** A hard cap in requests per second for each action, applied from the start (e.g. a known quota). */
  maxRatePerAction?: number;
  /** Lowest rate the limiter backs off to. */
  minRate?: number;
  /** Factor applied to the sent rate on a congestion event. */
  decrease?: number;
  /** Requests per second the rate regains per second while calls wait for it. */
  increasePerSecond?: number;
  /** Throttling answers within this long of a cut belong to the same event. */
  windowMs?: number;
  /** Where the limiter reads the time and waits (the system's by default). */
  clock?: Clock;
}

export class PerActionRateLimiter {
  private readonly states = new Map<string, ActionRateState>();
  private readonly minRate: number;
  private readonly decrease: number;
  private readonly increasePerSecond: number;
  private readonly windowMs: number;
  readonly clock: Clock;

  constructor(private readonly options: RateLimiterOptions = {}) {
    this.minRate = options.minRate ?? 0.5;
    this.decrease = options.decrease ?? 0.9;
    this.increasePerSecond = options.increasePerSecond ?? 0.5;
    this.windowMs = options.windowMs ?? 1000;
    this.clock = options.clock ?? systemClock;
  }

  private state(action: string): ActionRateState {
    let s = this.states.get(action);
    if (!s) {
      s = { rate: this.options.maxRatePerAction ?? Infinity, nextSlot: 0, lastCut: 0, lastGrow: 0, lastWait: 0 };
      this.states.set(action, s);
    }
    return s;
  }

  /** Waits for this action's next slot. */
  async acquire(action: string): Promise<void> {
    const s = this.state(action);
    if (!Number.isFinite(s.rate)) return;
    const now = this.clock.now();
    const slot = Math.max(now, s.nextSlot);
    s.nextSlot = slot + 1000 / s.rate;
    if (slot > now) {
      s.lastWait = now;
      await this.clock.sleep(slot - now);
    }
  }

  /** IAM answered Throttling; `acceptedLastSecond` is how many requests of this action it answered in the last second. */
  onThrottled(action: string, acceptedLastSecond: number): void {
    const s = this.state(action);
    const now = this.clock.now();
    if (now - s.lastCut < this.windowMs) return;
    s.rate = Math.max(this.minRate, Math.min(s.rate, Math.max(acceptedLastSecond, 1)) * this.decrease);
    s.lastCut = s.lastGrow = now;
  }

  onSuccess(action: string): void {
    const s = this.state(action);
    if (!Number.isFinite(s.rate)) return;
    const now = this.clock.now();
    if (now - s.lastWait < this.windowMs) {
      s.rate = Math.min(this.options.maxRatePerAction ?? Infinity, s.rate + (this.increasePerSecond * (now - s.lastGrow)) / 1000);
    }
    s.lastGrow = now;
  }

  /** The allowed rate of an action, requests per second (Infinity until its first throttle). */
  rateOf(action: string): number {
    return this.states.get(action)?.rate ?? this.options.maxRatePerAction ?? Infinity;
  }
}

/** Recent answer times per action, to estimate the rate IAM accepts. */
class RecentRate {
  private readonly times = new Map<string, number[]>();
  constructor(private readonly clock: Clock) {}
  record(action: string): void {
    const list = this.times.get(action) ?? [];
    list.push(this.clock.now());
    this.times.set(action, list);
  }
  /** Answers in the last second. */
  count(action: string): number {
    const now = this.clock.now();
    const list = this.times.get(action) ?? [];
    while (list.length > 0 && list[0] < now - 1000) list.shift();
    return list.length;
  }
}

/** Adds the limiter to a client's middleware stack: wait before each attempt, learn from each answer. */
export function applyRateLimiter(client: IAMClient, limiter: PerActionRateLimiter): void {
  const accepted = new RecentRate(limiter.clock);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const action = String(context.commandName ?? "unknown").replace(/Command$/, "");
      await limiter.acquire(action);
      try {
        const result = await next(args);
        accepted.record(action);
        limiter.onSuccess(action);
        return result;
      } catch (err) {
        if (isThrottling(err)) limiter.onThrottled(action, accepted.count(action));
        // Any other answer (an error IAM gave) took a token too.
        else accepted.record(action);
        throw err;
      }
    },
    // Below the retry middleware, so every attempt (not only the first) waits for its slot.
    { step: "finalizeRequest", name: "iamUserTeardownRateLimit", priority: "low" },
  );
}
