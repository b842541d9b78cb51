import { strict as assert } from "node:assert";
import { recordedOrphans, type VirtualDeviceEntry, VirtualMfaIndex } from "../../provider/teardown/virtual-mfa";

const ACCOUNT = "123456789012";
const virtualSerial = (name: string) => `arn:aws:iam::${ACCOUNT}:mfa/${name}`;

/** An index over a device list the test changes at will, counting the listings it makes. */
function indexOver(devices: VirtualDeviceEntry[]) {
  const counter = { listings: 0 };
  const index = new VirtualMfaIndex(async () => {
    counter.listings++;
    return devices.map((d) => ({ ...d }));
  });
  return { index, counter };
}

describe("unit: MFA classification and orphans", () => {
  it("tells FIDO and hardware serials by their form, without listing", async () => {
    const { index, counter } = indexOver([]);
    assert.equal(await index.classify(`arn:aws:iam::${ACCOUNT}:u2f/user/ana/fido-abc`, Date.now()), "fido");
    assert.equal(await index.classify(`arn:aws-us-gov:iam::${ACCOUNT}:u2f/user/ana/fido-abc`, Date.now()), "fido");
    assert.equal(await index.classify("GAHT12345678", Date.now()), "hardware");
    assert.equal(counter.listings, 0);
  });

  it("classifies ARN-form serials against the account's virtual devices, listed once for many", async () => {
    const { index, counter } = indexOver([{ serial: virtualSerial("phone"), userName: "ana" }]);
    const listedAt = Date.now() - 1000;
    const kinds = await Promise.all([
      index.classify(virtualSerial("phone"), listedAt),
      index.classify(virtualSerial("hardware-token"), listedAt),
      index.classify(virtualSerial("phone"), listedAt),
    ]);
    assert.deepEqual(kinds, ["virtual", "hardware", "virtual"]);
    assert.equal(counter.listings, 1);
  });

  it("lists again for a serial seen after the snapshot began, before calling it hardware", async () => {
    const devices: VirtualDeviceEntry[] = [];
    const { index, counter } = indexOver(devices);
    index.prefetch();
    await new Promise((r) => setTimeout(r, 5));
    devices.push({ serial: virtualSerial("new-phone"), userName: "ana" });
    assert.equal(await index.classify(virtualSerial("new-phone"), Date.now()), "virtual");
    assert.equal(counter.listings, 2);
  });

  it("finds recorded virtual devices left unassigned, and only those", async () => {
    const { index } = indexOver([
      { serial: virtualSerial("left-behind") },
      { serial: virtualSerial("now-someone-elses"), userName: "bruno" },
      { serial: virtualSerial("still-listed") },
    ]);
    const recorded = [
      virtualSerial("left-behind"),
      virtualSerial("now-someone-elses"),
      virtualSerial("deleted"),
      virtualSerial("still-listed"),
    ];
    const orphans = await recordedOrphans(index, recorded, [virtualSerial("still-listed")], 0);
    assert.deepEqual(orphans, [virtualSerial("left-behind")]);
  });
});
