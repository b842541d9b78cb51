/**
 * The limits every implementation is measured against.
 *
 * Without throttling: the dependency chain. Nothing can be removed before it is listed, and DeleteUser cannot succeed
 * before the last removal to the user has answered. A virtual MFA device blocks DeleteUser only while it is enabled:
 * once DeactivateMFADevice has answered, DeleteVirtualMFADevice can go beside DeleteUser. So one user needs at least
 *     list (1 round trip) + removals, deactivations included (1) + DeleteUser (1) = 3 round trips (2 with nothing to remove).
 * A teardown that keeps the identity guarantee (nothing removed from a user whose UserId differs from the recorded one)
 * also needs the one GetUser per user the floor of calls counts, and it can only vouch for the lists if it answers
 * after them: list + GetUser + removals + DeleteUser = 4 round trips (3 with nothing to remove). That chain is the
 * limit; the bare chain (without the identity check, which no anchor makes) is reported beside it.
 * Each round trip costs the injected latency. With P users at a time, N users need at least
 * max(longest chain, sum of chains / P).
 *
 * Under throttling: each action has its own token bucket (rate r per second, burst b), so an action called n times
 * cannot finish before (n - b) / r seconds; the run cannot finish before the slowest action's bucket lets its last
 * call through: max over actions of (n_action - b) / r. Only calls the bucket let through count (a throttled attempt
 * costs no token). The limit is the larger of that and the chain bound.
 */

import type { ActionCounts } from "./call-model";
import { mfaCount, type ScenarioSpec, totalDeps, type UserSpec } from "./scenarios";

/** Round trips of one user's teardown with the identity check after the lists (the limit). */
export function chainRoundTrips(u: UserSpec): number {
  return bareChainRoundTrips(u) + 1;
}

/** Round trips of one user's teardown without any identity check: list, remove, DeleteUser. */
export function bareChainRoundTrips(u: UserSpec): number {
  return totalDeps(u.counts) === 0 ? 2 : 3;
}

export function chainBoundMs(
  users: readonly UserSpec[],
  parallelism: number,
  latencyMs: number,
  roundTrips: (u: UserSpec) => number = chainRoundTrips,
): number {
  const chains = users.map(roundTrips);
  const longest = Math.max(...chains);
  const sum = chains.reduce((a, b) => a + b, 0);
  return Math.max(longest, sum / parallelism) * latencyMs;
}

export interface ThrottleBound {
  ms: number;
  /** The action whose bucket sets the bound. */
  action?: string;
}

export function throttleBoundMs(accepted: ActionCounts, rate: number, burst: number): ThrottleBound {
  let best: ThrottleBound = { ms: 0 };
  for (const [action, n] of Object.entries(accepted)) {
    const ms = (Math.max(0, n - burst) / rate) * 1000;
    if (ms > best.ms) best = { ms, action };
  }
  return best;
}

export interface Limit {
  ms: number;
  chainMs: number;
  /** The chain without the identity check (see above). */
  bareChainMs: number;
  throttle?: ThrottleBound;
}

export function limitFor(s: ScenarioSpec, users: readonly UserSpec[], latencyMs: number, acceptedByAction: ActionCounts): Limit {
  const chainMs = chainBoundMs(users, s.parallelism, latencyMs);
  const bareChainMs = chainBoundMs(users, s.parallelism, latencyMs, bareChainRoundTrips);
  if (!s.throttle) return { ms: chainMs, chainMs, bareChainMs };
  const throttle = throttleBoundMs(acceptedByAction, s.throttle.ratePerSecond, s.throttle.burst);
  return { ms: Math.max(chainMs, throttle.ms), chainMs, bareChainMs, throttle };
}

export const hasVirtual = (u: UserSpec) => u.counts.virtualMfa > 0;
export const hasMfa = (u: UserSpec) => mfaCount(u.counts) > 0;
