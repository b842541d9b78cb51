import { strict as assert } from "node:assert";
import { AttachUserPolicyCommand, CreateAccessKeyCommand, GetUserCommand, ListUserTagsCommand } from "@aws-sdk/client-iam";
import * as methods from "../../provider/provider-methods";
import { UNKNOWN } from "../../provider/validate";
import { pointIamEndpointAt, useEmulator } from "../helpers/iam";

/** The provider's methods as Pulumi calls them (check -> create/diff/update/read/delete), against the emulator. */
describe("IamUserTeardown provider interface", () => {
  const env = useEmulator();
  let restoreEndpoint: () => void;
  before(() => (restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint)));
  after(() => restoreEndpoint());

  async function checked(news: Record<string, unknown>) {
    const result = await methods.check({}, news);
    assert.deepEqual(result.failures ?? [], []);
    return result.inputs!;
  }

  it("check fills defaults and passes values unknown during preview", async () => {
    const inputs = await checked({ userName: "carol" });
    assert.equal(inputs.deleteUser, true);
    assert.equal(inputs.adopt, false);
    assert.deepEqual((await methods.check({}, { userName: UNKNOWN, path: UNKNOWN, tags: { team: UNKNOWN } })).failures ?? [], []);
    const companion = await checked({ userName: "carol", deleteUser: false });
    assert.equal(companion.adopt, true, "companion mode adopts");
  });

  it("check names the property and the rule for every bad input", async () => {
    const result = await methods.check(
      {},
      {
        userName: "bad name!",
        path: "no-slashes",
        tags: { "aws:reserved": "x", ok: "y".repeat(257) },
        permissionsBoundary: "not-an-arn",
        region: "Mars",
        roleArn: "arn:aws:iam::123:user/x",
        secretAccessKey: "never",
      },
    );
    const props = (result.failures ?? []).map((f) => f.property).sort();
    assert.deepEqual(props, [
      "path",
      "permissionsBoundary",
      "region",
      "roleArn",
      "secretAccessKey",
      "tags.aws:reserved",
      "tags.ok",
      "userName",
    ]);
    for (const f of result.failures!) assert.ok(f.reason.length > 20, f.reason);
  });

  it("diff: a new userName replaces; path, tags, boundary and connection update in place", async () => {
    const olds = { userName: "a", path: "/", tags: { t: "1" }, region: "us-east-1", deleteUser: true, arn: "x", userId: "AIDA" };
    assert.deepEqual((await methods.diff("a", olds, { ...olds, userName: "b" })).replaces, ["userName"]);
    const tagChange = await methods.diff("a", olds, { ...olds, tags: { t: "2" } });
    assert.equal(tagChange.changes, true);
    assert.deepEqual(tagChange.replaces, []);
    assert.equal((await methods.diff("a", olds, { ...olds, path: "/ops/" })).changes, true);
    assert.equal(
      (await methods.diff("a", olds, { ...olds, permissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess" })).changes,
      true,
    );
    // How to reach IAM is recorded: changing it is an update in place, so the next destroy uses it.
    const connectionChange = await methods.diff("a", olds, { ...olds, region: "eu-west-1", profile: "other" });
    assert.equal(connectionChange.changes, true);
    assert.deepEqual(connectionChange.replaces, []);
    assert.equal((await methods.diff("a", olds, { ...olds })).changes, false);
  });

  it("diff details each change: which property paths update in place, which force the replacement", async () => {
    const olds = {
      userName: "a",
      path: "/",
      tags: { team: "core", "cost-center": "42" },
      region: "us-east-1",
      deleteUser: true,
      arn: "x",
      userId: "AIDA",
    };
    const kinds = async (news: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries((await methods.diff("a", olds, { ...olds, ...news })).detailedDiff).map(([path, d]) => [path, d.kind]),
      );
    assert.deepEqual(await kinds({ userName: "b" }), { userName: "UPDATE_REPLACE" });
    assert.deepEqual(await kinds({ path: "/ops/", tags: { team: "security", oncall: "yes" } }), {
      path: "UPDATE",
      "tags.team": "UPDATE",
      "tags.oncall": "ADD",
      'tags["cost-center"]': "DELETE",
    });
    assert.deepEqual(
      await kinds({ userName: "b", permissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess", region: undefined, deleteUser: false }),
      {
        userName: "UPDATE_REPLACE",
        permissionsBoundary: "ADD",
        region: "DELETE",
        deleteUser: "UPDATE",
      },
    );
    assert.deepEqual(await kinds({ tags: UNKNOWN }), { tags: "UPDATE" }, "a value unknown during preview is an update");
    assert.deepEqual(await kinds({}), {});
    const replace = await methods.diff("a", olds, { ...olds, userName: "b" });
    assert.deepEqual(replace.detailedDiff.userName, { kind: "UPDATE_REPLACE", inputDiff: false });
    assert.deepEqual(
      replace.replaces,
      Object.keys(replace.detailedDiff).filter((p) => replace.detailedDiff[p].kind.endsWith("_REPLACE")),
    );
  });

  it("create makes the user with path, tags and boundary, records UserId and an empty inventory", async () => {
    const inputs = await checked({
      userName: "dave",
      path: "/team/",
      tags: { team: "core" },
      permissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess",
    });
    const { id, outs } = await methods.create(inputs);
    assert.equal(id, "dave");
    assert.match(outs.userId, /^AIDA/);
    assert.equal(outs.arn, `arn:aws:iam::${env.emulator.accountId}:user/team/dave`);
    assert.equal(outs.inventory, undefined, "nothing hangs on the user: no inventory, only the summary");
    assert.equal(outs.summary, "nothing");
    assert.equal(outs.stateVersion, methods.STATE_VERSION);
    const live = await env.client.send(new GetUserCommand({ UserName: "dave" }));
    assert.equal(live.User!.PermissionsBoundary?.PermissionsBoundaryArn, "arn:aws:iam::aws:policy/PowerUserAccess");
  });

  it("create refuses an existing user unless adopt is set, and adopt applies the declared settings", async () => {
    env.emulator.seed({ users: [{ userName: "legacy", tags: { old: "1" }, accessKeys: 1 }] });
    await assert.rejects(methods.create(await checked({ userName: "legacy" })), /already exists.*adopt: true/);
    const { outs } = await methods.create(await checked({ userName: "legacy", adopt: true, tags: { owner: "ops" }, path: "/adopted/" }));
    assert.equal(outs.userId, env.emulator.state.getUser("legacy")!.userId);
    assert.match(outs.inventory?.accessKeys ?? "", /^AKIA\w+$/, "one access key");
    assert.equal(outs.summary, "1 access key");
    const tags = await env.client.send(new ListUserTagsCommand({ UserName: "legacy" }));
    assert.deepEqual(tags.Tags, [{ Key: "owner", Value: "ops" }]);
    await assert.rejects(methods.create(await checked({ userName: "no-such-user", adopt: true })), /does not exist/);
  });

  it("update applies path, tags and boundary changes", async () => {
    const { outs } = await methods.create(await checked({ userName: "erin", tags: { a: "1", b: "2" } }));
    const news = await checked({
      userName: "erin",
      path: "/moved/",
      tags: { a: "1", c: "3" },
      permissionsBoundary: "arn:aws:iam::aws:policy/ReadOnlyAccess",
    });
    const updated = await methods.update("erin", outs, news);
    assert.equal(updated.outs.path, "/moved/");
    const live = await env.client.send(new GetUserCommand({ UserName: "erin" }));
    assert.equal(live.User!.Path, "/moved/");
    assert.equal(live.User!.PermissionsBoundary?.PermissionsBoundaryArn, "arn:aws:iam::aws:policy/ReadOnlyAccess");
    const tags = await env.client.send(new ListUserTagsCommand({ UserName: "erin" }));
    assert.deepEqual(Object.fromEntries(tags.Tags!.map((t) => [t.Key, t.Value])), { a: "1", c: "3" });
    const cleared = await methods.update(
      "erin",
      updated.outs,
      await checked({ userName: "erin", path: "/moved/", tags: { a: "1", c: "3" } }),
    );
    assert.equal(cleared.outs.permissionsBoundary, undefined);
  });

  it("read returns the live user and its inventory; a user gone out of band leaves the state", async () => {
    const { outs } = await methods.create(await checked({ userName: "frank" }));
    await env.client.send(new CreateAccessKeyCommand({ UserName: "frank" }));
    await env.client.send(new AttachUserPolicyCommand({ UserName: "frank", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }));
    env.emulator.state.addFidoDevice("frank");
    const read = await methods.read("frank", outs);
    assert.equal(read.id, "frank");
    assert.match(read.props!.inventory?.accessKeys ?? "", /^AKIA\w+$/, "one access key");
    assert.equal(read.props!.inventory?.managedPolicies, "arn:aws:iam::aws:policy/ReadOnlyAccess");
    assert.match(read.props!.inventory?.mfaDevices ?? "", /^fido arn:aws:iam::\d{12}:u2f\/\S+$/);
    assert.deepEqual(
      Object.keys(read.props!.inventory!).sort(),
      ["accessKeys", "managedPolicies", "mfaDevices"],
      "only the kinds that hold something",
    );
    assert.equal(read.props!.summary, "1 access key, 1 FIDO security key, 1 managed policy");
    assert.equal(JSON.stringify(read).includes("SecretAccessKey"), false);
    env.emulator.state.removeUserCompletely("frank");
    assert.deepEqual(await methods.read("frank", outs), {});
  });

  it("read keeps a gone user while a recorded virtual device it held is left unassigned; destroy then deletes the device", async () => {
    const { outs } = await methods.create(await checked({ userName: "hana" }));
    const device = env.emulator.state.createVirtualMfaDevice("hana-phone");
    env.emulator.state.enableMfaDevice("hana", device.serialNumber);
    const recorded = await methods.read("hana", outs);
    assert.equal(recorded.props!.inventory?.mfaDevices, `virtual ${device.serialNumber}`);
    // A destroy interrupted as the device's deletion and DeleteUser went out side by side: the user went, the device stayed.
    env.emulator.state.deactivateMfaDevice("hana", device.serialNumber);
    env.emulator.state.removeUserCompletely("hana");
    const after = await methods.read("hana", recorded.props!);
    assert.equal(after.id, "hana", "still in the stack: the record is what leads the next destroy to the device");
    assert.equal(after.props!.inventory?.mfaDevices, `virtual ${device.serialNumber} (unassigned)`);
    assert.deepEqual(Object.keys(after.props!.inventory!), ["mfaDevices"]);
    await methods.remove("hana", after.props!, undefined, () => undefined);
    assert.deepEqual(env.emulator.state.listVirtualMfaDevices(), [], "no orphan left");
    assert.deepEqual(await methods.read("hana", after.props!), {}, "nothing left: the resource leaves the state");
  });

  it("delete tears down with the recorded UserId, and refuses a recreated user", async () => {
    const { outs } = await methods.create(await checked({ userName: "gina" }));
    env.emulator.state.createAccessKey("gina");
    await methods.remove("gina", outs, undefined, () => undefined);
    assert.equal(env.emulator.state.userExists("gina"), false);
    const second = await methods.create(await checked({ userName: "gina" }));
    env.emulator.state.removeUserCompletely("gina");
    env.emulator.seed({ users: [{ userName: "gina" }] });
    await assert.rejects(
      methods.remove("gina", second.outs, undefined, () => undefined),
      /different user/,
    );
    assert.equal(env.emulator.state.userExists("gina"), true);
  });

  it("delete in companion mode clears dependencies and keeps the user", async () => {
    env.emulator.seed({ users: [{ userName: "managed-elsewhere", accessKeys: 2, groups: ["developers"] }] });
    const { outs } = await methods.create(await checked({ userName: "managed-elsewhere", deleteUser: false }));
    await methods.remove("managed-elsewhere", outs, undefined, () => undefined);
    assert.equal(env.emulator.state.userExists("managed-elsewhere"), true);
    assert.equal(env.emulator.state.dependencyCounts("managed-elsewhere").accessKeys, 0);
  });
});
