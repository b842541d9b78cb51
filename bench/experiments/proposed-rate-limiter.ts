/**
 * A proposed change to the package's per-action rate limiter (provider/aws/rate-limit.ts as of 6f671a9), run by the
 * bench as an engine variant so its effect is measured before anyone changes the package. It stands alone (its own
 * copy of the middleware, installed at the same step) so the experiment keeps meaning the same thing whatever the
 * package's limiter becomes. Three differences from the limiter it was measured against:
 *
 * 1. One cut per congestion event. The shipped limiter multiplies the rate by 0.7 on every Throttling answer, so the
 *    8 calls a burst gets throttled together cut it to 0.7^8 = 6% (about 1 request/s). Here a Throttling answer cuts
 *    the rate only when the last cut is at least `windowMs` old: the others belong to the same event.
 * 2. A gentle cut from what was actually sent: the new rate is `decrease` x min(current rate, requests of this action
 *    sent in the last second). A token bucket punishes an over-limit request with one retry, not with a penalty, so
 *    sitting just under the refill rate is what pays.
 * 3. Recovery in time, and only while the limit binds. The shipped limiter adds 0.05 request/s per success, so at
 *    1 request/s it needs minutes to get back to 10. Here the rate grows by `increasePerSecond` per second, but only
 *    while calls are waiting for their slot (growing a limit nobody reaches only sets up the next overshoot).
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import { isThrottling } from "../../provider/aws/errors";

interface State {
  /** Allowed requests per second; Infinity until the first throttle. */
  rate: number;
  /** Earliest time the next request of this action may go out. */
  nextSlot: number;
  throttled: number;
  /** When the rate was last cut. */
  lastCut: number;
  /** When the rate last grew. */
  lastGrow: number;
  /** When a call last had to wait for its slot. */
  lastWait: number;
}

export interface ProposedLimiterOptions {
  decrease?: number;
  increasePerSecond?: number;
  windowMs?: number;
  minRate?: number;
}

export class ProposedRateLimiter {
  private readonly byAction = new Map<string, State>();
  private readonly decrease: number;
  private readonly increasePerSecond: number;
  private readonly windowMs: number;
  private readonly minRate: number;

  constructor(o: ProposedLimiterOptions = {}) {
    this.decrease = o.decrease ?? 0.9;
    this.increasePerSecond = o.increasePerSecond ?? 0.5;
    this.windowMs = o.windowMs ?? 1000;
    this.minRate = o.minRate ?? 0.5;
  }

  private get(action: string): State {
    let s = this.byAction.get(action);
    if (!s) this.byAction.set(action, (s = { rate: Infinity, nextSlot: 0, throttled: 0, lastCut: 0, lastGrow: 0, lastWait: 0 }));
    return s;
  }

  async acquire(action: string): Promise<void> {
    const s = this.get(action);
    if (!Number.isFinite(s.rate)) return;
    const now = Date.now();
    const slot = Math.max(now, s.nextSlot);
    s.nextSlot = slot + 1000 / s.rate;
    if (slot > now) {
      s.lastWait = now;
      await new Promise((resolve) => setTimeout(resolve, slot - now));
    }
  }

  onThrottled(action: string, observedRate: number): void {
    const s = this.get(action);
    s.throttled++;
    const now = Date.now();
    if (now - s.lastCut < this.windowMs) return;
    const base = Math.min(s.rate, Math.max(observedRate, 1));
    s.rate = Math.max(this.minRate, base * this.decrease);
    s.lastCut = s.lastGrow = now;
  }

  onSuccess(action: string): void {
    const s = this.get(action);
    if (!Number.isFinite(s.rate)) return;
    const now = Date.now();
    if (now - s.lastWait < this.windowMs) s.rate += (this.increasePerSecond * (now - s.lastGrow)) / 1000;
    s.lastGrow = now;
  }

  snapshot(): Record<string, State> {
    return Object.fromEntries(this.byAction);
  }
}

/** Requests of each action sent in the last second (what a Throttling answer's cut starts from). */
class RecentSends {
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

/** Installs the limiter where the package installs its own: below the retry middleware, so every attempt waits. */
export function applyProposedLimiter(client: IAMClient, limiter: ProposedRateLimiter): void {
  const recent = new RecentSends();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const action = String(context.commandName ?? "unknown").replace(/Command$/, "");
      await limiter.acquire(action);
      const sent = recent.record(action);
      try {
        const result = await next(args);
        limiter.onSuccess(action);
        return result;
      } catch (err) {
        if (isThrottling(err)) limiter.onThrottled(action, sent);
        throw err;
      }
    },
    { step: "finalizeRequest", name: "benchProposedRateLimit", priority: "low" },
  );
}
