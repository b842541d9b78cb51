import { strict as assert } from "node:assert";
import { PerActionRateLimiter } from "../../provider/aws/rate-limit";
import { ManualClock } from "../helpers/manual-clock";

describe("unit: per-action rate limiter", () => {
  it("starts open: no action waits before its first throttle", async () => {
    const clock = new ManualClock();
    const limiter = new PerActionRateLimiter({ clock });
    for (let i = 0; i < 50; i++) await limiter.acquire("ListAccessKeys");
    assert.deepEqual(clock.sleeps, []);
    assert.equal(limiter.rateOf("ListAccessKeys"), Infinity);
  });

  it("cuts to a little under what was accepted in the last second, once per burst", () => {
    const clock = new ManualClock();
    const limiter = new PerActionRateLimiter({ decrease: 0.9, windowMs: 1000, clock });
    limiter.onThrottled("GetUser", 20);
    assert.equal(limiter.rateOf("GetUser"), 18);
    // The same burst's other Throttling answers are one congestion event.
    clock.advance(999);
    limiter.onThrottled("GetUser", 20);
    limiter.onThrottled("GetUser", 5);
    assert.equal(limiter.rateOf("GetUser"), 18);
    // A throttle a window after the cut is a new congestion event.
    clock.advance(1);
    limiter.onThrottled("GetUser", 10);
    assert.equal(limiter.rateOf("GetUser"), 9);
  });

  it("keeps one rate per action", () => {
    const limiter = new PerActionRateLimiter({ clock: new ManualClock() });
    limiter.onThrottled("DeleteUser", 10);
    assert.equal(limiter.rateOf("DeleteUser"), 9);
    assert.equal(limiter.rateOf("ListMFADevices"), Infinity);
  });

  it("never goes below the floor, and applies a hard cap from the start", () => {
    const floor = new PerActionRateLimiter({ minRate: 2, clock: new ManualClock() });
    floor.onThrottled("GetUser", 1);
    assert.equal(floor.rateOf("GetUser"), 2);
    const capped = new PerActionRateLimiter({ maxRatePerAction: 5, clock: new ManualClock() });
    assert.equal(capped.rateOf("GetUser"), 5);
  });

  it("spaces calls at the learned rate", async () => {
    const clock = new ManualClock();
    const limiter = new PerActionRateLimiter({ decrease: 1, clock });
    limiter.onThrottled("GetUser", 20); // 20 per second: one every 50 ms
    const started = clock.now();
    for (let i = 0; i < 5; i++) await limiter.acquire("GetUser");
    // The first goes at once, each later one 50 ms after the one before it.
    assert.deepEqual(clock.sleeps, [50, 50, 50, 50]);
    assert.equal(clock.now() - started, 200);
  });

  it("spaces calls that ask at the same moment, each to its own slot", async () => {
    const clock = new ManualClock();
    const limiter = new PerActionRateLimiter({ decrease: 1, clock });
    limiter.onThrottled("GetUser", 10); // one every 100 ms
    await Promise.all([limiter.acquire("GetUser"), limiter.acquire("GetUser"), limiter.acquire("GetUser")]);
    assert.deepEqual(clock.sleeps, [100, 200]);
  });

  it("grows back only while calls wait for their slot", async () => {
    const clock = new ManualClock();
    const limiter = new PerActionRateLimiter({ decrease: 1, increasePerSecond: 10, windowMs: 1000, clock });
    limiter.onThrottled("GetUser", 5);
    clock.advance(100);
    limiter.onSuccess("GetUser"); // nobody waited: no growth
    assert.equal(limiter.rateOf("GetUser"), 5);
    await limiter.acquire("GetUser");
    await limiter.acquire("GetUser"); // waits 200 ms for its slot
    assert.deepEqual(clock.sleeps, [200]);
    clock.advance(100);
    limiter.onSuccess("GetUser");
    // 300 ms since the last growth, at 10 per second per second, while a call waited within the window.
    assert.equal(limiter.rateOf("GetUser"), 8);
    clock.advance(1000);
    limiter.onSuccess("GetUser"); // the last wait is a window old: no growth
    assert.equal(limiter.rateOf("GetUser"), 8);
  });
});
