import { AsyncLocalStorage } from "node:async_hooks";
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
 *
 * It also says when a fleet may start one more user (`whenAdmissionOpen`): a user started while an action already has
 * more calls under way (queued, retrying or sent) than it can answer in `backlogMs` only waits, holding its requests
 * in memory. Before an action's first throttle, `openOutstanding` calls under way is enough to find its rate quickly.
 * So the users in flight follow what IAM accepts: a few per account at 2 requests/s, the whole --concurrency at 50.
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
  /** Calls waiting for a slot, first to go first. */
  queue: SlotWaiter[];
  draining: boolean;
}

interface SlotWaiter {
  priority: number;
  arrival: number;
  go: () => void;
}

const before = (a: SlotWaiter, b: SlotWaiter): boolean => a.priority < b.priority || (a.priority === b.priority && a.arrival < b.arrival);

/**
 * The priority of the calls made inside `run`: lower goes first when calls of one action wait for their slots. A fleet
 * gives each user its place in the run; calls outside any user (shared listings, re-checks answered for many) are 0.
 */
export const requestPriority = new AsyncLocalStorage<number>();

export interface RateLimiterOptions {
  /** A hard cap in requests per second for each action, applied from the start (e.g. a known quota). */
  maxRatePerAction?: number;
  /** Lowest rate the limiter backs off to. */
  minRate?: number;
  /** Factor applied to the sent rate on a congestion event. */
  decrease?: number;
  /** Requests per second the rate regains per second while calls wait for it. */
  increasePerSecond?: number;
  /**
   * At most this share of the rate regained per second (default a tenth): at 2 requests/s, 0.5 a second would
   * overshoot a quarter past the bucket every second, each overshoot a round of Throttling answers and retries.
   */
  maxIncreaseShare?: number;
  /** Throttling answers within this long of a cut belong to the same event. */
  windowMs?: number;
  /** Where the limiter reads the time and waits (the system's by default). */
  clock?: Clock;
  /** Admission: once an action's rate is known, the calls under way it may have, in ms of its rate (default 1,000). */
  backlogMs?: number;
  /** Admission: the calls under way an action may have before its rate is known (default 8). */
  openOutstanding?: number;
}

export class PerActionRateLimiter {
  private readonly states = new Map<string, ActionRateState>();
  private readonly minRate: number;
  private readonly decrease: number;
  private readonly increasePerSecond: number;
  private readonly maxIncreaseShare: number;
  private readonly windowMs: number;
  private readonly backlogMs: number;
  private readonly openOutstanding: number;
  /** Calls under way per action: from the call's start to its answer, retries and waits for a slot included. */
  private readonly outstanding = new Map<string, number>();
  private arrivals = 0;
  private readonly admissionWaiters: Array<() => void> = [];
  private admitScheduled = false;
  readonly clock: Clock;

  constructor(private readonly options: RateLimiterOptions = {}) {
    this.minRate = options.minRate ?? 0.5;
    this.decrease = options.decrease ?? 0.9;
    this.increasePerSecond = options.increasePerSecond ?? 0.5;
    this.maxIncreaseShare = options.maxIncreaseShare ?? 0.1;
    this.windowMs = options.windowMs ?? 1000;
    this.backlogMs = options.backlogMs ?? 1000;
    this.openOutstanding = options.openOutstanding ?? 8;
    this.clock = options.clock ?? systemClock;
  }

  /** A call of `action` begins (before its retries): it counts against admission until callEnded. */
  callStarted(action: string): void {
    this.outstanding.set(action, (this.outstanding.get(action) ?? 0) + 1);
  }

  callEnded(action: string): void {
    const n = (this.outstanding.get(action) ?? 1) - 1;
    if (n > 0) this.outstanding.set(action, n);
    else this.outstanding.delete(action);
    this.admitNext();
  }

  /**
   * Lets one waiting user in while admission is open, then looks again on the next turn of the event loop, once that
   * user's first calls are under way: users are let in one by one, and none waits on an answer that will not come (a
   * user that makes no call at all).
   */
  private admitNext(): void {
    if (this.admissionWaiters.length === 0 || this.admitScheduled || !this.admissionOpen()) return;
    this.admissionWaiters.shift()!();
    this.admitScheduled = true;
    setImmediate(() => {
      this.admitScheduled = false;
      this.admitNext();
    });
  }

  /** Whether every action has fewer calls under way than it can usefully hold (see the class comment). */
  admissionOpen(): boolean {
    for (const [action, n] of this.outstanding) {
      const rate = this.rateOf(action);
      const limit = Number.isFinite(rate) ? Math.max(1, (rate * this.backlogMs) / 1000) : this.openOutstanding;
      if (n >= limit) return false;
    }
    return true;
  }

  /** Resolves once one more user may start: in turn, one per turn of the event loop, while admission is open. */
  whenAdmissionOpen(): Promise<void> {
    const admitted = new Promise<void>((admit) => this.admissionWaiters.push(admit));
    this.admitNext();
    return admitted;
  }

