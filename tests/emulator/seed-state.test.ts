import { strict as assert } from "node:assert";
import {
  CreateAccessKeyCommand,
  GetLoginProfileCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListPoliciesCommand,
  ListVirtualMFADevicesCommand,
  TagUserCommand,
} from "@aws-sdk/client-iam";
import { sdkClientFor, useEmulator } from "../helpers/iam";
import { type Scenario, startEmulator } from "../iam-emulator";

const EVERYTHING: Scenario = {
  users: [
    {
      userName: "full",
      path: "/seeded/",
      tags: { owner: "qa" },
      permissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess",
      loginProfile: true,
      accessKeys: 2,
      sshKeys: 2,
      signingCertificates: 1,
      serviceCredentials: ["codecommit.amazonaws.com", "cassandra.amazonaws.com", "bedrock.amazonaws.com"],
      virtualMfa: ["full-phone"],
      hardwareMfa: ["GAHT12345678"],
      fidoMfa: 2,
      groups: ["admins", "auditors"],
      inlinePolicies: ["inline-a"],
      managedPolicies: ["customer-policy", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
    },
    { userName: "bystander", accessKeys: 1, groups: ["admins"] },
  ],
  groups: ["empty-group"],
  managedPolicies: ["unattached-policy"],
  unassignedVirtualMfa: ["spare-device"],
};

describe("emulator: seeding, state helpers and snapshots", () => {
  const env = useEmulator({ seed: 11 }, "sdk");
  let result: ReturnType<typeof env.emulator.seed>;
  before(() => {
    result = env.emulator.seed(EVERYTHING);
  });

  it("returns ids, ARNs, access key ids and MFA serials by kind", () => {
    const full = result.users.full;
    assert.match(full.userId, /^AIDA[A-Z0-9]{17}$/);
    assert.equal(full.arn, "arn:aws:iam::123456789012:user/seeded/full");
    assert.equal(full.accessKeyIds.length, 2);
    assert.deepEqual(
      full.mfaSerials.map((m) => m.kind),
      ["virtual", "hardware", "fido", "fido"],
    );
    assert.equal(full.mfaSerials[0].serial, "arn:aws:iam::123456789012:mfa/full-phone");
    assert.equal(full.mfaSerials[1].serial, "GAHT12345678");
    for (const f of full.mfaSerials.slice(2)) assert.match(f.serial, /^arn:aws:iam::123456789012:u2f\/user\/full\/[\w-]+$/);
  });

  it("counts every dependency kind", () => {
    assert.deepEqual(env.emulator.state.dependencyCounts("full"), {
      loginProfile: 1,
      accessKeys: 2,
      mfaDevices: 4,
      signingCertificates: 1,
      sshPublicKeys: 2,
      serviceSpecificCredentials: 3,
      groupMemberships: 2,
      managedPolicies: 2,
      inlinePolicies: 1,
    });
  });

  it("makes everything it seeds visible through the API", async () => {
    const iam = env.client;
    assert.equal((await iam.send(new ListMFADevicesCommand({ UserName: "full" }))).MFADevices?.length, 4);
    assert.deepEqual(
      (await iam.send(new ListGroupsForUserCommand({ UserName: "full" }))).Groups?.map((g) => g.GroupName),
      ["admins", "auditors"],
    );
    await iam.send(new GetLoginProfileCommand({ UserName: "full" }));
    const unassigned = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Unassigned" }));
    assert.deepEqual(
      unassigned.VirtualMFADevices?.map((d) => d.SerialNumber),
      ["arn:aws:iam::123456789012:mfa/spare-device"],
    );
    const local = await iam.send(new ListPoliciesCommand({ Scope: "Local" }));
    assert.deepEqual(local.Policies?.map((p) => p.PolicyName).sort(), ["customer-policy", "unattached-policy"]);
    assert.ok(env.emulator.state.getGroup("empty-group"));
  });

  it("state helpers change the account synchronously", () => {
    const s = env.emulator.state;
    s.createUser("helper");
    assert.equal(s.userExists("helper"), true);
    assert.equal(s.getUser("helper")?.userName, "helper");
    const key = s.createAccessKey("helper");
    assert.match(key.accessKeyId, /^AKIA/);
    s.addUserToGroup("helper", "created-on-demand");
    const fido = s.addFidoDevice("helper");
    s.addHardwareDevice("helper", "GAHT87654321");
    s.createLoginProfile("helper");
    assert.deepEqual(
      s.mfaDevicesOf("helper").map((d) => [d.serial, d.kind]),
      [
        [fido, "fido"],
        ["GAHT87654321", "hardware"],
      ],
    );
    assert.equal(s.dependencyCounts("helper").groupMemberships, 1);
    assert.throws(() => s.addHardwareDevice("full", "GAHT87654321"), /already in use/);
    s.removeUserCompletely("helper");
    assert.equal(s.userExists("helper"), false);
    assert.deepEqual(
      s.listVirtualMfaDevices("Assigned").map((d) => [d.serial, d.userName]),
      [["arn:aws:iam::123456789012:mfa/full-phone", "full"]],
    );
  });

  it("snapshotUser is deterministic and changes only when that user changes", async () => {
    const a = JSON.stringify(env.emulator.snapshotUser("bystander"));
    const fullBefore = JSON.stringify(env.emulator.snapshotUser("full"));
    assert.equal(JSON.stringify(env.emulator.snapshotUser("bystander")), a);
    await env.client.send(new TagUserCommand({ UserName: "full", Tags: [{ Key: "x", Value: "y" }] }));
    await env.client.send(new CreateAccessKeyCommand({ UserName: "bystander" }));
    assert.equal(JSON.stringify(env.emulator.snapshotUser("full")) === fullBefore, false);
    const b = JSON.stringify(env.emulator.snapshotUser("bystander"));
    assert.notEqual(b, a);
    const snap = env.emulator.snapshotUser("full") as Record<string, unknown>;
    assert.deepEqual(Object.keys(snap), [
      "userName",
      "userId",
      "path",
      "arn",
      "createDate",
      "tags",
      "permissionsBoundary",
      "loginProfile",
      "accessKeys",
      "sshPublicKeys",
      "signingCertificates",
      "serviceSpecificCredentials",
      "mfaDevices",
      "groups",
      "inlinePolicies",
      "managedPolicies",
    ]);
    assert.equal(env.emulator.snapshotUser("nobody"), null);
  });

  it("generates the same ids from the same seed", async () => {
    const one = await startEmulator({ seed: 99 });
    const two = await startEmulator({ seed: 99 });
    const three = await startEmulator({ seed: 100 });
    try {
      const scenario: Scenario = { users: [{ userName: "same", accessKeys: 2, fidoMfa: 1 }] };
      const [r1, r2, r3] = [one.seed(scenario), two.seed(scenario), three.seed(scenario)];
      assert.deepEqual(r1, r2);
      assert.notEqual(r1.users.same.userId, r3.users.same.userId);
      const c = sdkClientFor(one.endpoint);
      await c.send(new ListMFADevicesCommand({ UserName: "same" }));
      c.destroy();
    } finally {
      await Promise.all([one.stop(), two.stop(), three.stop()]);
    }
  });
});
