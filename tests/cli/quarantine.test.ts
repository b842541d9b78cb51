import { strict as assert } from "node:assert";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetUserCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
} from "@aws-sdk/client-iam";
import { resetIamClients } from "../../provider/aws/client";
import { isNoSuchEntity } from "../../provider/aws/errors";
import { EXIT, runCli } from "../../provider/cli";
import type { ConfirmAnswer } from "../../provider/cli/index";
import { DEPENDENCY_KINDS } from "../../provider/teardown/kinds";
import { disableUser, QUARANTINE_POLICY_NAME } from "../../provider/teardown/quarantine";
import { packageClientFor, pointIamEndpointAt, useEmulator } from "../helpers/iam";
import { acquireMoto, motoUnavailableReason, releaseMoto, startMotoFront } from "../helpers/moto";

async function cli(argv: string[], confirm?: (q: string) => Promise<ConfirmAnswer>) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), confirm });
  return {
    code,
    stdout,
    stderr,
    json: !argv.includes("--json")
      ? []
      : stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l)),
  };
}

const DAY = 86_400_000;
const daysAgo = (n: number) => ({ now: () => Date.now() - n * DAY, sleep: async () => {} });

describe("CLI: disable, enable, and delete --disabled-for", () => {
  const env = useEmulator();
  let restoreEndpoint: () => void;
  before(() => (restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint)));
  after(() => restoreEndpoint());

  const keys = async (UserName: string) =>
    ((await env.client.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata ?? []).map((k) => k.Status);
  const inline = async (UserName: string) => (await env.client.send(new ListUserPoliciesCommand({ UserName }))).PolicyNames ?? [];

  it("disable asks like delete, then disables each user; disable twice is once; plan says since when; enable restores", async () => {
    env.emulator.seed({
      users: [
        { userName: "ana", accessKeys: 2, loginProfile: true },
        { userName: "bo", sshKeys: 1 },
      ],
    });
    const refused = await cli(["disable", "ana"]);
    assert.equal(refused.code, EXIT.usage);
    assert.match(refused.stderr, /refusing to disable without confirmation/);
    let asked = "";
    const declined = await cli(["disable", "ana", "bo"], async (q) => {
      asked = q;
      return false;
    });
    assert.equal(declined.code, EXIT.declined);
    assert.match(asked, /^Disable 2 IAM user\(s\) in account 123456789012/);
    assert.deepEqual(await keys("ana"), ["Active", "Active"], "no: nothing changed");

    const disabled = await cli(["disable", "ana", "bo", "nobody", "--yes", "--json"]);
    assert.equal(disabled.code, EXIT.ok, disabled.stderr);
    const byUser = Object.fromEntries(disabled.json.filter((l) => l.type === "user").map((l) => [l.userName, l]));
    assert.equal(byUser.ana.outcome, "disabled");
    assert.equal(byUser.ana.switched.length, 2);
    assert.equal(byUser.bo.outcome, "disabled");
    assert.equal(byUser.nobody.outcome, "already-gone");
    assert.deepEqual(disabled.json.at(-1), { type: "summary", users: 3, disabled: 2, "already-gone": 1 });
    assert.match(disabled.stderr, /disabled ana: deactivated access key AKIA/);
    assert.deepEqual(await keys("ana"), ["Inactive", "Inactive"]);
    assert.deepEqual(await inline("ana"), [QUARANTINE_POLICY_NAME]);
    assert.ok(env.emulator.state.getUser("ana")!.loginProfile, "the console password is kept");

    const again = await cli(["disable", "ana", "--yes", "--json"]);
    assert.equal(again.json[0].outcome, "already-disabled");
    assert.equal(again.json[0].disabledSince, byUser.ana.disabledSince);

    const plan = await cli(["plan", "ana"]);
    assert.match(plan.stdout, new RegExp(`, disabled since ${byUser.ana.disabledSince}\\n`));

    const enabled = await cli(["enable", "ana", "--yes", "--json"]);
    assert.equal(enabled.code, EXIT.ok);
    assert.equal(enabled.json[0].outcome, "enabled");
    assert.deepEqual(await keys("ana"), ["Active", "Active"]);
    assert.deepEqual(await inline("ana"), []);
    assert.doesNotMatch((await cli(["plan", "ana"])).stdout, /disabled since/);
    assert.equal((await cli(["enable", "ana", "--yes", "--json"])).json[0].outcome, "not-disabled");
  });

  it("delete --disabled-for 30d tears down a user disabled 31 days ago and keeps, untouched, one disabled yesterday and one never disabled: exit 3", async () => {
    await env.fresh();
    restoreEndpoint();
    restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint);
    env.emulator.seed({ users: ["old", "recent", "never"].map((userName) => ({ userName, accessKeys: 1, inlinePolicies: ["p"] })) });
    await disableUser({ client: env.client, userName: "old", clock: daysAgo(31) });
    await disableUser({ client: env.client, userName: "recent", clock: daysAgo(1) });
    const recentBefore = env.emulator.snapshotUser("recent");
    const neverBefore = env.emulator.snapshotUser("never");
    const run = await cli(["delete", "old", "recent", "never", "--disabled-for", "30d", "--yes", "--json"]);
    assert.equal(run.code, EXIT.skipped, run.stderr);
    const byUser = Object.fromEntries(run.json.filter((l) => l.type === "user").map((l) => [l.userName, l]));
    assert.equal(byUser.old.outcome, "deleted");
    assert.equal(byUser.recent.outcome, "skipped-not-disabled");
    assert.match(byUser.recent.reason, /disabled since .*, less than 30d ago/);
    assert.equal(byUser.never.outcome, "skipped-not-disabled");
    assert.match(byUser.never.reason, /not disabled/);
    assert.equal(env.emulator.state.userExists("old"), false);
    assert.deepEqual(env.emulator.snapshotUser("recent"), recentBefore);
    assert.deepEqual(env.emulator.snapshotUser("never"), neverBefore);
  });

  it("bad usage changes nothing: an age that is not one, --disabled-for beyond delete, --keep-user beyond delete", async () => {
    for (const argv of [
      ["delete", "x", "--disabled-for", "30x", "--yes"],
      ["delete", "x", "--disabled-for", "0d", "--yes"],
      ["disable", "x", "--disabled-for", "3d", "--yes"],
      ["enable", "x", "--keep-user", "--yes"],
      ["disable", "x", "--markdown", "--yes"],
    ]) {
      const r = await cli(argv);
      assert.equal(r.code, EXIT.usage, argv.join(" "));
    }
  });
});

