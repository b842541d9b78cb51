import { strict as assert } from "node:assert";
import { backoffDelay, exponentialDelay, isRetryable, type RetryBounds, withRetry } from "../../provider/teardown/retry";

const iamError = (name: string, status = 400) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const bounds = (over: Partial<RetryBounds> = {}): RetryBounds => ({
  attempts: 4,
  baseDelayMs: 1,
  maxDelayMs: 4,
  deadline: Date.now() + 10_000,
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
    let calls = 0;
    await assert.rejects(
      withRetry(async () => {
        calls++;
        throw iamError("ConcurrentModification");
      }, bounds()),
      /ConcurrentModification/,
    );
    assert.equal(calls, 4);
  });

  it("does not retry a refusal, and succeeds once the condition clears", async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(async () => (calls++, Promise.reject(iamError("NoSuchEntity"))), bounds()),
      /NoSuchEntity/,
    );
    assert.equal(calls, 1);
    let tries = 0;
    assert.equal(await withRetry(async () => (++tries < 3 ? Promise.reject(iamError("Throttling")) : "ok"), bounds()), "ok");
    assert.equal(tries, 3);
  });

  it("stops before the deadline rather than sleeping past it", async () => {
    let calls = 0;
    const started = Date.now();
    await assert.rejects(
      withRetry(
        async () => (calls++, Promise.reject(iamError("Throttling"))),
        bounds({ attempts: 100, baseDelayMs: 50, maxDelayMs: 50, deadline: Date.now() + 60 }),
      ),
    );
    assert.ok(calls <= 3, `${calls} calls`);
    assert.ok(Date.now() - started < 200);
  });
});
