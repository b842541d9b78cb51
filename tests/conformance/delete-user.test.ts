// DeleteUser's nine blocking dependency kinds, and the AWS runbook's MFA algorithm, on both servers.

import { strict as assert } from "node:assert";
import * as I from "@aws-sdk/client-iam";
import { CERT, POLICY_DOC, SSH_KEY } from "../emulator/support";
import type { DifferenceId } from "./differences";
import { attempt, freshTargets, reportDifferences, runScenario, type Step, type Target, useConformance } from "./harness";

const CODE = { AuthenticationCode1: "123456", AuthenticationCode2: "654321" };

interface Kind {
  kind: string;
  message: string;
  add: (u: string) => Array<(t: Target) => unknown>;
  remove: (u: string) => Array<(t: Target) => unknown>;
  /** How moto departs from AWS for this kind, if it does. */
  motoDiffers?: DifferenceId;
}

const KINDS: Kind[] = [
  {
    kind: "login profile",
    message: "Cannot delete entity, must delete login profile first.",
    add: (u) => [() => new I.CreateLoginProfileCommand({ UserName: u, Password: "Pass-word-123!" })],
    remove: (u) => [() => new I.DeleteLoginProfileCommand({ UserName: u })],
    motoDiffers: "delete-user-lax",
  },
  {
    kind: "access key",
    message: "Cannot delete entity, must delete access keys first.",
    add: (u) => [() => new I.CreateAccessKeyCommand({ UserName: u })],
    remove: (u) => [(t) => new I.DeleteAccessKeyCommand({ UserName: u, AccessKeyId: t.vars[`${u}:key`] })],
    motoDiffers: "delete-user-lax",
  },
  {
    kind: "MFA device",
    message: "Cannot delete entity, must delete MFA device first.",
    add: (u) => [
      () => new I.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${u}-phone` }),
      (t) => new I.EnableMFADeviceCommand({ UserName: u, SerialNumber: `arn:aws:iam::${t.accountId}:mfa/${u}-phone`, ...CODE }),
    ],
    remove: (u) => [(t) => new I.DeactivateMFADeviceCommand({ UserName: u, SerialNumber: `arn:aws:iam::${t.accountId}:mfa/${u}-phone` })],
    motoDiffers: "delete-user-lax",
  },
  {
    kind: "signing certificate",
    message: "Cannot delete entity, must delete certificates first.",
    add: (u) => [() => new I.UploadSigningCertificateCommand({ UserName: u, CertificateBody: CERT(2) })],
    remove: (u) => [(t) => new I.DeleteSigningCertificateCommand({ UserName: u, CertificateId: t.vars[`${u}:cert`] })],
    motoDiffers: "delete-user-lax",
  },
  {
    kind: "SSH public key",
    message: "Cannot delete entity, must remove referenced objects first.",
    add: (u) => [() => new I.UploadSSHPublicKeyCommand({ UserName: u, SSHPublicKeyBody: SSH_KEY(9) })],
    remove: (u) => [(t) => new I.DeleteSSHPublicKeyCommand({ UserName: u, SSHPublicKeyId: t.vars[`${u}:ssh`] })],
    motoDiffers: "delete-user-lax",
  },
  {
    kind: "service-specific credential",
    message: "Cannot delete entity, must remove referenced objects first.",
    add: (u) => [() => new I.CreateServiceSpecificCredentialCommand({ UserName: u, ServiceName: "cassandra.amazonaws.com" })],
    remove: (u) => [(t) => new I.DeleteServiceSpecificCredentialCommand({ UserName: u, ServiceSpecificCredentialId: t.vars[`${u}:ssc`] })],
    motoDiffers: "not-implemented",
  },
  {
    kind: "group membership",
    message: "Cannot delete entity, must remove users from group first.",
    add: (u) => [
      () => new I.CreateGroupCommand({ GroupName: `${u}-group` }),
      () => new I.AddUserToGroupCommand({ UserName: u, GroupName: `${u}-group` }),
    ],
    remove: (u) => [() => new I.RemoveUserFromGroupCommand({ UserName: u, GroupName: `${u}-group` })],
    motoDiffers: "delete-user-lax",
  },
  {
    kind: "attached managed policy",
    message: "Cannot delete entity, must detach all policies first.",
    add: (u) => [() => new I.AttachUserPolicyCommand({ UserName: u, PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" })],
    remove: (u) => [() => new I.DetachUserPolicyCommand({ UserName: u, PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" })],
  },
  {
    kind: "inline policy",
    message: "Cannot delete entity, must delete policies first.",
    add: (u) => [() => new I.PutUserPolicyCommand({ UserName: u, PolicyName: "inline", PolicyDocument: POLICY_DOC })],
    remove: (u) => [() => new I.DeleteUserPolicyCommand({ UserName: u, PolicyName: "inline" })],
  },
];

function saveIds(u: string) {
  return (o: Record<string, unknown>, t: Target) => {
    const r = o as {
      AccessKey?: { AccessKeyId?: string };
      Certificate?: { CertificateId?: string };
      SSHPublicKey?: { SSHPublicKeyId?: string };
      ServiceSpecificCredential?: { ServiceSpecificCredentialId?: string };
    };
    if (r.AccessKey?.AccessKeyId) t.vars[`${u}:key`] = r.AccessKey.AccessKeyId;
    if (r.Certificate?.CertificateId) t.vars[`${u}:cert`] = r.Certificate.CertificateId;
    if (r.SSHPublicKey?.SSHPublicKeyId) t.vars[`${u}:ssh`] = r.SSHPublicKey.SSHPublicKeyId;
    if (r.ServiceSpecificCredential?.ServiceSpecificCredentialId)
      t.vars[`${u}:ssc`] = r.ServiceSpecificCredential.ServiceSpecificCredentialId;
  };
}

describe("conformance (moto vs emulator): DeleteUser and MFA removal", function () {
  this.timeout(60_000);
  const servers = useConformance();
  reportDifferences();

  it("DeleteUser is refused (409 DeleteConflict) while each of the nine dependency kinds remains, then succeeds", async () => {
    const steps: Step[] = [];
    KINDS.forEach((k, i) => {
      const u = `blocked-${i}`;
      const setupDiffers: DifferenceId | undefined = k.motoDiffers === "not-implemented" ? "not-implemented" : undefined;
      steps.push({ label: `${k.kind}: CreateUser`, call: () => new I.CreateUserCommand({ UserName: u }), expect: {} });
      k.add(u).forEach((call, j) =>
        steps.push({ label: `${k.kind}: add (${j + 1})`, call, expect: {}, save: saveIds(u), differs: setupDiffers }),
      );
      steps.push({
        label: `${k.kind}: DeleteUser refused`,
        call: () => new I.DeleteUserCommand({ UserName: u }),
        expect: { error: "DeleteConflict", status: 409, awsMessage: k.message },
        differs: k.motoDiffers,
      });
      k.remove(u).forEach((call, j) => steps.push({ label: `${k.kind}: remove (${j + 1})`, call, expect: {}, differs: k.motoDiffers }));
      steps.push({
        label: `${k.kind}: DeleteUser`,
        call: () => new I.DeleteUserCommand({ UserName: u }),
        expect: {},
        differs: k.motoDiffers,
      });
      steps.push({
        label: `${k.kind}: GetUser after deletion`,
        call: () => new I.GetUserCommand({ UserName: u }),
        expect: { error: "NoSuchEntity", status: 404 },
      });
    });
    steps.push(
      {
        label: "boundary and tags: CreateUser",
        call: () => new I.CreateUserCommand({ UserName: "not-blocked", Tags: [{ Key: "a", Value: "b" }] }),
        expect: {},
      },
      { label: "boundary and tags: DeleteUser", call: () => new I.DeleteUserCommand({ UserName: "not-blocked" }), expect: {} },
    );
    await runScenario(servers, steps);
  });

  it("the AWS runbook's algorithm (deactivate every device, then DeleteVirtualMFADevice on each) fails with NoSuchEntity on a FIDO key, on both servers", async () => {
    const env = await freshTargets(servers);
    try {
      for (const t of env.targets) {
        const user = "runbook-user";
        await t.iam.send(new I.CreateUserCommand({ UserName: user }));
        const phone = (await t.iam.send(new I.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "runbook-phone" }))).VirtualMFADevice!
          .SerialNumber!;
        await t.iam.send(new I.EnableMFADeviceCommand({ UserName: user, SerialNumber: phone, ...CODE }));
        const fido = await t.addFido(user);

        // AWSConfigRemediation-DeleteIAMUser (v4): list, deactivate each, delete each as if virtual.
        const devices = (await t.iam.send(new I.ListMFADevicesCommand({ UserName: user }))).MFADevices!.map((d) => d.SerialNumber!);
        assert.deepEqual(devices.sort(), [phone, fido].sort(), `${t.name}: both devices listed`);
        for (const serial of devices) await t.iam.send(new I.DeactivateMFADeviceCommand({ UserName: user, SerialNumber: serial }));
        const results = [];
        for (const serial of devices)
          results.push({ serial, outcome: await attempt(t.iam, new I.DeleteVirtualMFADeviceCommand({ SerialNumber: serial })) });
        const fidoResult = results.find((r) => r.serial === fido)!.outcome;
        assert.equal(fidoResult.ok, false, `${t.name}: DeleteVirtualMFADevice on the FIDO key must fail`);
        assert.equal(fidoResult.ok === false && fidoResult.code, "NoSuchEntity", `${t.name}: ${JSON.stringify(fidoResult)}`);
        assert.equal(fidoResult.status, 404);
        assert.equal(results.find((r) => r.serial === phone)!.outcome.ok, true, `${t.name}: the virtual device is deleted`);
        // The run stops there: the user is still present. A second run finds no device and deletes it.
        await t.iam.send(new I.GetUserCommand({ UserName: user }));
        assert.deepEqual(
          (await t.iam.send(new I.ListMFADevicesCommand({ UserName: user }))).MFADevices,
          [],
          `${t.name}: nothing left for the second run`,
        );
        await t.iam.send(new I.DeleteUserCommand({ UserName: user }));
      }
    } finally {
      await env.close();
    }
  });

  it("checking each serial against the account's virtual devices removes every kind without an error, on both servers", async () => {
    const env = await freshTargets(servers);
    try {
      for (const t of env.targets) {
        const user = "careful-user";
        await t.iam.send(new I.CreateUserCommand({ UserName: user }));
        const phone = (await t.iam.send(new I.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "careful-phone" }))).VirtualMFADevice!
          .SerialNumber!;
        await t.iam.send(new I.EnableMFADeviceCommand({ UserName: user, SerialNumber: phone, ...CODE }));
        await t.addFido(user);
        const virtual = new Set<string>();
        for await (const page of I.paginateListVirtualMFADevices({ client: t.iam }, { AssignmentStatus: "Assigned" })) {
          for (const d of page.VirtualMFADevices ?? []) if (d.User?.UserName === user) virtual.add(d.SerialNumber!);
        }
        const devices = (await t.iam.send(new I.ListMFADevicesCommand({ UserName: user }))).MFADevices!;
        for (const d of devices) {
          await t.iam.send(new I.DeactivateMFADeviceCommand({ UserName: user, SerialNumber: d.SerialNumber }));
          if (virtual.has(d.SerialNumber!)) await t.iam.send(new I.DeleteVirtualMFADeviceCommand({ SerialNumber: d.SerialNumber }));
        }
        assert.deepEqual([...virtual], [phone], `${t.name}: only the phone is virtual`);
        const left = (await t.iam.send(new I.ListVirtualMFADevicesCommand({}))).VirtualMFADevices!;
        assert.deepEqual(left, [], `${t.name}: no orphaned virtual device`);
        await t.iam.send(new I.DeleteUserCommand({ UserName: user }));
      }
    } finally {
      await env.close();
    }
  });
});
