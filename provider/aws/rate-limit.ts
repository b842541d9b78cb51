import type { IAMClient } from "@aws-sdk/client-iam";
import { isThrottling } from "./errors";

/**
 * A client-side rate limit shared by every IAM client of the process.
 *
 * IAM throttles each API with its own token bucket, account-wide. A single global limiter would slow every action
 * down to the most throttled one, so the limit is kept per action: it starts open, halves the allowed rate when
 * IAM answers Throttling, and creeps back up on success (additive increase, multiplicative decrease). The SDK's
 * adaptive retry mode then retries the throttled call.
 */
export interface ActionRateState {
  /** Allowed requests per second; Infinity until the first throttle. */
  rate: number;
  /** Earliest time the next request of this action may go out. */
  nextSlot: number;
  throttled: number;
}

export interface RateLimiterOptions {
  /** A hard cap in requests per second for each action, applied from the start (e.g. a known quota). */
  maxRatePerAction?: number;
  /** Lowest rate the limiter backs off to. */
  minRate?: number;
}

export class PerActionRateLimiter {
  private readonly states = new Map<string, ActionRateState>();
  constructor(private readonly options: RateLimiterOptions = {}) {}

  private state(action: string): ActionRateState {
    let s = this.states.get(action);
    if (!s) {
      s = { rate: this.options.maxRatePerAction ?? Infinity, nextSlot: 0, throttled: 0 };
      this.states.set(action, s);
    }
    return s;
  }

  /** Waits for this action's next slot. */
  async acquire(action: string): Promise<void> {
    const s = this.state(action);
    if (!Number.isFinite(s.rate)) return;
    const now = Date.now();
    const slot = Math.max(now, s.nextSlot);
    s.nextSlot = slot + 1000 / s.rate;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  }

  onThrottled(action: string, observedRate: number): void {
    const s = this.state(action);
    s.throttled++;
    const base = Number.isFinite(s.rate) ? s.rate : Math.max(observedRate, 1);
    s.rate = Math.max(this.options.minRate ?? 0.5, base * 0.7);
  }

  onSuccess(action: string): void {
    const s = this.state(action);
    if (!Number.isFinite(s.rate)) return;
    const cap = this.options.maxRatePerAction ?? Infinity;
    s.rate = Math.min(cap, s.rate + 0.05);
  }

  snapshot(): Record<string, ActionRateState> {
    return Object.fromEntries(this.states);
  }
}

/** Recent send times per action, to estimate the rate IAM accepted before it first throttled. */
class RecentRate {
  private readonly times = new Map<string, number[]>();
  record(action: string): number {
    const now = Date.now();
    const list = this.times.get(action) ?? [];
    list.push(now);
    while (list.length > 0 && list[0] < now - 1000) list.shift();
    this.times.set(action, list);
    return list.length;
  }
}

/** Adds the limiter to a client's middleware stack: wait before each attempt, learn from each answer. */
export function applyRateLimiter(client: IAMClient, limiter: PerActionRateLimiter): void {
  const recent = new RecentRate();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const action = String(context.commandName ?? "unknown").replace(/Command$/, "");
      await limiter.acquire(action);
      const observed = recent.record(action);
      try {
        const result = await next(args);
        limiter.onSuccess(action);
        return result;
      } catch (err) {
        if (isThrottling(err)) limiter.onThrottled(action, observed);
        throw err;
      }
    },
    // Below the retry middleware, so every attempt (not only the first) waits for its slot.
    { step: "finalizeRequest", name: "iamUserTeardownRateLimit", priority: "low" },
  );
}
