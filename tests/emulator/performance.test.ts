import { strict as assert } from "node:assert";
import {
  DeactivateMFADeviceCommand,
  DeleteUserCommand,
  DeleteVirtualMFADeviceCommand,
  ListMFADevicesCommand,
  paginateListVirtualMFADevices,
} from "@aws-sdk/client-iam";
import { useEmulator } from "../helpers/iam";

// The benchmark runs 1,000 users and 2,000 virtual MFA devices through the emulator: seeding, account-wide scans
// and teardown must work at that scale, page as IAM does, and keep the log small. How long they take is the
// benchmark's to measure (bench/): a time limit here would measure the machine's load, not the emulator.
describe("emulator: scale (1,000 users, 2,000 virtual MFA devices)", function () {
  this.timeout(60_000);
  const env = useEmulator({ seed: 3 }, "sdk");

  it("seeds, scans and tears down at benchmark scale, paging as IAM does, with a small log", async () => {
    env.emulator.seed({
      users: Array.from({ length: 1000 }, (_, i) => ({ userName: `bench-${i}`, virtualMfa: [`bench-${i}-a`, `bench-${i}-b`] })),
    });
    assert.equal(env.emulator.state.listVirtualMfaDevices("Assigned").length, 2000);

    // A full account-wide scan: 20 pages of IAM's default 100.
    const pageSizes: number[] = [];
    const serials = new Set<string>();
    for await (const page of paginateListVirtualMFADevices({ client: env.client }, { AssignmentStatus: "Assigned" })) {
      pageSizes.push(page.VirtualMFADevices!.length);
      for (const d of page.VirtualMFADevices!) serials.add(d.SerialNumber!);
    }
    assert.deepEqual(pageSizes, Array(20).fill(100));
    assert.equal(serials.size, 2000, "every device once, none skipped or repeated across pages");

    // Tear 100 users down through the API while the account stays large.
    env.emulator.clearLog();
    for (let i = 0; i < 100; i++) {
      const user = `bench-${i}`;
      const devices = (await env.client.send(new ListMFADevicesCommand({ UserName: user }))).MFADevices!;
      assert.equal(devices.length, 2, user);
      for (const d of devices) {
        await env.client.send(new DeactivateMFADeviceCommand({ UserName: user, SerialNumber: d.SerialNumber }));
        await env.client.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: d.SerialNumber }));
      }
      await env.client.send(new DeleteUserCommand({ UserName: user }));
    }
    assert.equal(env.emulator.state.listVirtualMfaDevices().length, 1800);
    assert.equal(env.emulator.state.userExists("bench-0"), false);
    assert.equal(env.emulator.state.userExists("bench-100"), true);
    // One list, two deactivations, two deletions and DeleteUser per user, each answered 200.
    assert.equal(env.emulator.log.length, 600);
    assert.deepEqual(
      env.emulator.log.filter((e) => e.status !== 200),
      [],
    );
    const perEntry = JSON.stringify(env.emulator.log).length / env.emulator.log.length;
    assert.ok(perEntry < 600, `log entries average ${perEntry} bytes`);
  });
});
