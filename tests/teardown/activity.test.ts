import { strict as assert } from "node:assert";
import { IAMClient } from "@aws-sdk/client-iam";
import { applyRateLimiter, PerActionRateLimiter } from "../../provider/aws/rate-limit";
import {
  activeWithin,
  activityActions,
  activityLine,
  describeLastActivity,
  guardVerdict,
  parseInactivityWindow,
  readUserActivity,
} from "../../provider/teardown/activity";
import { createContext } from "../../provider/teardown/context";
import { getUserOrUndefined } from "../../provider/teardown/identity";
import { useEmulator } from "../helpers/iam";
import { ManualClock } from "../helpers/manual-clock";

const DAY = 86_400_000;
const NOW = Date.parse("2026-03-01T12:00:00Z");

/** A limiter that notes every slot asked for, to show each call of the activity read waited for its action's slot. */
class CountingLimiter extends PerActionRateLimiter {
  readonly acquired: string[] = [];
  override acquire(action: string): Promise<void> {
    this.acquired.push(action);
    return super.acquire(action);
  }
}

describe("engine: a user's activity (created, password, access keys, per-service last access)", () => {
  const env = useEmulator({ clock: () => NOW, serviceAccessJobPolls: 3 });

  function limitedClient(limiter: PerActionRateLimiter): IAMClient {
    const client = new IAMClient({
      endpoint: env.emulator.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
      maxAttempts: 1,
    });
    applyRateLimiter(client, limiter);
    return client;
  }

  it("reads every source, takes the latest with its source, and polls the job through the limiter on the injected clock", async () => {
    const seeded = env.emulator.seed({
      users: [
        {
          userName: "mixed",
          createDate: new Date(NOW - 400 * DAY),
          loginProfile: true,
          passwordLastUsed: new Date(NOW - 50 * DAY),
          accessKeys: 2,
          accessKeysLastUsed: [{ date: new Date(NOW - DAY), service: "s3", region: "eu-west-1" }, null],
          serviceLastAccessed: [{ namespace: "codecommit", date: new Date(NOW - 10 * DAY), region: "us-east-2" }],
        },
      ],
    });
    const [usedKey, idleKey] = seeded.users.mixed!.accessKeyIds;
    const clock = new ManualClock(NOW);
    const limiter = new CountingLimiter({ clock, maxRatePerAction: 1 });
    const client = limitedClient(limiter);
    try {
      const ctx = createContext({ client });
      const user = (await getUserOrUndefined(ctx, "mixed"))!;
      const activity = await readUserActivity(ctx, user, { clock, pollIntervalMs: 500, maxPollIntervalMs: 1_000 });
      assert.equal(activity.created, new Date(NOW - 400 * DAY).toISOString());
      assert.equal(activity.passwordLastUsed, new Date(NOW - 50 * DAY).toISOString());
      assert.deepEqual(
        [...activity.credentials].sort((a, b) => (a.id === usedKey ? -1 : b.id === usedKey ? 1 : 0)),
        [
          { kind: "access key", id: usedKey, lastUsed: new Date(NOW - DAY).toISOString(), service: "s3", region: "eu-west-1" },
          { kind: "access key", id: idleKey, lastUsed: undefined, service: undefined, region: undefined },
        ],
      );
      assert.deepEqual(
        activity.services.map((s) => [s.namespace, s.lastAuthenticated]),
        [
          ["s3", new Date(NOW - DAY).toISOString()],
          ["codecommit", new Date(NOW - 10 * DAY).toISOString()],
        ],
      );
      assert.deepEqual(activity.lastActivity, {
        date: new Date(NOW - DAY).toISOString(),
        source: `access key ${usedKey} (s3, eu-west-1)`,
      });
      // Three IN_PROGRESS answers, then COMPLETED: four polls, each through the limiter, with waits between them.
      const polls = limiter.acquired.filter((a) => a === "GetServiceLastAccessedDetails").length;
      assert.equal(polls, 4);
      for (const action of ["ListAccessKeys", "GetAccessKeyLastUsed", "GenerateServiceLastAccessedDetails"])
        assert.ok(limiter.acquired.includes(action), action);
      assert.ok(clock.sleeps.includes(500) && clock.sleeps.includes(1_000), `waits: ${clock.sleeps.join(", ")}`);
      assert.equal(activeWithin(activity, 30 * DAY, NOW)?.source, `access key ${usedKey} (s3, eu-west-1)`);
      assert.equal(activeWithin(activity, 12 * 3_600_000, NOW), undefined);
      assert.match(
        describeLastActivity(activity.lastActivity!, NOW),
        /^active 1 day ago: access key AKIA\w+ \(s3, eu-west-1\) on 2026-02-28T12:00:00.000Z$/,
      );
      const line = activityLine(activity);
      assert.doesNotMatch(line, /\n/);
      assert.match(line, /; keys (2026-02-28, never|never, 2026-02-28); /);
      assert.ok(!line.includes(idleKey!), "a key's id is the inventory's; the line names only the one last used");
      assert.match(line, /services s3 2026-02-28, codecommit 2026-02-19$/);
    } finally {
      client.destroy();
    }
  });

  it("a user active only through a service (CodeCommit over SSH) is active; one never used since creation shows its creation", async () => {
    env.emulator.seed({
      users: [
        {
          userName: "ssh-only",
          createDate: new Date(NOW - 300 * DAY),
          sshKeys: 1,
          serviceLastAccessed: [{ namespace: "codecommit", date: new Date(NOW - 2 * DAY) }],
        },
        { userName: "idle", createDate: new Date(NOW - 100 * DAY), accessKeys: 1 },
      ],
    });
    const ctx = createContext({ client: env.client });
    const clock = new ManualClock(NOW);
    const sshOnly = await readUserActivity(ctx, (await getUserOrUndefined(ctx, "ssh-only"))!, { clock });
    assert.equal(activeWithin(sshOnly, 30 * DAY, NOW)?.source, "service codecommit");
    const idle = await readUserActivity(ctx, (await getUserOrUndefined(ctx, "idle"))!, { clock });
    assert.deepEqual(idle.lastActivity, { date: new Date(NOW - 100 * DAY).toISOString(), source: "created" });
    assert.equal(activeWithin(idle, 90 * DAY, NOW), undefined);
    assert.equal(activeWithin(idle, 101 * DAY, NOW)?.source, "created");
    assert.match(describeLastActivity(idle.lastActivity!, NOW), /^no use known, created 100 days ago on /);
  });

  it("a job that never completes leaves the service data unknown, on the clock with no real wait: never inactive, active when another source says so", async () => {
    await env.fresh({ clock: () => NOW, serviceAccessJobPolls: 1_000_000 });
    env.emulator.seed({
      users: [
        { userName: "slow", createDate: new Date(NOW - 200 * DAY) },
        {
          userName: "slow-busy",
          createDate: new Date(NOW - 200 * DAY),
          accessKeys: 1,
          accessKeysLastUsed: [{ date: new Date(NOW - DAY) }],
        },
      ],
    });
    const ctx = createContext({ client: env.client });
    const clock = new ManualClock(NOW);
    const slow = await readUserActivity(ctx, (await getUserOrUndefined(ctx, "slow"))!, { clock, jobTimeoutMs: 60_000 });
    assert.equal(slow.unknown?.length, 1);
    assert.match(
      slow.unknown![0]!,
      /^per-service last access: the service last-accessed job for arn:aws:iam::123456789012:user\/slow was still in progress/,
    );
    assert.ok(clock.now() - NOW <= 60_000);
    assert.throws(
      () => guardVerdict(slow, 90 * DAY, NOW),
      /cannot tell whether IAM user slow was inactive that long: per-service last access: .*nothing was changed/,
    );
    assert.match(activityLine(slow), /; unknown per-service last access: /);
    const busy = await readUserActivity(ctx, (await getUserOrUndefined(ctx, "slow-busy"))!, { clock, jobTimeoutMs: 60_000 });
    assert.equal(guardVerdict(busy, 30 * DAY, NOW)?.source, `access key ${busy.credentials[0]!.id} (s3, us-east-1)`);
  });

  it("windows are whole days or hours; the actions are the access keys' list and last use plus the job's two", () => {
    assert.equal(parseInactivityWindow("90d"), 90 * DAY);
    assert.equal(parseInactivityWindow("36h"), 36 * 3_600_000);
    for (const bad of ["90", "0d", "1.5d", "2w", "-3d", "d", ""]) assert.throws(() => parseInactivityWindow(bad), /90d or 36h/, bad);
    assert.deepEqual(activityActions(), [
      "ListAccessKeys",
      "GetAccessKeyLastUsed",
      "GenerateServiceLastAccessedDetails",
      "GetServiceLastAccessedDetails",
    ]);
  });
});
