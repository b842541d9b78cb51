import { strict as assert } from "node:assert";
import {
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSigningCertificateCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  RemoveUserFromGroupCommand,
} from "@aws-sdk/client-iam";
import { useEmulator } from "../helpers/iam";
import type { UserSeed } from "../iam-emulator";
import { expectIamError, sleep } from "./support";

interface KindCase {
  kind: string;
  seed: Partial<UserSeed>;
  message: string;
  remove: (iam: IAMClient, user: string) => Promise<void>;
}

const KINDS: KindCase[] = [
  {
    kind: "loginProfile",
    seed: { loginProfile: true },
    message: "Cannot delete entity, must delete login profile first.",
    remove: async (iam, u) => void (await iam.send(new DeleteLoginProfileCommand({ UserName: u }))),
  },
  {
    kind: "accessKeys",
    seed: { accessKeys: 2 },
    message: "Cannot delete entity, must delete access keys first.",
    remove: async (iam, u) => {
      for (const k of (await iam.send(new ListAccessKeysCommand({ UserName: u }))).AccessKeyMetadata!) {
        await iam.send(new DeleteAccessKeyCommand({ UserName: u, AccessKeyId: k.AccessKeyId }));
      }
    },
  },
  {
    kind: "mfaDevices",
    seed: { fidoMfa: 1 },
    message: "Cannot delete entity, must delete MFA device first.",
    remove: async () => undefined, // replaced below: needs the emulator to find the serial
  },
  {
    kind: "signingCertificates",
    seed: { signingCertificates: 1 },
    message: "Cannot delete entity, must delete certificates first.",
    remove: async (iam, u) => {
      for (const c of (await iam.send(new ListSigningCertificatesCommand({ UserName: u }))).Certificates!) {
        await iam.send(new DeleteSigningCertificateCommand({ UserName: u, CertificateId: c.CertificateId }));
      }
    },
  },
  {
    kind: "sshPublicKeys",
    seed: { sshKeys: 1 },
    message: "Cannot delete entity, must remove referenced objects first.",
    remove: async (iam, u) => {
      for (const k of (await iam.send(new ListSSHPublicKeysCommand({ UserName: u }))).SSHPublicKeys!) {
        await iam.send(new DeleteSSHPublicKeyCommand({ UserName: u, SSHPublicKeyId: k.SSHPublicKeyId }));
      }
    },
  },
  {
    kind: "serviceSpecificCredentials",
    seed: { serviceCredentials: ["bedrock.amazonaws.com"] },
    message: "Cannot delete entity, must remove referenced objects first.",
    remove: async (iam, u) => {
      for (const c of (await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: u }))).ServiceSpecificCredentials!) {
        await iam.send(
          new DeleteServiceSpecificCredentialCommand({ UserName: u, ServiceSpecificCredentialId: c.ServiceSpecificCredentialId }),
        );
      }
    },
  },
  {
    kind: "groupMemberships",
    seed: { groups: ["blockers"] },
    message: "Cannot delete entity, must remove users from group first.",
    remove: async (iam, u) => void (await iam.send(new RemoveUserFromGroupCommand({ UserName: u, GroupName: "blockers" }))),
  },
  {
    kind: "managedPolicies",
    seed: { managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
    message: "Cannot delete entity, must detach all policies first.",
    remove: async (iam, u) =>
      void (await iam.send(new DetachUserPolicyCommand({ UserName: u, PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }))),
  },
  {
    kind: "inlinePolicies",
    seed: { inlinePolicies: ["inline"] },
    message: "Cannot delete entity, must delete policies first.",
    remove: async (iam, u) => void (await iam.send(new DeleteUserPolicyCommand({ UserName: u, PolicyName: "inline" }))),
  },
];

