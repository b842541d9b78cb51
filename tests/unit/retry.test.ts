import { strict as assert } from "node:assert";
import { backoffDelay, exponentialDelay, isRetryable, type RetryBounds, waitForIam, withRetry } from "../../provider/teardown/retry";
import { ManualClock } from "../helpers/manual-clock";

const iamError = (name: string, status = 400) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const bounds = (clock: ManualClock, over: Partial<RetryBounds> = {}): RetryBounds => ({
  attempts: 4,
  baseDelayMs: 1,
  maxDelayMs: 4,
  deadline: clock.now() + 10_000,
  clock,
  ...over,
});

describe("unit: retry", () => {
  it("retries what IAM clears by itself, and nothing that refuses", () => {
    for (const code of ["EntityTemporarilyUnmodifiable", "ConcurrentModification", "Throttling", "ServiceFailure"])
      assert.ok(isRetryable(iamError(code)), code);
    assert.ok(isRetryable(iamError("SomethingNew", 503)));
    for (const code of ["NoSuchEntity", "DeleteConflict", "AccessDenied", "LimitExceeded"])
      assert.equal(isRetryable(iamError(code)), false, code);
  });

  it("backs off exponentially, capped, with jitter between half and all of the wait", () => {
    const b = { baseDelayMs: 100, maxDelayMs: 1000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => exponentialDelay(n, b)),
      [100, 200, 400, 800, 1000],
    );
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(3, b);
      assert.ok(d >= 200 && d <= 400, `${d}`);
    }
  });

  it("gives up after the allowed attempts, returning the last error", async () => {
    const clock = new ManualClock();
    let calls = 0;
    await assert.rejects(
      withRetry(async () => {
        calls++;
        throw iamError("ConcurrentModification");
      }, bounds(clock)),
      /ConcurrentModification/,
    );
    assert.equal(calls, 4);
    assert.equal(clock.sleeps.length, 3, "a wait between attempts, none after the last");
  });

  it("does not retry a refusal, and succeeds once the condition clears", async () => {
    const clock = new ManualClock();
    let calls = 0;
    await assert.rejects(
      withRetry(async () => {
        calls++;
        throw iamError("NoSuchEntity");
      }, bounds(clock)),
      /NoSuchEntity/,
    );
    assert.equal(calls, 1);
    assert.deepEqual(clock.sleeps, []);
    let tries = 0;
    assert.equal(await withRetry(async () => (++tries < 3 ? Promise.reject(iamError("Throttling")) : "ok"), bounds(clock)), "ok");
    assert.equal(tries, 3);
  });

  it("stops before the deadline rather than sleeping past it", async () => {
    const clock = new ManualClock();
    const deadline = clock.now() + 60;
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw iamError("Throttling");
        },
        bounds(clock, { attempts: 100, baseDelayMs: 50, maxDelayMs: 50, deadline }),
      ),
    );
    // Each wait is 25 to 50 ms: two fit in 60 ms at most, and the one that would end past the deadline is not taken.
    assert.ok(calls >= 2 && calls <= 3, `${calls} calls`);
    assert.equal(clock.sleeps.length, calls - 1);
    assert.ok(clock.now() <= deadline, `slept until ${clock.now() - deadline} ms past the deadline`);
  });

  it("waits for IAM on the bounds' clock, the plain capped exponential", async () => {
    const clock = new ManualClock();
    for (const attempt of [1, 2, 3, 4]) await waitForIam(attempt, { baseDelayMs: 10, maxDelayMs: 50, clock });
    assert.deepEqual(clock.sleeps, [10, 20, 40, 50]);
  });
});