  private state(action: string): ActionRateState {
    let s = this.states.get(action);
    if (!s) {
      s = {
        rate: this.options.maxRatePerAction ?? Infinity,
        nextSlot: 0,
        lastCut: 0,
        lastGrow: 0,
        lastWait: 0,
        queue: [],
        draining: false,
      };
      this.states.set(action, s);
    }
    return s;
  }

  /**
   * Waits for this action's next slot. Calls waiting for slots of one action go in order of their priority (the
   * user's place in the fleet, requestPriority), then of arrival: the users started first finish first, and feed the
   * actions of the later phases early, instead of every user waiting on one late call of its own.
   */
  async acquire(action: string, priority = requestPriority.getStore() ?? 0): Promise<void> {
    const s = this.state(action);
    if (!Number.isFinite(s.rate)) return;
    const now = this.clock.now();
    if (s.queue.length === 0 && now >= s.nextSlot) {
      s.nextSlot = now + 1000 / s.rate;
      return;
    }
    s.lastWait = now;
    await new Promise<void>((go) => {
      const waiter = { priority, arrival: this.arrivals++, go };
      // Sorted insertion: queues hold the calls of the users in flight, tens, not thousands.
      let i = s.queue.length;
      while (i > 0 && before(waiter, s.queue[i - 1]!)) i--;
      s.queue.splice(i, 0, waiter);
      if (!s.draining) void this.drain(s);
    });
  }

  /** Hands out the action's slots, one every 1/rate seconds, to the first waiter of its queue. */
  private async drain(s: ActionRateState): Promise<void> {
    s.draining = true;
    try {
      while (s.queue.length > 0) {
        const wait = s.nextSlot - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait);
        const now = this.clock.now();
        s.nextSlot = Math.max(now, s.nextSlot) + (Number.isFinite(s.rate) ? 1000 / s.rate : 0);
        s.lastWait = now;
        s.queue.shift()!.go();
      }
    } finally {
      s.draining = false;
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
      const perSecond = Math.min(this.increasePerSecond, s.rate * this.maxIncreaseShare);
      s.rate = Math.min(this.options.maxRatePerAction ?? Infinity, s.rate + (perSecond * (now - s.lastGrow)) / 1000);
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

const limiters = new WeakMap<IAMClient, PerActionRateLimiter>();

/** The name of the limiter's middleware in a client's stack (what must come after its wait is placed after it). */
export const RATE_LIMIT_MIDDLEWARE = "iamUserTeardownRateLimit";

/** The limiter of a client (applyRateLimiter's), for a fleet's admission of users. */
export const rateLimiterOf = (client: IAMClient): PerActionRateLimiter | undefined => limiters.get(client);

/** Adds the limiter to a client's middleware stack: wait before each attempt, learn from each answer. */
export function applyRateLimiter(client: IAMClient, limiter: PerActionRateLimiter): void {
  const accepted = new RecentRate(limiter.clock);
  limiters.set(client, limiter);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = commandOf(context);
      if (command && countedBySend.has(command)) return next(args);
      const action = actionOfContext(context);
      limiter.callStarted(action);
      try {
        return await next(args);
      } finally {
        limiter.callEnded(action);
      }
    },
    // Above the retry middleware: a call counts once, from its start to its last answer.
    { step: "initialize", name: "iamUserTeardownCallsUnderWay", priority: "high" },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const action = actionOfContext(context);
      const command = commandOf(context);
      // The first attempt of a call sent through sendWhenSlotFree has its slot already; every other attempt waits here.
      if (!(command && firstSlotTaken.delete(command))) await limiter.acquire(action);
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
    { step: "finalizeRequest", name: RATE_LIMIT_MIDDLEWARE, priority: "low" },
  );
}

const actionOfContext = (context: { commandName?: string }): string => String(context.commandName ?? "unknown").replace(/Command$/, "");

/** The command a middleware's context belongs to (the SDK puts it there). */
const commandOf = (context: object): object | undefined =>
  (context as { [SMITHY_CONTEXT]?: { commandInstance?: object } })[SMITHY_CONTEXT]?.commandInstance;
const SMITHY_CONTEXT = "__smithy_context";

/** Commands sendWhenSlotFree already counts as under way, and those whose first attempt already has its slot. */
const countedBySend = new WeakSet<object>();
const firstSlotTaken = new WeakSet<object>();

/**
 * Sends through `send` once the action's slot is free: the call counts as under way from now, and waits for its first
 * slot before the SDK builds, serializes and signs the request, so a call waiting seconds on a throttled action holds
 * its command and no more (what waits that long outlives the young generation of the heap). Retries wait in the
 * client's stack as before. A client without the limiter sends at once.
 */
export async function sendWhenSlotFree<O>(client: IAMClient, command: object, action: string, send: () => Promise<O>): Promise<O> {
  const limiter = limiters.get(client);
  if (!limiter) return send();
  limiter.callStarted(action);
  countedBySend.add(command);
  try {
    await limiter.acquire(action);
    firstSlotTaken.add(command);
    return await send();
  } finally {
    countedBySend.delete(command);
    firstSlotTaken.delete(command);
    limiter.callEnded(action);
  }
}
