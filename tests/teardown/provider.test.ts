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
    // Each reason states the rule broken and, where there is one, the value that broke it.
    const said: Record<string, RegExp> = {
      userName: /1-64 characters of letters, digits .*IAM's user name rule.*got "bad name!"/,
      path: /begin and end with "\/".*IAM's path rule.*got "no-slashes"/,
      "tags.aws:reserved": /reserved prefix "aws:"/,
      "tags.ok": /at most 256 characters; got 257/,
      permissionsBoundary: /ARN of a managed policy.*got "not-an-arn"/,
      region: /AWS region name such as us-east-1; got "Mars"/,
      roleArn: /IAM role ARN.*got "arn:aws:iam::123:user\/x"/,
      secretAccessKey: /not an input of IamUserTeardown \(credentials are never inputs/,
    };
    for (const f of result.failures!) assert.match(f.reason, said[f.property], f.property);
  });

  it("diff: name, path, tags, boundary and connection all update in place", async () => {
    const olds = { userName: "a", path: "/", tags: { t: "1" }, region: "us-east-1", deleteUser: true, arn: "x", userId: "AIDA" };
    const rename = await methods.diff("a", olds, { ...olds, userName: "b" });
    assert.deepEqual([rename.changes, rename.replaces, rename.stables], [true, [], ["userId"]], "a rename keeps the UserId, not the ARN");
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

  it("diff details each change by property path, and a dropped setting only when the program had declared it", async () => {
    const olds = {
      userName: "a",
      path: "/",
      tags: { team: "core", "cost-center": "42" },
      region: "us-east-1",
      deleteUser: true,
      arn: "x",
      userId: "AIDA",
      declared: { path: true, tags: ["cost-center", "team"] },
    };
    const kinds = async (news: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries((await methods.diff("a", olds, { ...olds, ...news })).detailedDiff).map(([path, d]) => [path, d.kind]),
      );
    assert.deepEqual(await kinds({ userName: "b" }), { userName: "UPDATE" });
    assert.deepEqual(await kinds({ path: "/ops/", tags: { team: "security", oncall: "yes" } }), {
      path: "UPDATE",
      "tags.team": "UPDATE",
      "tags.oncall": "ADD",
      'tags["cost-center"]': "DELETE",
    });
    assert.deepEqual(
      await kinds({ userName: "b", permissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess", region: undefined, deleteUser: false }),
      {
        userName: "UPDATE",
        permissionsBoundary: "ADD",
        region: "DELETE",
        deleteUser: "UPDATE",
      },
    );
    assert.deepEqual(await kinds({ tags: UNKNOWN }), { tags: "UPDATE" }, "a value unknown during preview is an update");
    assert.deepEqual(await kinds({}), {});
    // Never declared (a record from before `declared`, or an adopted user's own settings): never removed.
    const undeclared = { ...olds, declared: undefined, path: "/ci/", permissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess" };
    const kept = await methods.diff("a", undeclared, { userName: "a", tags: { team: "core" }, region: "us-east-1", deleteUser: true });
    assert.deepEqual([kept.changes, kept.detailedDiff], [false, {}]);
    // Declared, then dropped: the boundary and the path go back to IAM's defaults.
    const dropped = await methods.diff(
      "a",
      { ...undeclared, declared: { path: true, permissionsBoundary: true, tags: ["team"] } },
      { userName: "a", region: "us-east-1", deleteUser: true },
    );
    assert.deepEqual(Object.fromEntries(Object.entries(dropped.detailedDiff).map(([path, d]) => [path, d.kind])), {
      path: "UPDATE",
      "tags.team": "DELETE",
      permissionsBoundary: "DELETE",
    });
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
    const legacyId = env.emulator.state.getUser("legacy")!.userId;
    await assert.rejects(
      methods.create(await checked({ userName: "legacy" })),
      new RegExp(
        `already exists \\(UserId ${legacyId}, created .*\\)\\. It may be another user .*adopt: true and adoptUserId: "${legacyId}"`,
      ),
    );
    const { outs } = await methods.create(await checked({ userName: "legacy", adopt: true, tags: { owner: "ops" }, path: "/adopted/" }));
    assert.equal(outs.userId, env.emulator.state.getUser("legacy")!.userId);
    assert.match(outs.inventory?.accessKeys ?? "", /^AKIA\w+$/, "one access key");
    assert.equal(outs.summary, "1 access key");
    const tags = await env.client.send(new ListUserTagsCommand({ UserName: "legacy" }));
    assert.deepEqual(
      tags.Tags,
      [
        { Key: "old", Value: "1" },
        { Key: "owner", Value: "ops" },
      ],
      "a tag the program does not declare is left alone",
    );
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

  it("delete tears down with the recorded UserId; with a stranger under the name, the recorded user is gone and the stranger untouched", async () => {
    const { outs } = await methods.create(await checked({ userName: "gina" }));
    env.emulator.state.createAccessKey("gina");
    await methods.remove("gina", outs, undefined, () => undefined);
    assert.equal(env.emulator.state.userExists("gina"), false);
    const second = await methods.create(await checked({ userName: "gina" }));
    env.emulator.state.removeUserCompletely("gina");
    const stranger = env.emulator.seed({ users: [{ userName: "gina", accessKeys: 1 }] }).users.gina;
    const before = JSON.stringify(env.emulator.snapshotUser("gina"));
    const log: string[] = [];
    await methods.remove("gina", second.outs, undefined, (line) => log.push(line));
    assert.equal(JSON.stringify(env.emulator.snapshotUser("gina")), before, "the stranger is untouched");
    assert.ok(
      log.some(
        (l) => l.includes(`UserId ${stranger.userId}`) && l.includes("left untouched") && l.includes(`${second.outs.userId} is gone`),
      ),
      log.join("\n"),
    );
  });

  describe("the recorded UserId in every method", () => {
    it("update refuses a different user under the name, naming both UserIds, and changes nothing", async () => {
      const { outs } = await methods.create(await checked({ userName: "ivan", tags: { team: "a" } }));
      env.emulator.state.removeUserCompletely("ivan");
      const stranger = env.emulator.seed({ users: [{ userName: "ivan", tags: { team: "theirs" } }] }).users.ivan;
      const before = JSON.stringify(env.emulator.snapshotUser("ivan"));
      await assert.rejects(methods.update("ivan", outs, await checked({ userName: "ivan", tags: { team: "b" } })), (err: Error) => {
        assert.match(err.message, new RegExp(`different user \\(UserId ${stranger.userId}\\)`));
        assert.match(err.message, new RegExp(`${outs.userId} no longer exists`));
        assert.match(err.message, /Nothing was changed/);
        return true;
      });
      assert.equal(JSON.stringify(env.emulator.snapshotUser("ivan")), before);
    });

    it("read never records a stranger: the recorded user renamed is followed, gone leaves the state", async () => {
      const { outs } = await methods.create(await checked({ userName: "jane" }));
      env.emulator.state.updateUser("jane", { newUserName: "jane-2" });
      env.emulator.seed({ users: [{ userName: "jane", accessKeys: 1 }] });
      const followed = await methods.read("jane", outs);
      assert.deepEqual([followed.id, followed.props!.userName, followed.props!.userId], ["jane", "jane-2", outs.userId]);
      assert.equal(followed.props!.summary, "nothing", "the stranger's access key is not the user's");
      env.emulator.state.removeUserCompletely("jane-2");
      assert.deepEqual(await methods.read("jane", followed.props!), {}, "gone, with a stranger under the old name: out of the stack");
    });

    it("adopt with adoptUserId takes exactly that user, and refuses any other", async () => {
      const seeded = env.emulator.seed({ users: [{ userName: "kim", tags: { team: "x" } }] }).users.kim;
      const before = JSON.stringify(env.emulator.snapshotUser("kim"));
      await assert.rejects(
        methods.create(await checked({ userName: "kim", adopt: true, adoptUserId: "AIDAOTHERUSER0000000", tags: { team: "y" } })),
        new RegExp(`refusing to adopt IAM user kim: it is UserId ${seeded.userId}, not AIDAOTHERUSER0000000.*Nothing was changed`),
      );
      assert.equal(JSON.stringify(env.emulator.snapshotUser("kim")), before);
      const { outs } = await methods.create(await checked({ userName: "kim", adopt: true, adoptUserId: seeded.userId }));
      assert.equal(outs.userId, seeded.userId);
      assert.deepEqual(
        (await methods.check({}, { userName: "kim", adoptUserId: seeded.userId })).failures?.map((f) => f.property),
        ["adoptUserId"],
      );
    });
  });

  describe("never widening a user's permissions", () => {
    const boundary = "arn:aws:iam::aws:policy/PowerUserAccess";

    it("an adopted user's undeclared path, tags and boundary are never changed, by create or by the next update", async () => {
      env.emulator.seed({ users: [{ userName: "lena", path: "/ci/", tags: { abac: "prod" }, permissionsBoundary: boundary }] });
      const before = JSON.stringify(env.emulator.snapshotUser("lena"));
      const inputs = await checked({ userName: "lena", adopt: true, tags: { owner: "ops" } });
      const { outs } = await methods.create(inputs);
      assert.deepEqual(outs.declared, { tags: ["owner"] });
      const again = await methods.diff("lena", outs, inputs);
      assert.deepEqual([again.changes, again.detailedDiff], [false, {}], "no change in the next preview");
      const retagged = await checked({ userName: "lena", adopt: true, tags: { owner: "platform" } });
      await methods.update("lena", outs, retagged);
      const live = env.emulator.state.getUser("lena")!;
      assert.deepEqual(
        [live.path, live.permissionsBoundary, Object.fromEntries(live.tags)],
        ["/ci/", boundary, { abac: "prod", owner: "platform" }],
      );
      assert.notEqual(JSON.stringify(env.emulator.snapshotUser("lena")), before);
    });

    it("declaring a setting IAM already has is recorded, so dropping it later does the same whatever changed alongside", async () => {
      env.emulator.seed({ users: [{ userName: "lars", permissionsBoundary: boundary, tags: { owner: "ops" } }] });
      const { outs } = await methods.create(await checked({ userName: "lars", adopt: true }));
      assert.deepEqual(outs.declared, {});
      const declaring = await checked({ userName: "lars", adopt: true, permissionsBoundary: boundary, tags: { owner: "ops" } });
      const diff = await methods.diff("lars", outs, declaring);
      assert.equal(diff.changes, true, "an update records what the program now declares");
      env.emulator.clearLog();
      const { outs: recorded } = await methods.update("lars", outs, declaring);
      assert.deepEqual(
        env.emulator.log.filter((e) => e.mutating).map((e) => e.action),
        [],
        "nothing changes in IAM, the record does",
      );
      assert.deepEqual(recorded.declared, { permissionsBoundary: true, tags: ["owner"] });
      const same = await methods.diff("lars", recorded, declaring);
      assert.equal(same.changes, false);
      const dropped = await methods.diff("lars", recorded, await checked({ userName: "lars", adopt: true }));
      assert.equal(dropped.detailedDiff.permissionsBoundary?.kind, "DELETE");
      assert.equal(dropped.detailedDiff["tags.owner"]?.kind, "DELETE");
      // A record from before `declared` shows no change for what the program declares with the value IAM has.
      const older = { ...outs, declared: undefined };
      const boundaryOnly = await checked({ userName: "lars", adopt: true, permissionsBoundary: boundary });
      assert.equal((await methods.diff("lars", older, boundaryOnly)).changes, false);
      // With `declared` recorded, declaring the boundary IAM already has is a change of the record alone.
      assert.deepEqual(Object.keys((await methods.diff("lars", outs, boundaryOnly)).detailedDiff), ["declared"]);
    });

    it("a boundary and a tag the program declared and then dropped are removed", async () => {
      const { outs } = await methods.create(await checked({ userName: "mia", tags: { a: "1", b: "2" }, permissionsBoundary: boundary }));
      const news = await checked({ userName: "mia", tags: { a: "1" } });
      const { outs: after } = await methods.update("mia", outs, news);
      const live = env.emulator.state.getUser("mia")!;
      assert.deepEqual([live.permissionsBoundary, Object.fromEntries(live.tags)], [undefined, { a: "1" }]);
      assert.deepEqual(after.declared, { tags: ["a"] });
    });
  });

  describe("rename in place", () => {
    it("a new userName renames the user: same UserId, every credential kept, the id unchanged", async () => {
      const { id, outs } = await methods.create(await checked({ userName: "nora", path: "/team/" }));
      const key = env.emulator.state.createAccessKey("nora").accessKeyId;
      const { outs: renamed } = await methods.update(id, outs, await checked({ userName: "nora-2", path: "/team/" }));
      assert.deepEqual(
        [renamed.userName, renamed.userId, renamed.arn],
        ["nora-2", outs.userId, `arn:aws:iam::${env.emulator.accountId}:user/team/nora-2`],
      );
      assert.equal(env.emulator.state.userExists("nora"), false);
      assert.deepEqual(
        env.emulator.state
          .getUser("nora-2")!
          .accessKeys.toArray()
          .map((k) => k.accessKeyId),
        [key],
      );
      assert.equal(renamed.summary, "1 access key");
    });

    it("a name already taken: a clear error, nothing changed", async () => {
      const { outs } = await methods.create(await checked({ userName: "omar", tags: { t: "1" } }));
      env.emulator.seed({ users: [{ userName: "taken" }] });
      const before = [JSON.stringify(env.emulator.snapshotUser("omar")), JSON.stringify(env.emulator.snapshotUser("taken"))];
      await assert.rejects(
        methods.update("omar", outs, await checked({ userName: "taken", tags: { t: "2" } })),
        /cannot rename IAM user omar .* to taken: a different user already has that name\. Nothing was changed/,
      );
      assert.deepEqual([JSON.stringify(env.emulator.snapshotUser("omar")), JSON.stringify(env.emulator.snapshotUser("taken"))], before);
    });

    it("companion mode follows a rename its owner made and never calls UpdateUser", async () => {
      env.emulator.seed({ users: [{ userName: "pia" }] });
      const { outs } = await methods.create(await checked({ userName: "pia", deleteUser: false }));
      env.emulator.state.updateUser("pia", { newUserName: "pia-2" });
      env.emulator.clearLog();
      const { outs: followed } = await methods.update("pia", outs, await checked({ userName: "pia-2", deleteUser: false }));
      assert.deepEqual([followed.userName, followed.userId], ["pia-2", outs.userId]);
      assert.deepEqual(
        env.emulator.log.filter((e) => e.mutating).map((e) => e.action),
        [],
      );
      await assert.rejects(
        methods.update("pia", followed, await checked({ userName: "pia-3", deleteUser: false })),
        /companion mode .* never renames/,
      );
      assert.equal(env.emulator.state.userExists("pia-2"), true);
    });
  });

  it("delete in companion mode clears dependencies and keeps the user", async () => {
    env.emulator.seed({ users: [{ userName: "managed-elsewhere", accessKeys: 2, groups: ["developers"] }] });
    const { outs } = await methods.create(await checked({ userName: "managed-elsewhere", deleteUser: false }));
    await methods.remove("managed-elsewhere", outs, undefined, () => undefined);
    assert.equal(env.emulator.state.userExists("managed-elsewhere"), true);
    assert.equal(env.emulator.state.dependencyCounts("managed-elsewhere").accessKeys, 0);
  });
});

describe("IamUserTeardown provider: a create that fails once the user is in hand", () => {
  const env = useEmulator({ denyActions: ["PutUserPermissionsBoundary"] });
  let restoreEndpoint: () => void;
  before(() => (restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint)));
  after(() => restoreEndpoint());

  it("an adoption that fails halfway keeps the user in the stack (Pulumi's partial result), never outside it", async () => {
    const seeded = env.emulator.seed({ users: [{ userName: "quinn" }] }).users.quinn;
    const inputs = (
      await methods.check(
        {},
        { userName: "quinn", adopt: true, tags: { owner: "ops" }, permissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess" },
      )
    ).inputs;
    const err = await methods.create(inputs).then(
      () => assert.fail("the boundary is denied"),
      (e: unknown) => e as Error & { id?: string; properties?: Record<string, unknown>; reasons?: string[] },
    );
    assert.match(err.message, /PutUserPermissionsBoundary/);
    assert.match(err.message, /IAM user quinn is in the stack; run pulumi up again/);
    // Pulumi's dynamic provider host turns an error with an id into ErrorResourceInitFailed: the resource is recorded.
    assert.equal(err.id, "quinn");
    assert.equal(err.properties?.userId, seeded.userId);
    assert.deepEqual(err.properties?.declared, { permissionsBoundary: true, tags: ["owner"] });
    assert.equal(err.reasons?.length, 1);
  });
});

describe("IamUserTeardown provider: records from before `declared` count nothing as declared", () => {
  const env = useEmulator();
  let restoreEndpoint: () => void;
  before(() => (restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint)));
  after(() => restoreEndpoint());

  it("a stateVersion 3 record's boundary and tags are never removed by the next update", async () => {
    const boundary = "arn:aws:iam::aws:policy/PowerUserAccess";
    const seeded = env.emulator.seed({
      users: [{ userName: "rita", path: "/ci/", tags: { abac: "prod", team: "a" }, permissionsBoundary: boundary }],
    }).users.rita;
    // As version 3 recorded an adopted user: the live values, nothing saying what the program declared.
    const recorded = {
      userName: "rita",
      path: "/ci/",
      tags: { abac: "prod", team: "a" },
      permissionsBoundary: boundary,
      deleteUser: true,
      adopt: true,
      arn: `arn:aws:iam::${env.emulator.accountId}:user/ci/rita`,
      userId: seeded.userId,
      summary: "nothing",
      stateVersion: 3,
    };
    const news = (await methods.check({}, { userName: "rita", adopt: true, tags: { team: "b" } })).inputs;
    const { outs } = await methods.update("rita", recorded, news);
    const live = env.emulator.state.getUser("rita")!;
    assert.deepEqual([live.path, live.permissionsBoundary, Object.fromEntries(live.tags)], ["/ci/", boundary, { abac: "prod", team: "b" }]);
    assert.deepEqual(outs.declared, { tags: ["team"] }, "from now on the record says what was declared");
  });
});

describe("IamUserTeardown provider: CreateUser whose answer was lost", () => {
  const env = useEmulator();
  let restoreEndpoint: () => void;
  before(() => (restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint)));
  after(() => restoreEndpoint());
  const declared = { userName: "sam", path: "/team/", tags: { team: "core" } };

  it("the retry finds the user the lost attempt created, exactly as asked: it is recorded as created", async () => {
    await env.fresh({ scripted: [{ fault: "drop-after-handling", action: "CreateUser" }] });
    restoreEndpoint();
    restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint);
    const { id, outs } = await methods.create((await methods.check({}, declared)).inputs);
    assert.deepEqual(
      env.emulator.log.filter((e) => e.action === "CreateUser").map((e) => `${e.status}:${e.fault ?? "-"}`),
      ["0:drop-after-handling", "409:-"],
    );
    assert.deepEqual([id, outs.userId], ["sam", env.emulator.state.getUser("sam")!.userId]);
  });

  it("the retry finds another user under the name: nothing is recorded, and the error says how to adopt it if it is ours", async () => {
    await env.fresh({
      scripted: [{ fault: "drop-after-handling", action: "CreateUser" }],
      hooks: [
        {
          beforeAction: "CreateUser",
          nth: 2,
          run: (emulator) => {
            emulator.state.removeUserCompletely("sam");
            emulator.state.createUser("sam", { path: "/elsewhere/" });
          },
        },
      ],
    });
    restoreEndpoint();
    restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint);
    const stranger = env.emulator.state.getUser("sam");
    await assert.rejects(methods.create((await methods.check({}, declared)).inputs), (err: Error & { id?: string }) => {
      assert.equal(err.id, undefined, "not a partial result: nothing goes into the stack");
      assert.match(err.message, /not known to be the one this create made: CreateUser's answer was lost/);
      assert.match(err.message, /adopt: true and adoptUserId: "AIDA\w+"/);
      return true;
    });
    assert.equal(stranger, undefined);
    assert.equal(env.emulator.state.getUser("sam")!.path, "/elsewhere/");
  });
});
