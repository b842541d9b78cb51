import { strict as assert } from "node:assert";
import { recordedOrphans, type VirtualDeviceEntry, VirtualMfaIndex } from "../../provider/teardown/virtual-mfa";
import { ManualClock } from "../helpers/manual-clock";

const ACCOUNT = "123456789012";
const virtualSerial = (name: string) => `arn:aws:iam::${ACCOUNT}:mfa/${name}`;
const MAX_AGE_MS = 5 * 60_000;

/**
 * An index over a device list the test changes at will, counting the listings it makes. Its clock stands still
 * unless the test moves it: every listing and change falls in the same millisecond.
 */
function indexOver(devices: VirtualDeviceEntry[]) {
  const counter = { listings: 0 };
  const clock = new ManualClock();
  const index = new VirtualMfaIndex(
    async () => {
      counter.listings++;
      return devices.map((d) => ({ ...d }));
    },
    MAX_AGE_MS,
    () => clock.now(),
  );
  return { index, counter, clock };
}

/** A listing the test answers by hand, to hold one in flight. */
function manualIndex() {
  const answers: Array<(devices: VirtualDeviceEntry[]) => void> = [];
  const index = new VirtualMfaIndex(
    () => new Promise<VirtualDeviceEntry[]>((resolve) => answers.push(resolve)),
    MAX_AGE_MS,
    () => 0,
  );
  return { index, answers };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("unit: MFA classification and orphans", () => {
  it("tells FIDO and hardware serials by their form, without listing", async () => {
    const { index, counter } = indexOver([]);
    const mark = index.mark();
    assert.equal(await index.classify(`arn:aws:iam::${ACCOUNT}:u2f/user/ana/fido-abc`, mark), "fido");
    assert.equal(await index.classify(`arn:aws-us-gov:iam::${ACCOUNT}:u2f/user/ana/fido-abc`, mark), "fido");
    assert.equal(await index.classify("GAHT12345678", mark), "hardware");
    assert.equal(counter.listings, 0);
  });

  it("classifies ARN-form serials against the account's virtual devices, listed once for many", async () => {
    const { index, counter } = indexOver([{ serial: virtualSerial("phone"), userName: "ana" }]);
    const listedAfter = index.mark();
    const kinds = await Promise.all([
      index.classify(virtualSerial("phone"), listedAfter),
      index.classify(virtualSerial("hardware-token"), listedAfter),
      index.classify(virtualSerial("phone"), listedAfter),
    ]);
    assert.deepEqual(kinds, ["virtual", "hardware", "virtual"]);
    assert.equal(counter.listings, 1);
  });

  it("lists again for a serial seen after the snapshot began, in the same millisecond, before calling it hardware", async () => {
    const devices: VirtualDeviceEntry[] = [];
    const { index, counter } = indexOver(devices);
    index.prefetch();
    await tick();
    assert.equal(counter.listings, 1);
    // Enabled after the snapshot began, and seen on the user's list begun after that.
    devices.push({ serial: virtualSerial("new-phone"), userName: "ana" });
    const listedAfter = index.mark();
    assert.equal(await index.classify(virtualSerial("new-phone"), listedAfter), "virtual");
    assert.equal(counter.listings, 2);
  });

  it("does not reuse a snapshot that started in the same millisecond as the change it must see", async () => {
    const serial = virtualSerial("phone");
    const devices: VirtualDeviceEntry[] = [{ serial, userName: "ana" }];
    const { index, counter } = indexOver(devices);
    const before = index.mark();
    assert.equal(await index.isUnassignedVirtual(serial, before), false, "assigned as first listed");
    // Deleting the user deactivates the device; the clock has not moved.
    devices[0] = { serial };
    const afterChange = index.mark();
    assert.equal(await index.isUnassignedVirtual(serial, afterChange), true, "a listing begun after the change sees it");
    assert.equal(counter.listings, 2);
    assert.equal(await index.isUnassignedVirtual(serial, afterChange), true);
    assert.equal(counter.listings, 2, "a listing begun after the mark serves every later ask for it");
  });

  it("waits out a listing in flight that began before the mark, then lists again", async () => {
    const serial = virtualSerial("phone");
    const { index, answers } = manualIndex();
    index.prefetch();
    const mark = index.mark();
    const unassigned = index.isUnassignedVirtual(serial, mark);
    await tick();
    assert.equal(answers.length, 1, "no second listing while the first is in flight");
    answers[0]([{ serial, userName: "ana" }]);
    await tick();
    assert.equal(answers.length, 2, "the first began before the mark, so a second one is needed");
    answers[1]([{ serial }]);
    assert.equal(await unassigned, true);
  });

  it("shares a listing in flight that began after the mark", async () => {
    const serial = virtualSerial("phone");
    const { index, answers } = manualIndex();
    const mark = index.mark();
    index.prefetch();
    const unassigned = index.isUnassignedVirtual(serial, mark);
    await tick();
    answers[0]([{ serial }]);
    assert.equal(await unassigned, true);
    assert.equal(answers.length, 1);
  });

  it("lists again once the snapshot is older than its maximum age, on the index's clock", async () => {
    const { index, counter, clock } = indexOver([{ serial: virtualSerial("phone"), userName: "ana" }]);
    const mark = index.mark();
    await index.classify(virtualSerial("phone"), mark);
    clock.advance(MAX_AGE_MS - 1);
    await index.classify(virtualSerial("phone"), mark);
    assert.equal(counter.listings, 1, "still young enough");
    clock.advance(1);
    await index.classify(virtualSerial("phone"), mark);
    assert.equal(counter.listings, 2, "too old: listed again");
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
    const orphans = await recordedOrphans(index, recorded, [virtualSerial("still-listed")], index.mark());
    assert.deepEqual(orphans, [virtualSerial("left-behind")]);
  });
});
