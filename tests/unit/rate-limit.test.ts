import { strict as assert } from "node:assert";
import { PerActionRateLimiter, requestPriority } from "../../provider/aws/rate-limit";
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
    const started = clock.now();
    const at: number[] = [];
    await Promise.all([1, 2, 3].map(() => limiter.acquire("GetUser").then(() => at.push(clock.now() - started))));
    assert.deepEqual(at, [0, 100, 200]);
  });

  it("hands one action's slots to the waiting calls in order of priority, then of arrival", async () => {
    const clock = new ManualClock();
    const limiter = new PerActionRateLimiter({ decrease: 1, clock });
    limiter.onThrottled("ListAccessKeys", 10);
    await limiter.acquire("ListAccessKeys"); // takes the slot at hand: the others wait
    const order: string[] = [];
    const ask = (label: string, priority: number) =>
      requestPriority.run(priority, () => limiter.acquire("ListAccessKeys").then(() => order.push(label)));
    await Promise.all([
      ask("user 3", 3),
      ask("user 1, first call", 1),
      ask("user 2", 2),
      ask("user 1, second call", 1),
      ask("shared listing", 0),
    ]);
    assert.deepEqual(order, ["shared listing", "user 1, first call", "user 1, second call", "user 2", "user 3"]);
  });

  it("admits users while every action has fewer calls under way than it can use: a few before its rate is known, rate x backlog after", async () => {
    const limiter = new PerActionRateLimiter({ clock: new ManualClock(), openOutstanding: 8, backlogMs: 2000, decrease: 0.9 });
    for (let i = 0; i < 7; i++) limiter.callStarted("ListAccessKeys");
    assert.equal(limiter.admissionOpen(), true, "7 under way, rate unknown: open");
    limiter.callStarted("ListAccessKeys");
    assert.equal(limiter.admissionOpen(), false, "8 under way, rate unknown: closed");
    limiter.onThrottled("ListAccessKeys", 2); // 1.8 requests/s: 3.6 calls make 2 s of backlog
    for (let i = 0; i < 4; i++) limiter.callEnded("ListAccessKeys");
    assert.equal(limiter.admissionOpen(), false, "4 under way at 1.8/s: closed");
    limiter.callEnded("ListAccessKeys");
    assert.equal(limiter.admissionOpen(), true, "3 under way at 1.8/s: open");
    // Another action busy holds the door too.
    for (let i = 0; i < 8; i++) limiter.callStarted("DeleteUser");
    assert.equal(limiter.admissionOpen(), false);
  });

  it("lets waiting users in one by one as calls end, and never leaves one waiting when the users let in make no call", async () => {
    const limiter = new PerActionRateLimiter({ clock: new ManualClock(), openOutstanding: 1 });
    limiter.callStarted("GetUser");
    const admitted: number[] = [];
    const waiting = [1, 2, 3].map((n) => limiter.whenAdmissionOpen().then(() => admitted.push(n)));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(admitted, [], "closed while the call is under way");
    limiter.callEnded("GetUser");
    // None of those let in makes a call: each next one still gets in, on a later turn.
    await Promise.all(waiting);
    assert.deepEqual(admitted, [1, 2, 3]);
  });

  it("regains at most a tenth of a low rate per second, so that 2 requests/s is not overshot every second", async () => {
    const clock = new ManualClock();
    const limiter = new PerActionRateLimiter({ decrease: 1, increasePerSecond: 0.5, clock });
    limiter.onThrottled("DeleteUser", 2);
    await limiter.acquire("DeleteUser");
    await limiter.acquire("DeleteUser"); // waited 500 ms: the rate may grow
    clock.advance(500);
    limiter.onSuccess("DeleteUser");
    assert.ok(Math.abs(limiter.rateOf("DeleteUser") - 2.2) < 0.05, `${limiter.rateOf("DeleteUser")}`);
  });

  it("grows back only while calls wait for their slot", async () => {
    const clock = new ManualClock();
    const limiter = new PerActionRateLimiter({ decrease: 1, increasePerSecond: 10, maxIncreaseShare: Infinity, windowMs: 1000, clock });
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
