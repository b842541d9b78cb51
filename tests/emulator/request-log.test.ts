import { strict as assert } from "node:assert";
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteVirtualMFADeviceCommand,
  GetUserCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { sdkClientFor, useEmulator } from "../helpers/iam";
import { startEmulator } from "../iam-emulator";
import { expectIamError } from "./support";

describe("emulator: request log", () => {
  const env = useEmulator({}, "sdk");

  it("records each request in arrival order with the caller, principal, resource, mutating flag and outcome", async () => {
    const seeded = env.emulator.seed({
      users: [{ userName: "lena", accessKeys: 1, fidoMfa: 1, virtualMfa: ["lena-phone"] }],
      groups: ["crew"],
    }).users.lena;
    const fido = seeded.mfaSerials.find((m) => m.kind === "fido")!.serial;
    const phone = seeded.mfaSerials.find((m) => m.kind === "virtual")!.serial;
    env.emulator.clearLog();
    const iam = sdkClientFor(env.emulator.endpoint, { accessKeyId: "AKIDLOGGER" });
    await iam.send(new ListUsersCommand({}));
    await iam.send(new AddUserToGroupCommand({ UserName: "lena", GroupName: "crew" }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "lena", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }));
    await iam.send(new DeleteAccessKeyCommand({ UserName: "lena", AccessKeyId: seeded.accessKeyIds[0] }));
    await iam.send(new DeactivateMFADeviceCommand({ UserName: "lena", SerialNumber: phone }));
    await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: phone }));
    await expectIamError(iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: fido })), "NoSuchEntity", 404);
    await expectIamError(iam.send(new GetUserCommand({ UserName: "ghost" })), "NoSuchEntity", 404);
    iam.destroy();

    const log = env.emulator.log;
    assert.deepEqual(
      log.map((e) => e.seq),
      log.map((_, i) => log[0].seq + i),
    );
    assert.deepEqual(
      log.map((e) => [e.action, e.userName, e.resource, e.mutating, e.status, e.errorCode]),
      [
        ["ListUsers", undefined, undefined, false, 200, undefined],
        ["AddUserToGroup", "lena", "crew", true, 200, undefined],
        ["AttachUserPolicy", "lena", "arn:aws:iam::aws:policy/ReadOnlyAccess", true, 200, undefined],
        ["DeleteAccessKey", "lena", seeded.accessKeyIds[0], true, 200, undefined],
        ["DeactivateMFADevice", "lena", phone, true, 200, undefined],
        ["DeleteVirtualMFADevice", undefined, phone, true, 200, undefined],
        ["DeleteVirtualMFADevice", "lena", fido, true, 404, "NoSuchEntity"],
        ["GetUser", "ghost", undefined, false, 404, "NoSuchEntity"],
      ],
    );
    assert.ok(log.every((e) => e.accessKeyId === "AKIDLOGGER"));
    assert.ok(log.every((e) => e.startedAt <= e.endedAt && e.fault === undefined));
    assert.deepEqual(log[1].params, { UserName: "lena", GroupName: "crew" });
    const actions = new Set(log.map((e) => `iam:${e.action}`));
    assert.equal(actions.size, 7, "the set of IAM actions a run needed");
  });

  it("redacts passwords and cuts long values", async () => {
    env.emulator.clearLog();
    await env.client.send(new CreateUserCommand({ UserName: "pw" }));
    await env.client.send(new CreateLoginProfileCommand({ UserName: "pw", Password: "Hunter2-Secret!" }));
    const doc = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${"b".repeat(400)}` }] });
    await env.client.send(new PutUserPolicyCommand({ UserName: "pw", PolicyName: "long", PolicyDocument: doc }));
    assert.equal(env.emulator.log[1].params.Password, "***");
    assert.ok(!JSON.stringify(env.emulator.log).includes("Hunter2"));
    assert.equal(env.emulator.log[2].params.PolicyDocument, `${doc.slice(0, 256)}...`);
  });

  it("clearLog empties the same array in place", async () => {
    const ref = env.emulator.log;
    await env.client.send(new ListUsersCommand({}));
    env.emulator.clearLog();
    assert.equal(ref.length, 0);
    await env.client.send(new ListUsersCommand({}));
    assert.equal(ref.length, 1);
    assert.equal(env.emulator.log, ref);
  });

  it("logRequests: false records nothing; maxLogEntries keeps the newest entries", async () => {
    const off = await startEmulator({ logRequests: false });
    const capped = await startEmulator({ maxLogEntries: 5 });
    try {
      for (const emu of [off, capped]) {
        const iam = sdkClientFor(emu.endpoint);
        for (let i = 0; i < 12; i++) await iam.send(new ListUsersCommand({}));
        iam.destroy();
      }
      assert.equal(off.log.length, 0);
      assert.equal(off.requestCount, 12);
      assert.deepEqual(
        capped.log.map((e) => e.seq),
        [8, 9, 10, 11, 12],
      );
    } finally {
      await off.stop();
      await capped.stop();
    }
  });
});
