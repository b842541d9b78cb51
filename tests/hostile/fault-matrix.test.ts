/**
 * The fault matrix: each row tears down a user with every dependency kind (a bystander with the same ones beside it)
 * under one hostile condition, with the package's own client and the shipped IAM policy enforced, and requires the
 * user, all its dependencies and its virtual MFA device gone after one call, nothing else changed, and no mutating
 * call outside the target. Rows are seeded: a failure names its seed, and the same seed replays the same faults.
 * Rows whose condition lasts a while (a fresh login profile, eventual consistency) run on an emulator clock that
 * moves only when the teardown asks again, so what they meet does not depend on the machine's speed.
 */
import { strict as assert } from "node:assert";
import { TeardownIncompleteError } from "../../provider/teardown";
import type { EmulatorOptions, UserSeed } from "../iam-emulator";
import { countSchedule, freshClients, Scenario } from "./support";

interface Row {
  name: string;
  emulator: EmulatorOptions;
  target?: Partial<UserSeed>;
  seeds: number[];
  /** The faults (or IAM's transient answers) this row must actually have met, so a row cannot pass by not being hostile. */
  expectFaults?: (faults: Record<string, number>) => void;
  timeoutMs?: number;
  /** The emulator's clock stands still, and moves on by this many ms each time the teardown asks the action again. */
  clockMovesOn?: Record<string, number>;
}

/**
 * An emulator clock that stands still, except that each repeat of an action (its second request on) finds this
 * much more time gone by: a first request meets a condition that lasts a while, a later one may find it over, and
 * how fast the machine runs changes neither.
 */
function standingClock(movesOn: Record<string, number>): Pick<EmulatorOptions, "clock" | "hooks"> {
  let now = Date.UTC(2025, 0, 1);
  return {
    clock: () => now,
    hooks: Object.entries(movesOn).map(([action, ms]) => ({ beforeAction: action, nth: 2, every: true, run: () => (now += ms) })),
  };
}

const atLeast = (fault: string, n: number) => (faults: Record<string, number>) =>
  assert.ok((faults[fault] ?? 0) >= n, `expected at least ${n} ${fault} faults, got ${JSON.stringify(faults)}`);

const ROWS: Row[] = [
  {
    name: "throttling in bursts on every action (each action's bucket holds one call: of two concurrent calls, one is throttled)",
    emulator: { throttle: { ratePerSecond: 10, burst: 1 } },
    seeds: [11, 12],
    expectFaults: atLeast("throttle-rate", 1),
    timeoutMs: 60_000,
  },
  {
    name: "throttling at random on half of all calls, every action",
    emulator: { throttleShare: 0.5 },
    seeds: [21],
    expectFaults: atLeast("throttle", 10),
    timeoutMs: 180_000,
  },
  {
    name: "500 ServiceFailure / 503 ServiceUnavailable on 30% of calls",
    emulator: { serverErrorShare: 0.3 },
    seeds: [31, 32, 33, 34],
    expectFaults: (f) => assert.ok((f["service-failure"] ?? 0) + (f["service-unavailable"] ?? 0) >= 3, JSON.stringify(f)),
  },
  {
    name: "dropped connections (socket destroyed without an answer) on 20% of calls",
    emulator: { dropConnectionShare: 0.2 },
    seeds: [41, 42, 43, 44],
    expectFaults: atLeast("drop", 2),
  },
  {
    name: "ConcurrentModification on a quarter of mutating calls",
    emulator: { concurrentModificationShare: 0.25 },
    seeds: [51, 52, 53, 54],
    expectFaults: atLeast("concurrent-modification", 2),
  },
  {
    name: "EntityTemporarilyUnmodifiable on a login profile created a moment ago",
    emulator: { loginProfileUnmodifiableMs: 120 },
    clockMovesOn: { DeleteLoginProfile: 120 },
    target: { loginProfile: { recent: true } },
    seeds: [61, 62],
    expectFaults: atLeast("EntityTemporarilyUnmodifiable", 1),
  },
  {
    name: "eventual consistency: DeleteUser answers DeleteConflict for 80 ms after the last removal",
    emulator: { consistencyDelayMs: 80 },
    clockMovesOn: { DeleteUser: 80 },
    seeds: [71, 72],
    expectFaults: atLeast("DeleteConflict", 1),
  },
  {
    name: "every list paged one item at a time, with 500s, drops and ConcurrentModification together",
    emulator: { maxPageSize: 1, serverErrorShare: 0.15, dropConnectionShare: 0.1, concurrentModificationShare: 0.2 },
    seeds: [81, 82, 83],
  },
  {
    name: "all at once: 500s, drops, ConcurrentModification, a fresh login profile and slow consistency",
    emulator: {
      serverErrorShare: 0.2,
      dropConnectionShare: 0.1,
      concurrentModificationShare: 0.2,
      loginProfileUnmodifiableMs: 60,
      consistencyDelayMs: 40,
    },
    clockMovesOn: { DeleteLoginProfile: 60, DeleteUser: 40 },
    target: { loginProfile: { recent: true } },
    seeds: [91, 92, 93],
  },
];