describe("CLI: delete --disabled-for on moto", function () {
  this.timeout(60_000);
  let restoreEndpoint: () => void = () => undefined;
  let stop: () => Promise<void> = async () => undefined;
  let iam: IAMClient;

  before(async function () {
    const reason = motoUnavailableReason();
    if (reason) {
      if (process.env.REQUIRE_MOTO === "1") throw new Error(`REQUIRE_MOTO=1 but ${reason}`);
      console.log(`      skipped on moto: ${reason}`);
      return this.skip();
    }
    const moto = await acquireMoto();
    await moto.reset();
    // moto serves no ListServiceSpecificCredentials: the front answers it (empty) for the teardown's listing.
    const front = await startMotoFront(moto.endpoint);
    stop = async () => {
      await front.stop();
      releaseMoto();
    };
    restoreEndpoint = pointIamEndpointAt(front.endpoint);
    iam = packageClientFor(front.endpoint);
  });
  after(async () => {
    restoreEndpoint();
    resetIamClients();
    await stop();
  });

  /** The user as anyone sees it: keys and their status, inline policies, tags. */
  const observe = async (UserName: string) => ({
    keys: ((await iam.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata ?? []).map((k) => [k.AccessKeyId, k.Status]),
    inline: (await iam.send(new ListUserPoliciesCommand({ UserName }))).PolicyNames,
    tags: (await iam.send(new ListUserTagsCommand({ UserName }))).Tags,
  });

  it("tears down the user disabled 31 days ago and keeps, untouched, the one disabled yesterday: exit 3", async () => {
    const registry = DEPENDENCY_KINDS.filter((k) => k.id !== "serviceSpecificCredentials");
    for (const UserName of ["old", "recent"]) {
      await iam.send(new CreateUserCommand({ UserName }));
      await iam.send(new CreateAccessKeyCommand({ UserName }));
    }
    await disableUser({ client: iam, userName: "old", clock: daysAgo(31), registry });
    await disableUser({ client: iam, userName: "recent", clock: daysAgo(1), registry });
    const recentBefore = await observe("recent");
    const run = await cli(["delete", "old", "recent", "--disabled-for", "30d", "--yes", "--json"]);
    assert.equal(run.code, EXIT.skipped, run.stderr);
    const byUser = Object.fromEntries(run.json.filter((l) => l.type === "user").map((l) => [l.userName, l]));
    assert.equal(byUser.old.outcome, "deleted");
    assert.equal(byUser.recent.outcome, "skipped-not-disabled");
    await assert.rejects(iam.send(new GetUserCommand({ UserName: "old" })), (err) => isNoSuchEntity(err));
    assert.deepEqual(await observe("recent"), recentBefore);
  });
});
