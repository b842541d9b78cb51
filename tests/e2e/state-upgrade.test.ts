/**
 * Stacks recorded by older releases upgrade without losing what a teardown needs from state, through the real Pulumi
 * CLI: the state is written as the release before wrote it (stateVersion 2: every kind with a count and ids, MFA
 * devices twice) and as the legacy release (the same inventory, no stateVersion), after an interrupted destroy left
 * the user's virtual MFA device deactivated but not deleted. With this version installed, `pulumi refresh` rewrites
 * the record in the current shape and keeps the device's serial, and `pulumi destroy` deletes the device.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { STATE_VERSION } from "../../provider/provider-methods";
import {
  assertNoTrace,
  assertOk,
  declareUsers,
  type EmulatedStack,
  emulatedStack,
  printed,
  seedBystander,
  summaryLine,
  USERS_PROGRAM,
} from "./support";

for (const release of [
  { name: "the release before (stateVersion 2)", stateVersion: 2 },
  { name: "the legacy release (no stateVersion)", stateVersion: undefined },
]) {
  describe(`e2e: a stack recorded by ${release.name} upgrades, refreshes and destroys`, function () {
    this.timeout(180_000);

    const user = { name: "hana", userName: `e2e-hana-${release.stateVersion ?? "legacy"}` };
    let s: EmulatedStack;
    let userId: string;
    let virtualSerial: string;
    let fidoSerial: string;
    let accessKeyId: string;

    before(async function () {
      this.timeout(90_000);
      s = await emulatedStack(this, { workspace: { projectName: "state-upgrade", program: { "index.ts": USERS_PROGRAM } } });
      seedBystander(s.emulator);
      await declareUsers(s.ws, [user]);
      assertOk(await s.ws.up());
      const state = s.emulator.state;
      userId = state.getUser(user.userName)!.userId;
      accessKeyId = state.createAccessKey(user.userName).accessKeyId;
      virtualSerial = state.createVirtualMfaDevice(`${user.userName}-phone`).serialNumber;
      state.enableMfaDevice(user.userName, virtualSerial);
      fidoSerial = state.addFidoDevice(user.userName);
    });

    after(async () => {
      await s?.dispose();
    });

    it("the state is written as that release wrote it, after an interrupted destroy deactivated the virtual device", async () => {
      const exported = await s.ws.exportStack();
      const record = exported.deployment.resources!.find((r) => r.id === user.userName)!;
      const outputs = record.outputs as Record<string, unknown>;
      const none = { count: 0, ids: [] };
      outputs.inventory = {
        total: 3,
        loginProfile: none,
        accessKeys: { count: 1, ids: [accessKeyId] },
        sshPublicKeys: none,
        signingCertificates: none,
        serviceSpecificCredentials: none,
        mfaDevices: {
          count: 2,
          ids: [fidoSerial, virtualSerial].sort(),
          devices: [
            { serial: fidoSerial, kind: "fido" },
            { serial: virtualSerial, kind: "virtual" },
          ].sort((a, b) => a.serial.localeCompare(b.serial)),
        },
        groupMemberships: none,
        inlinePolicies: none,
        managedPolicies: none,
      };
      delete outputs.summary;
      if (release.stateVersion === undefined) delete outputs.stateVersion;
      else outputs.stateVersion = release.stateVersion;
      const file = path.join(s.ws.root, "older-state.json");
      fs.writeFileSync(file, JSON.stringify(exported));
      await s.ws.runOk(["stack", "import", "--file", file]);

      // The interrupted destroy: the device is unassigned, still in the account; only the recorded serial leads to it.
      s.emulator.state.deactivateMfaDevice(user.userName, virtualSerial);
      assert.ok(s.emulator.state.listVirtualMfaDevices().some((d) => d.serial === virtualSerial && d.userName === undefined));
    });

    it("pulumi refresh rewrites the record in the current shape and keeps the unassigned device's serial", async () => {
      assertOk(await s.ws.refresh());
      const record = (await s.ws.resources()).find((r) => r.id === user.userName)!;
      assert.strictEqual(record.outputs!.stateVersion, STATE_VERSION);
      assert.deepStrictEqual(record.outputs!.inventory, {
        accessKeys: accessKeyId,
        mfaDevices: [`fido ${fidoSerial}`, `virtual ${virtualSerial} (unassigned)`].sort().join(", "),
      });
      assert.strictEqual(record.outputs!.summary, "1 access key, 1 virtual MFA device, 1 FIDO security key");
    });

    it("pulumi destroy deletes the unassigned virtual device with the user", async () => {
      const destroy = assertOk(await s.ws.destroy());
      const text = printed(destroy);
      assert.match(summaryLine(text, user.userName) ?? "", / deleted: removed .*1 virtual/, text);
      assertNoTrace(s.emulator, { userName: user.userName, userId, accessKeyIds: [accessKeyId], virtualMfaSerials: [virtualSerial] });
      assert.deepStrictEqual(await s.ws.resources(), []);
    });
  });
}
