import { strict as assert } from "node:assert";
import {
  DeactivateMFADeviceCommand,
  DeleteUserCommand,
  DeleteVirtualMFADeviceCommand,
  ListMFADevicesCommand,
  paginateListVirtualMFADevices,
} from "@aws-sdk/client-iam";
import { useEmulator } from "../helpers/iam";

// The benchmark runs 1,000 users and 2,000 virtual MFA devices through the emulator: seeding,
// account-wide scans and teardown must stay fast, and the log small.
describe("emulator: scale (1,000 users, 2,000 virtual MFA devices)", function () {
  this.timeout(30_000);
  const env = useEmulator({ seed: 3 }, "sdk");

  it("seeds, scans and tears down at benchmark scale quickly", async () => {
    const t0 = Date.now();
    env.emulator.seed({
      users: Array.from({ length: 1000 }, (_, i) => ({ userName: `bench-${i}`, virtualMfa: [`bench-${i}-a`, `bench-${i}-b`] })),
    });
    const seeded = Date.now() - t0;
    assert.equal(env.emulator.state.listVirtualMfaDevices("Assigned").length, 2000);

    // A full account-wide scan: 20 pages of 100.
    const t1 = Date.now();
    let count = 0;
    for await (const page of paginateListVirtualMFADevices({ client: env.client }, { AssignmentStatus: "Assigned" }))
      count += page.VirtualMFADevices!.length;
    const scanned = Date.now() - t1;
    assert.equal(count, 2000);

    // Tear 100 users down through the API while the account stays large.
    const t2 = Date.now();
    for (let i = 0; i < 100; i++) {
      const user = `bench-${i}`;
      const devices = (await env.client.send(new ListMFADevicesCommand({ UserName: user }))).MFADevices!;
      for (const d of devices) {
        await env.client.send(new DeactivateMFADeviceCommand({ UserName: user, SerialNumber: d.SerialNumber }));
        await env.client.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: d.SerialNumber }));
      }
      await env.client.send(new DeleteUserCommand({ UserName: user }));
    }
    const tornDown = Date.now() - t2;
    assert.equal(env.emulator.state.listVirtualMfaDevices().length, 1800);
    assert.ok(seeded < 2000, `seeding took ${seeded}ms`);
    assert.ok(scanned < 3000, `a full scan took ${scanned}ms`);
    assert.ok(tornDown < 8000, `tearing down 100 users took ${tornDown}ms`);
    const perEntry = JSON.stringify(env.emulator.log).length / env.emulator.log.length;
    assert.ok(perEntry < 600, `log entries average ${perEntry} bytes`);
  });
});
