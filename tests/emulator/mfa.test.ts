import { strict as assert } from "node:assert";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetMFADeviceCommand,
  type IAMClient,
  ListMFADevicesCommand,
  ListVirtualMFADevicesCommand,
  paginateListVirtualMFADevices,
} from "@aws-sdk/client-iam";
import { sdkClientFor, useEmulator } from "../helpers/iam";
import { expectIamError } from "./support";

async function enable(iam: IAMClient, userName: string, serial: string) {
  await iam.send(
    new EnableMFADeviceCommand({ UserName: userName, SerialNumber: serial, AuthenticationCode1: "123456", AuthenticationCode2: "654321" }),
  );
}

describe("emulator: MFA devices", () => {
  const env = useEmulator({}, "sdk");

  describe("virtual devices", () => {
    it("creates a device whose serial is its ARN (with the path), and refuses a duplicate", async () => {
      const d = (await env.client.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "phone-1" }))).VirtualMFADevice!;
      assert.equal(d.SerialNumber, "arn:aws:iam::123456789012:mfa/phone-1");
      assert.match(Buffer.from(d.Base32StringSeed!).toString(), /^[A-Z2-7]{64}$/);
      assert.ok(d.QRCodePNG && d.QRCodePNG.length > 8);
      const withPath = (await env.client.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "phone-1", Path: "/ops/" })))
        .VirtualMFADevice!;
      assert.equal(withPath.SerialNumber, "arn:aws:iam::123456789012:mfa/ops/phone-1");
      await expectIamError(
        env.client.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "phone-1" })),
        "EntityAlreadyExists",
        409,
      );
    });

    it("enables a device for a user; it shows in ListMFADevices and as Assigned with its User", async () => {
      const user = (await env.client.send(new CreateUserCommand({ UserName: "vera", Path: "/people/" }))).User!;
      const serial = "arn:aws:iam::123456789012:mfa/phone-1";
      await enable(env.client, "vera", serial);
      const mine = await env.client.send(new ListMFADevicesCommand({ UserName: "vera" }));
      assert.equal(mine.MFADevices?.length, 1);
      assert.equal(mine.MFADevices?.[0].SerialNumber, serial);
      assert.equal(mine.MFADevices?.[0].UserName, "vera");
      assert.ok(mine.MFADevices?.[0].EnableDate instanceof Date);
      const assigned = await env.client.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Assigned" }));
      assert.equal(assigned.VirtualMFADevices?.length, 1);
      const u = assigned.VirtualMFADevices![0].User!;
      assert.deepEqual(
        { UserName: u.UserName, UserId: u.UserId, Arn: u.Arn, Path: u.Path, CreateDate: u.CreateDate?.toISOString() },
        { UserName: "vera", UserId: user.UserId, Arn: user.Arn, Path: "/people/", CreateDate: user.CreateDate?.toISOString() },
      );
      const unassigned = await env.client.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Unassigned" }));
      assert.deepEqual(
        unassigned.VirtualMFADevices?.map((d) => [d.SerialNumber, d.User]),
        [["arn:aws:iam::123456789012:mfa/ops/phone-1", undefined]],
      );
      const any = await env.client.send(new ListVirtualMFADevicesCommand({}));
      assert.equal(any.VirtualMFADevices?.length, 2, "AssignmentStatus defaults to Any");
    });

    it("refuses to enable a device already in use, a serial that is no virtual device, or bad codes", async () => {
      await env.client.send(new CreateUserCommand({ UserName: "walt" }));
      await expectIamError(enable(env.client, "walt", "arn:aws:iam::123456789012:mfa/phone-1"), "EntityAlreadyExists", 409);
      await expectIamError(enable(env.client, "walt", "GAHT99999999"), "NoSuchEntity", 404);
      await expectIamError(
        env.client.send(
          new EnableMFADeviceCommand({
            UserName: "walt",
            SerialNumber: "arn:aws:iam::123456789012:mfa/ops/phone-1",
            AuthenticationCode1: "12",
            AuthenticationCode2: "654321",
          }),
        ),
        "ValidationError",
        400,
      );
    });

    it("DeleteVirtualMFADevice answers DeleteConflict while the device is assigned", async () => {
      await expectIamError(
        env.client.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: "arn:aws:iam::123456789012:mfa/phone-1" })),
        "DeleteConflict",
        409,
        "MFA VirtualDevice in use. Must deactivate first.",
      );
    });

    it("DeactivateMFADevice leaves a virtual device in the account, unassigned; the name stays taken until it is deleted", async () => {
      const serial = "arn:aws:iam::123456789012:mfa/phone-1";
      await env.client.send(new DeactivateMFADeviceCommand({ UserName: "vera", SerialNumber: serial }));
      assert.equal((await env.client.send(new ListMFADevicesCommand({ UserName: "vera" }))).MFADevices?.length, 0);
      const unassigned = await env.client.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Unassigned" }));
      assert.ok(unassigned.VirtualMFADevices?.some((d) => d.SerialNumber === serial && !d.User && !d.EnableDate));
      await expectIamError(
        env.client.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "phone-1" })),
        "EntityAlreadyExists",
        409,
      );
      await env.client.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
      await expectIamError(
        env.client.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })),
        "NoSuchEntity",
        404,
        `VirtualMFADevice with serial number ${serial} doesn't exist.`,
      );
      await env.client.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "phone-1" }));
    });

    it("rejects an unknown AssignmentStatus", async () => {
      await expectIamError(
        env.client.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Sometimes" as never })),
        "ValidationError",
        400,
      );
    });
  });

  describe("hardware tokens and FIDO security keys", () => {
    let fido = "";
    const hardware = "GAHT12345678";
    before(() => {
      env.emulator.seed({ users: [{ userName: "hank", hardwareMfa: [hardware], fidoMfa: 1, virtualMfa: ["hank-phone"] }] });
      fido = env.emulator.state.mfaDevicesOf("hank").find((d) => d.kind === "fido")!.serial;
    });

    it("lists every kind in ListMFADevices, and only virtual ones in ListVirtualMFADevices", async () => {
      assert.match(fido, /^arn:aws:iam::123456789012:u2f\/user\/hank\/[\w-]+$/);
      const listed = await env.client.send(new ListMFADevicesCommand({ UserName: "hank" }));
      assert.deepEqual(
        listed.MFADevices?.map((d) => d.SerialNumber),
        ["arn:aws:iam::123456789012:mfa/hank-phone", hardware, fido],
      );
      const virtual = await env.client.send(new ListVirtualMFADevicesCommand({}));
      const serials = virtual.VirtualMFADevices!.map((d) => d.SerialNumber);
      assert.ok(serials.includes("arn:aws:iam::123456789012:mfa/hank-phone"));
      assert.ok(!serials.includes(hardware) && !serials.includes(fido));
    });

    it("GetMFADevice answers for FIDO keys only", async () => {
      const got = await env.client.send(new GetMFADeviceCommand({ SerialNumber: fido, UserName: "hank" }));
      assert.equal(got.UserName, "hank");
      assert.equal(got.SerialNumber, fido);
      assert.ok(got.EnableDate instanceof Date);
      assert.ok(got.Certifications && Object.keys(got.Certifications).length > 0);
      await expectIamError(env.client.send(new GetMFADeviceCommand({ SerialNumber: hardware })), "NoSuchEntity", 404);
      await expectIamError(
        env.client.send(new GetMFADeviceCommand({ SerialNumber: "arn:aws:iam::123456789012:mfa/hank-phone" })),
        "NoSuchEntity",
        404,
      );
    });

    it("DeleteVirtualMFADevice answers NoSuchEntity for hardware and FIDO serials, assigned or not", async () => {
      await expectIamError(env.client.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: fido })), "NoSuchEntity", 404);
      await expectIamError(env.client.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: hardware })), "NoSuchEntity", 404);
    });

    it("DeactivateMFADevice removes hardware and FIDO devices entirely", async () => {
      await env.client.send(new DeactivateMFADeviceCommand({ UserName: "hank", SerialNumber: hardware }));
      await env.client.send(new DeactivateMFADeviceCommand({ UserName: "hank", SerialNumber: fido }));
      assert.deepEqual(
        env.emulator.state.mfaDevicesOf("hank").map((d) => d.kind),
        ["virtual"],
      );
      assert.ok(!env.emulator.state.listVirtualMfaDevices().some((d) => d.serial === fido || d.serial === hardware));
      await expectIamError(env.client.send(new DeactivateMFADeviceCommand({ UserName: "hank", SerialNumber: fido })), "NoSuchEntity", 404);
      await expectIamError(env.client.send(new GetMFADeviceCommand({ SerialNumber: fido })), "NoSuchEntity", 404);
    });

    it("the runbook's algorithm (deactivate all, then DeleteVirtualMFADevice on all) fails with NoSuchEntity on a FIDO key", async () => {
      env.emulator.seed({ users: [{ userName: "runbook", virtualMfa: ["runbook-phone"], fidoMfa: 1 }] });
      const devices = (await env.client.send(new ListMFADevicesCommand({ UserName: "runbook" }))).MFADevices!;
      for (const d of devices) await env.client.send(new DeactivateMFADeviceCommand({ UserName: "runbook", SerialNumber: d.SerialNumber }));
      await env.client.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: devices[0].SerialNumber }));
      await expectIamError(
        env.client.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: devices[1].SerialNumber })),
        "NoSuchEntity",
        404,
      );
    });
  });

  describe("ListMFADevices without UserName", () => {
    it("answers for a caller whose access key belongs to a user, and ValidationError for any other caller", async () => {
      env.emulator.seed({ users: [{ userName: "caller", fidoMfa: 1 }] });
      const key = (await env.client.send(new CreateAccessKeyCommand({ UserName: "caller" }))).AccessKey!;
      const asCaller = sdkClientFor(env.emulator.endpoint, { accessKeyId: key.AccessKeyId });
      const mine = await asCaller.send(new ListMFADevicesCommand({}));
      assert.equal(mine.MFADevices?.[0].UserName, "caller");
      asCaller.destroy();
      await expectIamError(
        env.client.send(new ListMFADevicesCommand({})),
        "ValidationError",
        400,
        "Must specify userName when calling with non-User credentials",
      );
    });
  });

  describe("ListVirtualMFADevices paging", () => {
    it("walks every page with the SDK paginator, with User on assigned devices", async () => {
      await env.fresh({ maxPageSize: 3 });
      env.emulator.seed({
        users: Array.from({ length: 5 }, (_, i) => ({ userName: `pager${i}`, virtualMfa: [`pager${i}-a`, `pager${i}-b`] })),
        unassignedVirtualMfa: ["spare-1", "spare-2"],
      });
      const seen: string[] = [];
      let pages = 0;
      for await (const page of paginateListVirtualMFADevices({ client: env.client }, { AssignmentStatus: "Assigned" })) {
        pages++;
        assert.ok(page.VirtualMFADevices!.length <= 3);
        for (const d of page.VirtualMFADevices!) {
          assert.ok(d.User?.UserName && d.SerialNumber!.includes(d.User.UserName));
          seen.push(d.SerialNumber!);
        }
      }
      assert.equal(seen.length, 10);
      assert.equal(new Set(seen).size, 10);
      assert.equal(pages, 4);
      const all: string[] = [];
      for await (const page of paginateListVirtualMFADevices({ client: env.client }, {}))
        all.push(...page.VirtualMFADevices!.map((d) => d.SerialNumber!));
      assert.equal(all.length, 12);
    });
  });
});
