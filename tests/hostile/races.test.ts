/**
 * Races: someone (a person, a pipeline) changes the account while the teardown runs. Emulator hooks make the change
 * at an exact request, so every moment of a teardown can be tried.
 */
import { strict as assert } from "node:assert";
import { IdentityMismatchError } from "../../provider/teardown";
import type { RequestLogEntry } from "../iam-emulator";
import { addTotal } from "../helpers/tally";
import { AREA, IN_FLIGHT_AT_TAKEOVER, Scenario, TARGET, countSchedule, describeEntry, engineKey, freshClients } from "./support";

const POLICY_DOC = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
/** Removal calls that name only the user (and a group or policy): the ones a new user under the same name could receive. */
const NAMED_BY_USER_ONLY = new Set(["DeleteLoginProfile", "RemoveUserFromGroup", "DeleteUserPolicy", "DetachUserPolicy"]);

/** Requests a clean teardown of the standard target makes (the length of the timeline a race can land in). */
async function cleanRunLength(seed: number): Promise<number> {
  const sc = await Scenario.start({ seed });
  try {
    await sc.teardown();
    return sc.emulator.requestCount;
  } finally {
    await sc.stop();
    freshClients();
  }
}

describe("hostile: races", () => {
  afterEach(freshClients);

  describe("a different user takes the name over midway (the old one deleted, a new one created under the same name)", () => {
    // The new user shares everything a name-keyed call could reach (login profile, group, inline policy name,
    // managed policy) and has credentials and a device of its own. The teardown has the old user's recorded UserId.
    const sweep: Array<{ at: number; action: string; outcome: string; touched: RequestLogEntry[] }> = [];

    it("at every request of the teardown: refused, the new user never deleted and nothing it has removed, except name-keyed calls already on their way", async function () {
      this.timeout(120_000);
      const length = await cleanRunLength(700);
      for (let at = 1; at <= length; at++) {
        let afterSwap: string | undefined;
        let newUserId = "";
        const sc = await Scenario.start({
          seed: 700,
          hooks: (get) => [
            {
              afterRequests: at,
              run: (emu) => {
                const s = get();
                if (emu.state.userExists(TARGET)) {
                  for (const d of emu.state.mfaDevicesOf(TARGET)) if (d.kind === "virtual") s.ignoreOrphan(d.serial);
                  emu.state.removeUserCompletely(TARGET);
                }
                s.watch.endName(TARGET, at);
                newUserId = emu.state.createUser(TARGET).userId;
                s.ignoreUser(newUserId);
                emu.state.createAccessKey(TARGET);
                emu.state.createLoginProfile(TARGET, { recent: false });
                emu.state.addUserToGroup(TARGET, "developers");
                emu.state.putUserPolicy(TARGET, "deploy", POLICY_DOC);
                emu.state.attachUserPolicy(TARGET, "arn:aws:iam::aws:policy/ReadOnlyAccess");
                emu.state.addFidoDevice(TARGET);
                afterSwap = JSON.stringify(emu.snapshotUser(TARGET));
              },
            },
          ],
        });
        try {
          let outcome: string;
          try {
            outcome = (await sc.teardown()).outcome;
          } catch (err) {
            assert.ok(err instanceof IdentityMismatchError, `swap at #${at}: ${err}`);
            assert.equal(err.expectedUserId, sc.userId);
            assert.equal(err.actualUserId, newUserId);
            outcome = "refused";
          }
          assert.ok(afterSwap, `the swap at #${at} happened`);
          const action = sc.log.find((e) => e.seq === at)?.action ?? "(after the teardown)";
          const mine = sc.log.filter((e) => e.accessKeyId === engineKey());
          // Deleting the old user's own virtual device (left unassigned by the out-of-band deletion) is not the new user's.
          const touched = mine.filter((e) => e.mutating && e.seq >= at && e.status === 200 &&
            !(e.action === "DeleteVirtualMFADevice" && sc.watch.serials.has(e.params.SerialNumber)));
          for (const t of touched) {
            // IAM has no conditional delete: a call already decided before the engine could see the swap may land on
            // the new user. Only name-keyed removals can, and only with no identity check between the swap and them.
            assert.ok(NAMED_BY_USER_ONLY.has(t.action), `swap at #${at} (${action}): ${describeEntry(t)} reached the new user`);
            const checkBetween = mine.find((e) => e.action === "GetUser" && e.seq >= at && e.seq < t.seq);
            assert.equal(checkBetween, undefined, `swap at #${at}: ${describeEntry(t)} was sent after identity check #${checkBetween?.seq} and still reached the new user`);
            sc.watch.inFlightAtTakeover.add(t.seq);
          }
          addTotal(AREA, IN_FLIGHT_AT_TAKEOVER, touched.length);
          assert.ok(!mine.some((e) => e.action === "DeleteUser" && e.seq >= at && e.status === 200), `swap at #${at}: the new user was deleted`);
          if (touched.length === 0) assert.equal(JSON.stringify(sc.emulator.snapshotUser(TARGET)), afterSwap, `swap at #${at}: the new user changed`);
          assert.deepEqual(sc.problems(), [], `swap at #${at} (${action})`);
          countSchedule(true);
          sweep.push({ at, action, outcome, touched });
        } finally {
          await sc.stop();
          freshClients();
        }
      }
      const refused = sweep.filter((s) => s.outcome === "refused").length;
      assert.ok(refused >= length - 3, `refused at ${refused} of ${sweep.length} moments`);
      // Name-keyed removals go out first, together, right after the identity check: the moments at which a takeover
      // can still reach the new user are at most those calls' own arrivals (7 here: a login profile, 2 groups, 2 inline
      // and 2 attached policies), not the whole removal phase.
      const window = sweep.filter((s) => s.touched.length > 0).map((s) => `#${s.at} ${s.action}`);
      assert.ok(window.length <= 7, `a takeover reached the new user at ${window.length} moments: ${window.join(", ")}`);
    });
  });
});