describe("emulator: DeleteUser and its nine blocking dependency kinds", () => {
  const env = useEmulator({}, "sdk");

  for (const k of KINDS) {
    it(`refuses with DeleteConflict "${k.message}" while ${k.kind} remain, then deletes`, async () => {
      const user = `blocked-${k.kind}`;
      env.emulator.seed({ users: [{ userName: user, ...k.seed }] });
      assert.ok(env.emulator.state.dependencyCounts(user)[k.kind] > 0);
      await expectIamError(env.client.send(new DeleteUserCommand({ UserName: user })), "DeleteConflict", 409, k.message);
      assert.equal(env.emulator.state.userExists(user), true);
      if (k.kind === "mfaDevices") {
        for (const d of env.emulator.state.mfaDevicesOf(user))
          await env.client.send(new DeactivateMFADeviceCommand({ UserName: user, SerialNumber: d.serial }));
      } else {
        await k.remove(env.client, user);
      }
      await env.client.send(new DeleteUserCommand({ UserName: user }));
      assert.equal(env.emulator.state.userExists(user), false);
    });
  }

  it("is not blocked by a permissions boundary or tags", async () => {
    env.emulator.seed({
      users: [{ userName: "bounded-tagged", permissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess", tags: { a: "1" } }],
    });
    const before = (await env.client.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/PowerUserAccess" }))).Policy!
      .PermissionsBoundaryUsageCount!;
    await env.client.send(new DeleteUserCommand({ UserName: "bounded-tagged" }));
    const after = (await env.client.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/PowerUserAccess" }))).Policy!
      .PermissionsBoundaryUsageCount!;
    assert.equal(after, before - 1);
  });

  it("a deactivated virtual device no longer blocks, though it stays in the account", async () => {
    const seeded = env.emulator.seed({ users: [{ userName: "virt", virtualMfa: ["virt-phone"] }] }).users.virt;
    await expectIamError(
      env.client.send(new DeleteUserCommand({ UserName: "virt" })),
      "DeleteConflict",
      409,
      "Cannot delete entity, must delete MFA device first.",
    );
    await env.client.send(new DeactivateMFADeviceCommand({ UserName: "virt", SerialNumber: seeded.mfaSerials[0].serial }));
    await env.client.send(new DeleteUserCommand({ UserName: "virt" }));
    assert.deepEqual(
      env.emulator.state.listVirtualMfaDevices("Unassigned").map((d) => d.serial),
      [seeded.mfaSerials[0].serial],
    );
  });

  it("answers NoSuchEntity for an unknown user", async () => {
    await expectIamError(env.client.send(new DeleteUserCommand({ UserName: "never-was" })), "NoSuchEntity", 404);
  });

  it("removeUserCompletely models an out-of-band deletion: devices unassigned, memberships and attachment counts released", async () => {
    const seeded = env.emulator.seed({
      users: [
        {
          userName: "oob",
          accessKeys: 1,
          virtualMfa: ["oob-phone"],
          fidoMfa: 1,
          groups: ["oob-group"],
          managedPolicies: ["oob-policy"],
          loginProfile: true,
        },
      ],
    }).users.oob;
    env.emulator.state.removeUserCompletely("oob");
    assert.equal(env.emulator.state.userExists("oob"), false);
    assert.equal(env.emulator.state.userForAccessKey(seeded.accessKeyIds[0]), undefined);
    assert.ok(env.emulator.state.listVirtualMfaDevices("Unassigned").some((d) => d.serial === seeded.mfaSerials[0].serial));
    assert.equal(env.emulator.state.getGroup("oob-group")!.members.size, 0);
    assert.equal(env.emulator.state.requirePolicy("oob-policy").attachmentCount, 0);
  });
});

describe("emulator: eventual consistency of DeleteUser (consistencyDelayMs)", () => {
  const env = useEmulator({ consistencyDelayMs: 150 }, "sdk");

  it("keeps answering DeleteConflict for a dependency removed moments ago, then deletes", async () => {
    const seeded = env.emulator.seed({ users: [{ userName: "lagging", accessKeys: 1 }] }).users.lagging;
    await env.client.send(new DeleteAccessKeyCommand({ UserName: "lagging", AccessKeyId: seeded.accessKeyIds[0] }));
    assert.equal(
      (await env.client.send(new ListAccessKeysCommand({ UserName: "lagging" }))).AccessKeyMetadata?.length,
      0,
      "lists are immediate",
    );
    await expectIamError(
      env.client.send(new DeleteUserCommand({ UserName: "lagging" })),
      "DeleteConflict",
      409,
      "Cannot delete entity, must delete access keys first.",
    );
    await sleep(170);
    await env.client.send(new DeleteUserCommand({ UserName: "lagging" }));
  });

  it("does not delay a user whose dependencies were never removed", async () => {
    env.emulator.seed({ users: [{ userName: "clean" }] });
    await env.client.send(new DeleteUserCommand({ UserName: "clean" }));
  });
});
