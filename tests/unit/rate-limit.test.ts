import { strict as assert } from "node:assert";
import { PerActionRateLimiter } from "../../provider/aws/rate-limit";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("unit: per-action rate limiter", () => {
  it("starts open: no action waits before its first throttle", async () => {
    const limiter = new PerActionRateLimiter();
    const started = Date.now();
    for (let i = 0; i < 50; i++) await limiter.acquire("ListAccessKeys");
    assert.ok(Date.now() - started < 50);
    assert.equal(limiter.rateOf("ListAccessKeys"), Infinity);
  });

  it("cuts to a little under what was sent in the last second, once per burst", () => {
    const limiter = new PerActionRateLimiter({ decrease: 0.9, windowMs: 1000 });
    limiter.onThrottled("GetUser", 20);
    assert.equal(limiter.rateOf("GetUser"), 18);
    // The same burst's other Throttling answers are one congestion event.
    limiter.onThrottled("GetUser", 20);
    limiter.onThrottled("GetUser", 5);
    assert.equal(limiter.rateOf("GetUser"), 18);
  });

  it("keeps one rate per action", () => {
    const limiter = new PerActionRateLimiter();
    limiter.onThrottled("DeleteUser", 10);
    assert.equal(limiter.rateOf("DeleteUser"), 9);
    assert.equal(limiter.rateOf("ListMFADevices"), Infinity);
  });

  it("never goes below the floor, and applies a hard cap from the start", () => {
    const floor = new PerActionRateLimiter({ minRate: 2 });
    floor.onThrottled("GetUser", 1);
    assert.equal(floor.rateOf("GetUser"), 2);
    const capped = new PerActionRateLimiter({ maxRatePerAction: 5 });
    assert.equal(capped.rateOf("GetUser"), 5);
  });

  it("spaces calls at the learned rate", async () => {
    const limiter = new PerActionRateLimiter({ decrease: 1 });
    limiter.onThrottled("GetUser", 20); // 20 per second: one every 50 ms
    const started = Date.now();
    for (let i = 0; i < 5; i++) await limiter.acquire("GetUser");
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 190 && elapsed < 600, `5 calls at 20/s took ${elapsed} ms`);
  });

  it("grows back only while calls wait for their slot", async () => {
    const limiter = new PerActionRateLimiter({ decrease: 1, increasePerSecond: 10, windowMs: 1000 });
    limiter.onThrottled("GetUser", 5);
    await sleep(100);
    limiter.onSuccess("GetUser"); // nobody waited: no growth
    assert.equal(limiter.rateOf("GetUser"), 5);
    await limiter.acquire("GetUser");
    await limiter.acquire("GetUser"); // waits ~200 ms for its slot
    await sleep(100);
    limiter.onSuccess("GetUser");
    const grown = limiter.rateOf("GetUser");
    assert.ok(grown > 5 && grown < 10, `rate after waiting: ${grown}`);
  });
});
