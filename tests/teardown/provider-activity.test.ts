import { strict as assert } from "node:assert";
import * as methods from "../../provider/provider-methods";
import { pointIamEndpointAt, useEmulator } from "../helpers/iam";
import { ManualClock } from "../helpers/manual-clock";

const DAY = 86_400_000;

/** The resource's activity output and its requireInactiveFor guard, through the provider's methods, over the emulator. */
describe("IamUserTeardown provider: activity output and requireInactiveFor", () => {
  const clock = new ManualClock(Date.parse("2026-03-01T12:00:00Z"));
  const env = useEmulator({ clock: () => clock.now() });
  let restoreEndpoint: () => void;
  before(() => (restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint)));
  after(() => restoreEndpoint());
  const ago = (days: number) => new Date(Date.parse("2026-03-01T12:00:00Z") - days * DAY);

  it("check accepts days or hours and names the property otherwise; changing it is recorded without a call to IAM", async () => {
    assert.deepEqual((await methods.check({}, { userName: "u", requireInactiveFor: "90d" })).failures ?? [], []);
    assert.deepEqual((await methods.check({}, { userName: "u", requireInactiveFor: "36h" })).failures ?? [], []);
    for (const bad of ["90", "3w", 90, ""]) {
      const failures = (await methods.check({}, { userName: "u", requireInactiveFor: bad })).failures ?? [];
      assert.deepEqual(
        failures.map((f) => f.property),
        ["requireInactiveFor"],
        String(bad),
      );
      assert.match(failures[0]!.reason, /"90d" or "36h"/);
    }
    const diff = await methods.diff(
      "u",
      { userName: "u", arn: "arn:aws:iam::123456789012:user/u", userId: "AIDAAAAAAAAAAAAAAAAAA" },
      {
        userName: "u",
        requireInactiveFor: "30d",
      },
    );
    assert.deepEqual(Object.keys(diff.detailedDiff), ["requireInactiveFor"]);
  });

  it("read (refresh) writes the one-line activity output; a policy without the activity actions leaves it unknown, never failing the read", async () => {
    const seeded = env.emulator.seed({
      users: [
        {
          userName: "refreshed",
          createDate: ago(60),
          accessKeys: 1,
          accessKeysLastUsed: [{ date: ago(2), service: "s3", region: "us-east-1" }],
        },
      ],
    }).users.refreshed!;
    const [key] = seeded.accessKeyIds;
    const recorded = {
      userName: "refreshed",
      userId: seeded.userId,
      arn: seeded.arn,
      deleteUser: true,
      adopt: true,
      summary: "1 access key",
    };
    const read = await methods.read("refreshed", recorded);
    const line = (read.props as { activity: string }).activity;
    assert.equal(
      line,
      `last ${ago(2).toISOString()} (access key ${key} (s3, us-east-1)); created ${ago(60).toISOString().slice(0, 10)}; password never; keys ${ago(2).toISOString().slice(0, 10)}; services s3 ${ago(2).toISOString().slice(0, 10)}`,
    );
    assert.doesNotMatch(line, /\n/);
    await env.fresh({ clock: () => clock.now(), denyActions: ["GenerateServiceLastAccessedDetails"] });
    restoreEndpoint();
    restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint);
    const again = env.emulator.seed({ users: [{ userName: "refreshed" }] }).users.refreshed!;
    const denied = await methods.read("refreshed", { ...recorded, userId: again.userId, arn: again.arn });
    assert.match(
      (denied.props as { activity: string }).activity,
      /; unknown per-service last access: .*not authorized to perform: iam:GenerateServiceLastAccessedDetails/,
    );
  });

  it("delete refuses an active user before touching it, naming what was used when and both ways on; an inactive one goes", async () => {
    await env.fresh({ clock: () => clock.now() });
    restoreEndpoint();
    restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint);
    const seeded = env.emulator.seed({
      users: [
        {
          userName: "busy",
          createDate: ago(300),
          accessKeys: 1,
          accessKeysLastUsed: [{ date: ago(1), service: "ec2", region: "eu-west-1" }],
        },
        { userName: "quiet", createDate: ago(300), accessKeys: 1, accessKeysLastUsed: [{ date: ago(200) }] },
      ],
    }).users;
    const props = (name: "busy" | "quiet") => ({
      userName: name,
      userId: seeded[name]!.userId,
      arn: seeded[name]!.arn,
      deleteUser: true,
      adopt: true,
      requireInactiveFor: "30d",
    });
    const before = env.emulator.snapshotUser("busy");
    env.emulator.clearLog();
    await assert.rejects(
      methods.remove("busy", props("busy"), undefined, () => undefined, clock),
      (err: Error) => {
        assert.match(
          err.message,
          /^refusing to delete IAM user busy: active 1 day ago: access key AKIA\w+ \(ec2, eu-west-1\) on 2026-02-28T12:00:00.000Z, inside requireInactiveFor 30d; nothing was changed\./,
        );
        assert.match(err.message, /lower or remove requireInactiveFor in the program and run `pulumi up`/);
        assert.match(err.message, /`pulumi destroy --continue-on-error`/);
        return true;
      },
    );
    assert.deepEqual(env.emulator.snapshotUser("busy"), before);
    assert.deepEqual(
      env.emulator.log.filter((e) => e.mutating),
      [],
    );
    await methods.remove("quiet", props("quiet"), undefined, () => undefined, clock);
    assert.equal(env.emulator.state.userExists("quiet"), false);
    // Off (no requireInactiveFor): no activity is read on the delete path.
    env.emulator.clearLog();
    await methods.remove("busy", { ...props("busy"), requireInactiveFor: undefined }, undefined, () => undefined, clock);
    assert.equal(env.emulator.state.userExists("busy"), false);
    assert.deepEqual(
      env.emulator.log.filter((e) => /LastUsed|LastAccessed/.test(e.action)),
      [],
    );
  });
});
