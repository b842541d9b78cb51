/**
 * Blast radius: a teardown changes its own user and nothing else. Users whose names look like the target's, users
 * sharing its groups and policies, devices named like its own, and other teardowns running beside it all stay
 * byte-for-byte as they were; no mutating call of the package names another user, another user's device, or a group
 * or managed policy object itself. (Every scenario of the hostile suites checks the same; at the end of the run every
 * emulator they started is audited and the count printed.)
 */
import { strict as assert } from "node:assert";
import { teardownUser } from "../../provider/teardown";
import { mulberry32 } from "../iam-emulator/prng";
import {
  auditEmulator,
  countSchedule,
  describeEntry,
  engineKey,
  FAST,
  freshClients,
  hostileEmulator,
  packageClient,
  seededEveryKind,
  startedEmulators,
  TargetWatch,
  USER_MUTATIONS,
} from "./support";

const LOOK_ALIKES = ["target2", "targe", "xtarget", "target.old", "Target-Prod", "target_", "target@corp"];

describe("hostile: blast radius", () => {
  afterEach(freshClients);

  it("look-alike users (target2, targe, xtarget, ...), shared groups and policies, and a like-named unassigned device stay byte-for-byte unchanged, under faults", async () => {
    for (const seed of [1800, 1801, 1802]) {
      const rand = mulberry32(seed);
      const watch = new TargetWatch(["target"]);
      const emulator = await hostileEmulator(
        { seed, serverErrorShare: 0.15, dropConnectionShare: 0.1, concurrentModificationShare: 0.2 },
        watch,
      );
      try {
        const seeded = emulator.seed({
          users: [seededEveryKind("target", rand), ...LOOK_ALIKES.map((n) => seededEveryKind(n, rand))],
          // Someone's unassigned device, named like the target's.
          unassignedVirtualMfa: ["target-phone-old", "target-phone2"],
        });
        for (const m of seeded.users.target.mfaSerials) if (m.kind === "virtual") watch.serials.add(m.serial);
        const snapshot = () =>
          JSON.stringify({
            users: LOOK_ALIKES.map((n) => emulator.snapshotUser(n)),
            groups: emulator.state.groups.toArray().map((g) => [
              g.groupName,
              g.groupId,
              g.members
                .toArray()
                .filter((u) => u.userName !== "target")
                .map((u) => u.userId),
            ]),
            policies: emulator.state.policies.toArray().map((p) => [p.arn, p.policyId, p.document, p.updateDate.toISOString()]),
            devices: emulator.state.listVirtualMfaDevices("Any").filter((d) => !watch.serials.has(d.serial)),
          });
        const before = snapshot();
        const report = await teardownUser({
          client: packageClient(emulator),
          userName: "target",
          expectedUserId: seeded.users.target.userId,
          knownVirtualMfaSerials: seeded.users.target.mfaSerials.map((m) => m.serial),
          ...FAST,
        });
        assert.equal(report.outcome, "deleted");
        assert.equal(snapshot(), before, `seed ${seed}: something outside the target changed`);
        assert.deepEqual(auditEmulator(emulator).map(describeEntry), []);
        countSchedule(true);
      } finally {
        await emulator.stop();
        freshClients();
      }
    }
  });

  it("six teardowns at once with one client (an account being decommissioned) each remove only their own user's items, beside six bystanders", async () => {
    const rand = mulberry32(1810);
    const targets = Array.from({ length: 6 }, (_, i) => `leaver-${i}`);
    const stayers = Array.from({ length: 6 }, (_, i) => `stayer-${i}`);
    const watch = new TargetWatch(targets);
    const emulator = await hostileEmulator({ seed: 1810, serverErrorShare: 0.1, concurrentModificationShare: 0.15, maxPageSize: 2 }, watch);
    try {
      const seeded = emulator.seed({ users: [...targets, ...stayers].map((n) => seededEveryKind(n, rand)) });
      for (const t of targets) for (const m of seeded.users[t].mfaSerials) if (m.kind === "virtual") watch.serials.add(m.serial);
      const before = JSON.stringify(stayers.map((n) => emulator.snapshotUser(n)));
      const own = (name: string) => {
        const snap = emulator.snapshotUser(name) as Record<string, unknown> & {
          accessKeys: Array<{ accessKeyId: string }>;
          mfaDevices: Array<{ serialNumber: string }>;
        };
        return new Set([...snap.accessKeys.map((k) => k.accessKeyId), ...snap.mfaDevices.map((m) => m.serialNumber)]);
      };
      const owned = Object.fromEntries(targets.map((t) => [t, own(t)]));
      const reports = await Promise.all(
        targets.map((userName) =>
          teardownUser({ client: packageClient(emulator), userName, expectedUserId: seeded.users[userName].userId, ...FAST }),
        ),
      );
      for (const r of reports) {
        assert.equal(r.outcome, "deleted");
        const foreign = r.removed.filter((i) => (i.kind === "accessKeys" || i.kind === "mfaDevices") && !owned[r.userName].has(i.id));
        assert.deepEqual(foreign, [], `${r.userName} reported removing another user's items`);
      }
      assert.equal(JSON.stringify(stayers.map((n) => emulator.snapshotUser(n))), before);
      assert.deepEqual(auditEmulator(emulator).map(describeEntry), []);
      // The account's virtual device list is shared by the client: listed once for the six, not six times.
      assert.ok(emulator.log.filter((e) => e.action === "ListVirtualMFADevices" && !e.params.Marker).length <= 2);
      countSchedule(true);
    } finally {
      await emulator.stop();
    }
  });

  it("across every emulator the hostile suites have started so far, no mutating call of the package is on anything but a user's own items", () => {
    const calls = startedEmulators.flatMap((r) => r.emulator.log.filter((e) => e.mutating && e.accessKeyId === engineKey()));
    assert.ok(calls.length > 0);
    assert.deepEqual(
      [...new Set(calls.filter((e) => !USER_MUTATIONS.has(e.action)).map((e) => e.action))],
      [],
      "no group, policy or other object was changed",
    );
  });
});
