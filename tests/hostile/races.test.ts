/**
 * Races: someone (a person, a pipeline) changes the account while the teardown runs. Emulator hooks make the change
 * at an exact request, so every moment of a teardown can be tried.
 */
import { strict as assert } from "node:assert";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as methods from "../../provider/provider-methods";
import { IdentityMismatchError, planTeardown } from "../../provider/teardown";
import { pointIamEndpointAt } from "../helpers/iam";
import type { RequestLogEntry } from "../iam-emulator";
import { countSchedule, freshClients, packageClient, reportVersusLog, Scenario, TARGET, takeoverProblems } from "./support";

const CHILD = path.join(__dirname, "fixtures", "teardown-child.ts");
/** Put in the user agent of the child's requests (by the SDK, from AWS_SDK_UA_APP_ID), to tell them from the test's. */
const CHILD_APP_ID = "killed-teardown";

const POLICY_DOC = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });

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

  describe("something new appears on the user during the teardown", () => {
    type Appear = (emu: Scenario["emulator"], sc: Scenario) => void;
    const APPEARING: Record<string, Appear> = {
      "an access key": (emu) => emu.state.createAccessKey(TARGET),
      "a group membership": (emu) => emu.state.addUserToGroup(TARGET, "late-joiners", { createMissingGroup: false }),
      "a FIDO security key": (emu) => emu.state.addFidoDevice(TARGET),
      "a virtual MFA device": (emu, sc) => {
        const device = emu.state.createVirtualMfaDevice(`late-phone-${emu.requestCount}`);
        emu.state.enableMfaDevice(TARGET, device.serialNumber);
        sc.watch.serials.add(device.serialNumber);
      },
      // Some hardware tokens show an ARN-form serial: only the account's virtual device list says it is not virtual.
      "a hardware token with an arn:...:mfa/ serial": (emu) =>
        emu.state.addHardwareDevice(TARGET, `arn:aws:iam::${emu.accountId}:mfa/late-token-${emu.requestCount}`),
      "an inline policy": (emu) => emu.state.putUserPolicy(TARGET, "late-inline", POLICY_DOC),
      "an attached managed policy": (emu) => emu.state.attachUserPolicy(TARGET, "late-policy"),
      "an SSH public key": (emu) => emu.state.uploadSshPublicKey(TARGET),
      "a signing certificate": (emu) => emu.state.uploadSigningCertificate(TARGET),
      "a service-specific credential": (emu) => emu.state.createServiceSpecificCredential(TARGET, "codecommit.amazonaws.com"),
      "a console password, just created (unmodifiable for a moment)": (emu) => {
        if (!emu.state.getUser(TARGET)!.loginProfile) emu.state.createLoginProfile(TARGET, { recent: true });
      },
    };
    APPEARING["all of them at once"] = (emu, sc) => {
      for (const [k, f] of Object.entries(APPEARING)) if (k !== "all of them at once") f(emu, sc);
    };

    const MOMENTS: Array<[string, { beforeAction: string; nth: number }]> = [
      ["between discovery and the first removal", { beforeAction: "GetUser", nth: 1 }],
      ["while removals run", { beforeAction: "DeactivateMFADevice", nth: 1 }],
      ["as DeleteUser is called", { beforeAction: "DeleteUser", nth: 1 }],
    ];

    let seed = 1200;
    for (const [thing, appear] of Object.entries(APPEARING)) {
      for (const [moment, when] of MOMENTS) {
        const scenarioSeed = seed++;
        it(`${thing}, ${moment}: removed in a further round, the user deleted`, async () => {
          let appeared = false;
          const sc = await Scenario.start({
            seed: scenarioSeed,
            // Room for one more access key, certificate and CodeCommit credential; a group and a policy to appear in.
            target: { accessKeys: 1, signingCertificates: 1 },
            account: { groups: ["late-joiners"], managedPolicies: ["late-policy"] },
            emulator: { loginProfileUnmodifiableMs: 30 },
            hooks: (get) => [
              {
                ...when,
                run: (emu) => {
                  if (!emu.state.userExists(TARGET)) return;
                  appear(emu, get());
                  appeared = true;
                },
              },
            ],
          });
          try {
            const report = await sc.teardown();
            assert.ok(appeared, "the race happened");
            assert.equal(report.outcome, "deleted");
            assert.ok(report.rounds >= 2 || moment !== "as DeleteUser is called", "what appeared was found by a further round");
            assert.deepEqual(reportVersusLog(report.removed, sc.log, true), []);
            sc.assertClean(`${thing}, ${moment}`);
          } finally {
            await sc.stop();
          }
        });
      }
    }
  });

  describe("the user is deleted by someone else midway", () => {
    it("at every request of the teardown: the teardown ends without error, and no virtual MFA device of the user is left unassigned", async function () {
      this.timeout(60_000);
      const length = await cleanRunLength(800);
      for (let at = 1; at <= length; at++) {
        const sc = await Scenario.start({
          seed: 800,
          hooks: (_get) => [{ afterRequests: at, run: (emu) => emu.state.userExists(TARGET) && emu.state.removeUserCompletely(TARGET) }],
        });
        try {
          const virtual = sc.mfaSerials.filter((m) => m.kind === "virtual").map((m) => m.serial);
          // As the resource's delete does: the virtual devices its last refresh recorded.
          const report = await sc.teardown({ knownVirtualMfaSerials: virtual });
          assert.ok(report.outcome === "already-gone" || report.outcome === "deleted", `deleted at #${at}: ${report.outcome}`);
          assert.deepEqual(
            reportVersusLog(report.removed, sc.log, report.outcome === "deleted"),
            [],
            `deleted at #${at}: the report says what IAM did`,
          );
          sc.assertClean(`deleted by someone else at #${at}`);
        } finally {
          await sc.stop();
          freshClients();
        }
      }
    });
  });

  describe("the user is renamed by someone else midway", () => {
    it("at every request of the teardown: the teardown follows the UserId to the new name and deletes the user, never reporting it gone while it lives", async function () {
      this.timeout(60_000);
      const length = await cleanRunLength(900);
      for (let at = 1; at <= length; at++) {
        let renamed = false;
        const sc = await Scenario.start({
          seed: 900,
          hooks: (get) => [
            {
              afterRequests: at,
              run: (emu) => {
                if (!emu.state.userExists(TARGET)) return;
                emu.state.updateUser(TARGET, { newUserName: "target-renamed" });
                get().watch.addName("target-renamed", at);
                renamed = true;
              },
            },
          ],
        });
        try {
          const lines: string[] = [];
          const report = await sc.teardown({ log: (l) => lines.push(l) });
          assert.ok(!sc.state.getUserById(sc.userId), `renamed at #${at}: reported ${report.outcome}, but the user lives on`);
          assert.equal(report.outcome, "deleted", `renamed at #${at}`);
          assert.equal(report.userName, renamed ? "target-renamed" : TARGET, `renamed at #${at}`);
          if (renamed) assert.equal(report.renamedFrom, TARGET);
          assert.equal(lines.filter((l) => l === report.summary).length, 1, "one summary line");
          assert.deepEqual(reportVersusLog(report.removed, sc.log, true), [], `renamed at #${at}: the report says what IAM did`);
          sc.assertClean(`renamed at #${at}`);
        } finally {
          await sc.stop();
          freshClients();
        }
      }
    });
  });

  describe("the process running the teardown is killed midway, then the teardown runs again", () => {
    /**
     * The teardown runs in a child process (the package's client, as `pulumi destroy` or the CLI would run it); an
     * emulator hook kills it with SIGKILL at the chosen request. Then the teardown runs again in this process.
     */
    /**
     * Starts the target's teardown in a child process and kills it (SIGKILL) at the arrival of the first request for
     * which `killAt(n, action)` answers: n counts the child's requests from 1. "abort": that request fails (500) and never
     * changes anything; "carry-out": IAM still carries it out, the child just never hears the answer. Either way no
     * later request of the child reaches IAM's state, so what the second run finds is the same on any machine.
     */
    async function killMidway(seed: number, killAt: (n: number, action: string) => "abort" | "carry-out" | undefined) {
      let child: ChildProcess | undefined;
      let base = Number.POSITIVE_INFINITY;
      let killed = false;
      const sc = await Scenario.start({
        seed,
        hooks: () => [
          {
            afterRequests: 1,
            every: true,
            run: (emu) => {
              const request = emu.log[emu.log.length - 1];
              if (!request.userAgent?.includes(`app/${CHILD_APP_ID}`)) return;
              // The child's other requests already on their way when it was killed (a DeleteUser sent beside the
              // device's deletion, say) would reach IAM or not depending on how fast this process saw them: none do.
              if (killed) throw new Error("the teardown process was killed");
              const n = emu.requestCount - base;
              const how = n >= 1 ? killAt(n, request.action) : undefined;
              if (!how) return;
              killed = true;
              child!.kill("SIGKILL");
              if (how === "abort") throw new Error("the teardown process was killed");
            },
          },
        ],
      });
      try {
        // What the resource's last refresh recorded: the inventory, virtual MFA serials among it.
        const plan = await planTeardown({ client: packageClient(sc.emulator), userName: TARGET });
        base = sc.emulator.requestCount;
        child = spawn(process.execPath, ["-r", "ts-node/register", CHILD, sc.emulator.endpoint, TARGET, sc.userId], {
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, AWS_SDK_UA_APP_ID: CHILD_APP_ID },
        });
        let childErr = "";
        child.stderr!.on("data", (d) => (childErr += d));
        child.stdout!.resume();
        const exit = await new Promise<NodeJS.Signals | null>((resolve) => child!.on("exit", (_code, signal) => resolve(signal)));
        assert.ok(killed && exit === "SIGKILL", `the child was not killed (${exit}): ${childErr}`);
        return { sc, plan };
      } catch (err) {
        await sc.stop();
        throw err;
      }
    }

    for (const at of [2, 5, 9, 12, 14, 17, 20, 23, 27, 31, 33]) {
      it(`killed at request #${at}: a second run finishes, and the resource's delete leaves no orphan`, async function () {
        this.timeout(30_000);
        // Even moments: the killing request is still carried out; odd: it never reaches IAM's state.
        const { sc, plan } = await killMidway(1000 + at, (n) => (n === at ? (at % 2 === 1 ? "abort" : "carry-out") : undefined));
        try {
          const report = await sc.teardown();
          assert.ok(report.outcome === "deleted" || report.outcome === "already-gone", report.summary);
          await providerDelete(sc, plan.summary);
          sc.assertClean(`killed at #${at}`);
        } finally {
          await sc.stop();
        }
      });
    }

    it("killed between deactivating the virtual MFA device and deleting it: a plain second run deletes the user and leaves the device unassigned; the resource's delete (recorded serials) removes it", async function () {
      this.timeout(30_000);
      const { sc, plan } = await killMidway(1100, (_n, action) => (action === "DeleteVirtualMFADevice" ? "abort" : undefined));
      try {
        const virtual = sc.mfaSerials.find((m) => m.kind === "virtual")!.serial;
        assert.deepEqual(
          sc.state.listVirtualMfaDevices("Unassigned").map((d) => d.serial),
          [virtual],
          "the kill left the device deactivated, not deleted",
        );
        const report = await sc.teardown();
        assert.equal(report.outcome, "deleted");
        assert.ok(
          sc.state.virtualMfaDevices.has(virtual),
          "without the recorded serial, nothing says the unassigned device was the user's",
        );
        await providerDelete(sc, plan.summary);
        assert.equal(sc.state.virtualMfaDevices.has(virtual), false, "the resource's delete removed it");
        sc.assertClean("killed between deactivate and delete");
      } finally {
        await sc.stop();
      }
    });

    /** The resource's delete, as Pulumi calls it after the killed destroy: props as its last refresh recorded them. */
    async function providerDelete(sc: Scenario, inventory: methods.RecordedOutputs["inventory"]): Promise<void> {
      const restoreEndpoint = pointIamEndpointAt(sc.emulator.endpoint);
      try {
        await methods.remove(TARGET, { userName: TARGET, userId: sc.userId, deleteUser: true, inventory }, undefined, () => undefined);
      } finally {
        restoreEndpoint();
        freshClients();
      }
    }
  });

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
          assert.deepEqual(takeoverProblems(sc, at, afterSwap), [], `swap at #${at} (${action})`);
          const touched = sc.log.filter((e) => sc.watch.inFlightAtTakeover.has(e.seq));
          assert.deepEqual(sc.problems(), [], `swap at #${at} (${action})`);
          countSchedule(true);
          sweep.push({ at, action, outcome, touched });
        } finally {
          await sc.stop();
          freshClients();
        }
      }
      // Refused mid-way, or (the takeover before the identity check) the recorded user found gone and the new one left alone.
      const refused = sweep.filter((s) => s.outcome === "refused" || s.outcome === "already-gone").length;
      assert.ok(refused >= length - 3, `refused at ${refused} of ${sweep.length} moments`);
      // Name-keyed removals go out first, together, right after the identity check: the moments at which a takeover
      // can still reach the new user are at most those calls' own arrivals (7 here: a login profile, 2 groups, 2 inline
      // and 2 attached policies), not the whole removal phase.
      const window = sweep.filter((s) => s.touched.length > 0).map((s) => `#${s.at} ${s.action}`);
      assert.ok(window.length <= 7, `a takeover reached the new user at ${window.length} moments: ${window.join(", ")}`);
    });

    it("seen by the identity re-check while a removal is still being retried: the retry is never sent to the new user", async () => {
      // The console password was just created, so DeleteLoginProfile answers EntityTemporarilyUnmodifiable for a while
      // and is retried; meanwhile every other removal is done and the re-check (a walk of the account's users, ListUsers:
      // the one GetUser confirmed the identity once the lists had answered) runs. The takeover
      // lands just before it: the re-check sees the new user, and the pending retry must stay unsent.
      let at = 0;
      let afterSwap = "";
      const sc = await Scenario.start({
        seed: 750,
        target: { loginProfile: { recent: true } },
        emulator: { loginProfileUnmodifiableMs: 400 },
        hooks: (get) => [
          {
            beforeAction: "ListUsers",
            nth: 1,
            run: (emu) => {
              const s = get();
              at = emu.requestCount;
              for (const d of emu.state.mfaDevicesOf(TARGET)) if (d.kind === "virtual") s.ignoreOrphan(d.serial);
              emu.state.removeUserCompletely(TARGET);
              s.watch.endName(TARGET, at);
              s.ignoreUser(emu.state.createUser(TARGET).userId);
              emu.state.createLoginProfile(TARGET, { recent: false });
              afterSwap = JSON.stringify(emu.snapshotUser(TARGET));
            },
          },
        ],
      });
      try {
        await assert.rejects(sc.teardown(), IdentityMismatchError);
        assert.ok(at > 0, "the takeover happened");
        const retriesAfter = sc.log.filter((e) => e.action === "DeleteLoginProfile" && e.seq > at);
        assert.deepEqual(
          retriesAfter.map((e) => e.status),
          [],
          "no DeleteLoginProfile after the re-check saw the new user",
        );
        assert.deepEqual(takeoverProblems(sc, at, afterSwap), []);
        assert.deepEqual(sc.problems(), []);
        countSchedule(true);
      } finally {
        await sc.stop();
      }
    });
  });
});
