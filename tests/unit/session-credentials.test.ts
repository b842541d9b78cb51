import { strict as assert } from "node:assert";
import { REFRESH_BEFORE_EXPIRY_MS, refreshingCredentials, refreshMargin } from "../../provider/aws/session-credentials";
import { ManualClock } from "../helpers/manual-clock";

/** Assumed roles' sessions renewed before they expire, on an injected clock. */
describe("session credentials: renewed before they lapse", () => {
  const session = (clock: ManualClock, n: number, lifetimeMs: number) => ({
    accessKeyId: `ASIA${n}`,
    secretAccessKey: "s",
    sessionToken: "t",
    expiration: new Date(clock.now() + lifetimeMs),
  });

  it("renews once a session is within its margin of its end: five minutes, or a quarter of a short session", () => {
    assert.equal(refreshMargin(3_600_000), REFRESH_BEFORE_EXPIRY_MS);
    assert.equal(refreshMargin(20_000), 5_000);
  });

  it("keeps a session while it holds, renews it near its end, with one STS call for all who wait", async () => {
    const clock = new ManualClock();
    let calls = 0;
    const provider = refreshingCredentials(async () => session(clock, ++calls, 20_000), clock);
    assert.equal((await provider()).accessKeyId, "ASIA1");
    clock.advance(14_999);
    assert.equal((await provider()).accessKeyId, "ASIA1", "more than a quarter of its life left");
    clock.advance(1);
    const renewed = await Promise.all([provider(), provider(), provider()]);
    assert.deepEqual(
      renewed.map((c) => c.accessKeyId),
      ["ASIA2", "ASIA2", "ASIA2"],
    );
    assert.equal(calls, 2);
  });

  it("a failed renewal keeps the session while it holds, and fails once it has expired", async () => {
    const clock = new ManualClock();
    let fail = false;
    const provider = refreshingCredentials(async () => {
      if (fail) throw new Error("STS unavailable");
      return session(clock, 1, 20_000);
    }, clock);
    await provider();
    fail = true;
    clock.advance(16_000);
    assert.equal((await provider()).accessKeyId, "ASIA1", "still valid: used on");
    clock.advance(4_000);
    await assert.rejects(provider(), /STS unavailable/);
  });

  it("hands the SDK the session's remaining time on the system clock, so that the SDK asks again in time", async () => {
    const clock = new ManualClock(0);
    const provider = refreshingCredentials(async () => session(clock, 1, 20_000), clock);
    const before = Date.now();
    const remaining = (await provider()).expiration!.getTime() - before;
    assert.ok(remaining > 0 && remaining <= 20_000, String(remaining));
  });
});