/** Injected faults by name, and IAM's own transient answers by error code. */
function faultCounts(sc: Scenario): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of sc.log) {
    const key = e.fault ?? (e.errorCode === "EntityTemporarilyUnmodifiable" || e.errorCode === "DeleteConflict" ? e.errorCode : undefined);
    if (key) counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe("hostile: fault matrix (every dependency kind, shipped policy enforced, one teardown call)", () => {
  afterEach(freshClients);

  for (const row of ROWS) {
    for (const seed of row.seeds) {
      it(`${row.name} [seed ${seed}]`, async function () {
        if (row.timeoutMs) this.timeout(row.timeoutMs);
        const emulator = row.clockMovesOn ? { ...row.emulator, ...standingClock(row.clockMovesOn) } : row.emulator;
        const sc = await Scenario.start({ seed, emulator, target: row.target });
        try {
          const report = await sc.teardown();
          assert.equal(report.outcome, "deleted", `seed ${seed}`);
          assert.equal(report.removed.length + report.alreadyGone.length, 19, "every dependency accounted for");
          sc.assertClean(row.name);
          row.expectFaults?.(faultCounts(sc));
        } finally {
          await sc.stop();
        }
      });
    }
  }

  it("eventual consistency longer than the rounds allow: a clear error that says nothing is listed but IAM still conflicts; a second run finishes", async () => {
    // The clock stands still through the first run: every DeleteUser meets the conflict, however long the rounds take.
    let now = Date.UTC(2025, 0, 1);
    const sc = await Scenario.start({ seed: 101, emulator: { consistencyDelayMs: 400, clock: () => now } });
    try {
      let error: unknown;
      await sc.teardown({ maxRounds: 3 }).catch((e) => (error = e));
      assert.ok(error instanceof TeardownIncompleteError, `expected TeardownIncompleteError, got ${error}`);
      assert.match(
        error.message,
        /IAM user target could not be deleted after 3 round\(s\): no dependency is listed any more, but IAM still answers: Cannot delete entity/,
      );
      assert.deepEqual(error.remaining, []);
      countSchedule(true);
      now += 400;
      const second = await sc.teardown();
      assert.equal(second.outcome, "deleted");
      sc.assertClean("second run after the clear error");
    } finally {
      await sc.stop();
    }
  });

  it("a dependency that keeps coming back faster than the rounds: the error names exactly what is left", async () => {
    // A pipeline that recreates an access key whenever DeleteUser is attempted: the teardown cannot win, and says so.
    let recreated = "";
    const sc = await Scenario.start({
      seed: 111,
      hooks: () => [
        { beforeAction: "DeleteUser", every: true, run: (emu) => (recreated = emu.state.createAccessKey("target").accessKeyId) },
      ],
    });
    try {
      let error: unknown;
      await sc.teardown({ maxRounds: 3 }).catch((e) => (error = e));
      assert.ok(error instanceof TeardownIncompleteError, `expected TeardownIncompleteError, got ${error}`);
      assert.deepEqual(
        error.remaining.map((i) => `${i.kind} ${i.id}`),
        [`accessKeys ${recreated}`],
      );
      assert.match(error.message, new RegExp(`still blocked by accessKeys ${recreated}`));
      countSchedule(true);
      // Only the target was touched, and the bystander is as it was (the target itself is left with one key).
      assert.deepEqual(sc.problems({ userGone: false }), []);
    } finally {
      await sc.stop();
    }
  });
});
