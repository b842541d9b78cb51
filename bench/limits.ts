/**
 * The limits every implementation is measured against.
 *
 * Without throttling: the dependency chain. Nothing can be removed before it is listed, and DeleteUser cannot succeed
 * before the last removal has answered, so one user needs at least
 *     list (1 round trip) + removals (1 round trip, 2 when a virtual MFA device is present: DeactivateMFADevice must
 *     answer before DeleteVirtualMFADevice) + DeleteUser (1 round trip)
 * = 3 round trips (4 with a virtual device; 2 with nothing to remove), each costing the injected latency. With P users
 * at a time, N users need at least max(longest chain, sum of chains / P).
 *
 * Under throttling: each action has its own token bucket (rate r per second, burst b), so an action called n times
 * cannot finish before (n - b) / r seconds; the run cannot finish before the slowest action's bucket lets its last
 * call through: max over actions of (n_action - b) / r. Only calls the bucket let through count (a throttled attempt
 * costs no token). The limit is the larger of that and the chain bound.
 */

import type { ActionCounts } from "./call-model";
import { mfaCount, type ScenarioSpec, totalDeps, type UserSpec } from "./scenarios";

export function chainRoundTrips(u: UserSpec): number {
  if (totalDeps(u.counts) === 0) return 2;
  return u.counts.virtualMfa > 0 ? 4 : 3;
}

export function chainBoundMs(users: readonly UserSpec[], parallelism: number, latencyMs: number): number {
  const chains = users.map(chainRoundTrips);
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
  throttle?: ThrottleBound;
}

export function limitFor(s: ScenarioSpec, users: readonly UserSpec[], latencyMs: number, acceptedByAction: ActionCounts): Limit {
  const chainMs = chainBoundMs(users, s.parallelism, latencyMs);
  if (!s.throttle) return { ms: chainMs, chainMs };
  const throttle = throttleBoundMs(acceptedByAction, s.throttle.ratePerSecond, s.throttle.burst);
  return { ms: Math.max(chainMs, throttle.ms), chainMs, throttle };
}

export const hasVirtual = (u: UserSpec) => u.counts.virtualMfa > 0;
export const hasMfa = (u: UserSpec) => mfaCount(u.counts) > 0;
