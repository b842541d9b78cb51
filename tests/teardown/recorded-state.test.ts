import { strict as assert } from "node:assert";
import * as methods from "../../provider/provider-methods";
import { recordedItems, recordedVirtualSerials } from "../../provider/recorded-inventory";
import { pointIamEndpointAt, useEmulator } from "../helpers/iam";

/**
 * Records of every shape a release wrote: the inventory with a count and ids for every kind and MFA devices twice
 * (no stateVersion, or stateVersion 2), and the compact one (stateVersion 3). Read, updated and deleted by this
 * version, none loses a recorded virtual MFA serial, the only thing in the inventory a teardown needs from state.
 */
describe("IamUserTeardown records of older shapes", () => {
  const env = useEmulator();
  let restoreEndpoint: () => void;
  before(() => (restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint)));
  after(() => restoreEndpoint());

  /** The inventory as releases before stateVersion 3 wrote it, written out here by hand, not by the package. */
  function inventoryV2(user: { accessKeyId: string; virtualSerial: string; fidoSerial: string }) {
    const none = { count: 0, ids: [] };
    return {
      total: 3,
      loginProfile: none,
      accessKeys: { count: 1, ids: [user.accessKeyId] },
      sshPublicKeys: none,
      signingCertificates: none,
      serviceSpecificCredentials: none,
      mfaDevices: {
        count: 2,
        ids: [user.fidoSerial, user.virtualSerial].sort(),
        devices: [
          { serial: user.virtualSerial, kind: "virtual" as const },
          { serial: user.fidoSerial, kind: "fido" as const },
        ],
      },
      groupMemberships: none,
      inlinePolicies: none,
      managedPolicies: none,
    };
  }

  /**
   * A user created by the older release, then half torn down by an interrupted destroy: its access key and FIDO key
   * still hang on it, its virtual device was deactivated (still in the account, unassigned) and not deleted.
   */
  function interruptedUser(userName: string) {
    env.emulator.seed({ users: [{ userName, accessKeys: 1, virtualMfa: [`${userName}-phone`], fidoMfa: 1 }] });
    const state = env.emulator.state;
    const user = state.getUser(userName)!;
    const virtualSerial = state.virtualMfaSerial(`${userName}-phone`);
    const fidoSerial = user.mfaDevices.toArray().find((d) => d.kind === "fido")!.serialNumber;
    const accessKeyId = user.accessKeys.toArray()[0].accessKeyId;
    const recorded = {
      userName,
      userId: user.userId,
      arn: user.arn,
      deleteUser: true,
      adopt: false,
      inventory: inventoryV2({ accessKeyId, virtualSerial, fidoSerial }),
    };
    state.deactivateMfaDevice(userName, virtualSerial);
    return { recorded, virtualSerial, fidoSerial, accessKeyId };
  }

  for (const [release, stateVersion] of [
    ["the legacy release (no stateVersion)", undefined],
    ["the release before (stateVersion 2)", 2],
  ] as const) {
    describe(`written by ${release}`, () => {
      it("refresh rewrites the inventory compactly and keeps the unassigned virtual device; destroy then deletes it", async () => {
        const name = `old-${stateVersion ?? "legacy"}-refresh`;
        const { recorded, virtualSerial, fidoSerial, accessKeyId } = interruptedUser(name);
        const read = await methods.read(name, { ...recorded, ...(stateVersion ? { stateVersion } : {}) });
        const props = read.props!;
        assert.equal(props.stateVersion, methods.STATE_VERSION);
        assert.deepEqual(props.inventory, {
          accessKeys: accessKeyId,
          mfaDevices: [`fido ${fidoSerial}`, `virtual ${virtualSerial} (unassigned)`].sort().join(", "),
        });
        assert.equal(props.summary, "1 access key, 1 virtual MFA device, 1 FIDO security key");

        await methods.remove(name, props, undefined, () => undefined);
        assert.equal(env.emulator.state.userExists(name), false);
        assert.ok(
          !env.emulator.state.listVirtualMfaDevices().some((d) => d.serial === virtualSerial),
          "the unassigned virtual device is deleted",
        );
      });

      it("destroy without a refresh reads the serial from the old shape and deletes the device", async () => {
        const name = `old-${stateVersion ?? "legacy"}-destroy`;
        const { recorded, virtualSerial } = interruptedUser(name);
        await methods.remove(name, { ...recorded, ...(stateVersion ? { stateVersion } : {}) }, undefined, () => undefined);
        assert.equal(env.emulator.state.userExists(name), false);
        assert.ok(
          !env.emulator.state.listVirtualMfaDevices().some((d) => d.serial === virtualSerial),
          "the unassigned virtual device is deleted",
        );
      });

      it("an update that changes only deleteUser carries the inventory over in the current shape, serials included", async () => {
        const name = `old-${stateVersion ?? "legacy"}-update`;
        const { recorded, virtualSerial, fidoSerial, accessKeyId } = interruptedUser(name);
        env.emulator.clearLog();
        const { outs } = await methods.update(
          name,
          { ...recorded, ...(stateVersion ? { stateVersion } : {}) },
          { userName: name, deleteUser: false, adopt: false },
        );
        assert.deepEqual(
          env.emulator.log.map((e) => e.action),
          [],
          "no call to IAM",
        );
        assert.equal(outs.stateVersion, methods.STATE_VERSION);
        assert.deepEqual(outs.inventory, {
          accessKeys: accessKeyId,
          mfaDevices: [`fido ${fidoSerial}`, `virtual ${virtualSerial}`].sort().join(", "),
        });
        assert.equal(outs.summary, "1 access key, 1 virtual MFA device, 1 FIDO security key");
        assert.deepEqual(recordedVirtualSerials(outs.inventory), [virtualSerial]);
      });
    });
  }

  it("the compact shape reads back item for item, unassigned devices and service-specific credentials included", () => {
    const inventory = {
      serviceSpecificCredentials: "bedrock.amazonaws.com/ACCAEXAMPLE1, codecommit.amazonaws.com/ACCAEXAMPLE2",
      mfaDevices:
        "fido arn:aws:iam::123456789012:u2f/user/ana/fido-x, hardware GAHT12345678, virtual arn:aws:iam::123456789012:mfa/ana (unassigned)",
      groupMemberships: "a,b, c",
    };
    const items = recordedItems(inventory);
    assert.deepEqual(
      items.groupMemberships.map((i) => i.id),
      ["a,b", "c"],
      "a comma inside a group name is no separator",
    );
    assert.deepEqual(
      items.serviceSpecificCredentials.map((i) => i.id),
      ["bedrock.amazonaws.com/ACCAEXAMPLE1", "codecommit.amazonaws.com/ACCAEXAMPLE2"],
    );
    assert.deepEqual(items.mfaDevices, [
      { kind: "mfaDevices", id: "arn:aws:iam::123456789012:u2f/user/ana/fido-x", mfaKind: "fido" },
      { kind: "mfaDevices", id: "GAHT12345678", mfaKind: "hardware" },
      { kind: "mfaDevices", id: "arn:aws:iam::123456789012:mfa/ana", mfaKind: "virtual", unassigned: true },
    ]);
    assert.deepEqual(recordedVirtualSerials(inventory), ["arn:aws:iam::123456789012:mfa/ana"]);
    assert.deepEqual(recordedItems(undefined), {});
  });
});
