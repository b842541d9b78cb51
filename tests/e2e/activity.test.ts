/**
 * Activity through the real Pulumi CLI: the one-line `activity` output, refreshed by `pulumi preview --refresh`, and
 * the requireInactiveFor guard, which refuses an active user's delete with its message while
 * `pulumi destroy --continue-on-error` removes the inactive users in the same run.
 */
import * as assert from "node:assert";
import { assertOk, type EmulatedStack, emulatedStack, printed, RESOURCE_TYPE } from "./support";

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { IamUserTeardown, type IamUserTeardownArgs } from "iam-user-teardown";

const declared = new pulumi.Config().requireObject<Array<{ name: string; args: IamUserTeardownArgs }>>("users");
const users = declared.map((u) => new IamUserTeardown(u.name, u.args));
export const activity = pulumi.all(Object.fromEntries(users.map((u, i) => [declared[i].name, u.activity])));
`;

const DAY = 86_400_000;
const USERS = ["busy", "quiet-a", "quiet-b"];

describe("e2e: the activity output and requireInactiveFor through the Pulumi CLI", function () {
  this.timeout(180_000);
  let s: EmulatedStack;
  let busyKey: string;
  const ago = (days: number) => new Date(Date.now() - days * DAY);

  before(async function () {
    this.timeout(60_000);
    s = await emulatedStack(this, { workspace: { projectName: "activity", program: { "index.ts": PROGRAM } } });
    const seeded = s.emulator.seed({
      users: [
        {
          userName: "busy",
          createDate: ago(300),
          accessKeys: 1,
          accessKeysLastUsed: [{ date: ago(3), service: "s3", region: "eu-west-1" }],
        },
        { userName: "quiet-a", createDate: ago(200), accessKeys: 1, accessKeysLastUsed: [{ date: ago(150) }] },
        { userName: "quiet-b", createDate: ago(200), loginProfile: true, passwordLastUsed: ago(120) },
      ],
    });
    busyKey = seeded.users.busy!.accessKeyIds[0]!;
    const declared = USERS.map((name) => ({ name, args: { userName: name, adopt: true, requireInactiveFor: "30d" } }));
    await s.ws.configSet("users", JSON.stringify(declared));
  });
  after(async () => s?.dispose());

  it("pulumi up records each user's activity on one line; preview --refresh --diff shows a new use in at most 2 lines per user", async () => {
    assertOk(await s.ws.up());
    const recorded = (await s.ws.outputs()).activity as Record<string, string>;
    assert.match(recorded.busy!, new RegExp(`^last \\S+ \\(access key ${busyKey} \\(s3, eu-west-1\\)\\); created `));
    assert.match(recorded["quiet-b"]!, /^last \S+ \(console password\); /);
    for (const line of Object.values(recorded)) assert.doesNotMatch(line, /\n/);
    // The key is used again, yesterday: the refresh shows it.
    s.emulator.state.activity.recordKeyUse(s.emulator.state.getUser("busy")!, busyKey, {
      date: ago(1),
      service: "ec2",
      region: "us-west-2",
    });
    const preview = assertOk(await s.ws.preview(["--refresh", "--show-sames"]));
    const out = printed(preview);
    // The refresh prints each resource's outputs, the changed ones marked: per user, its activity output's lines.
    const lines = out.split("\n");
    for (const user of USERS) {
      const at = lines.findIndex((l) => l.includes(`IamUserTeardown::${user}]`));
      assert.ok(at >= 0, `${user} is not in the preview:\n${out}`);
      const next = lines.findIndex((l, i) => i > at && /\[urn=|^\s*[~+-]?\s*pulumi/.test(l));
      const activityLines = lines.slice(at, next < 0 ? undefined : next).filter((l) => /^\s*[~+-]?\s*activity\s*:/.test(l));
      assert.ok(
        activityLines.length >= 1 && activityLines.length <= 2,
        `${user}: ${activityLines.length} lines\n${activityLines.join("\n")}`,
      );
      if (user === "busy")
        assert.match(
          activityLines.join("\n"),
          new RegExp(`^\\s*~ activity\\s*: "last .*" => "last \\S+ \\(access key ${busyKey} \\(ec2, us-west-2\\)\\); `, "m"),
        );
    }
  });

  it("pulumi destroy --continue-on-error: the active user's delete is refused with the message, the inactive ones go in the same run", async () => {
    const before = s.emulator.snapshotUser("busy");
    const destroy = await s.ws.destroy(["--continue-on-error"]);
    const out = printed(destroy);
    assert.notStrictEqual(destroy.code, 0, out);
    assert.match(
      out,
      /refusing to delete IAM user busy: active 1 day ago: access key AKIA\w+ \(ec2, us-west-2\) on \S+, inside requireInactiveFor 30d; nothing was changed\./,
    );
    assert.match(out, /lower or remove requireInactiveFor in the program and run `pulumi up`/);
    assert.match(out, /`pulumi destroy --continue-on-error`/);
    assert.strictEqual(s.emulator.state.userExists("quiet-a"), false);
    assert.strictEqual(s.emulator.state.userExists("quiet-b"), false);
    assert.deepStrictEqual(s.emulator.snapshotUser("busy"), before, "untouched");
    const left = (await s.ws.resources()).filter((r) => r.type === RESOURCE_TYPE).map((r) => r.id);
    assert.deepStrictEqual(left, ["busy"]);
  });
});
