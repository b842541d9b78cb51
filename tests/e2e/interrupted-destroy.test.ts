/**
 * A `pulumi destroy` killed in the middle of a teardown (the CI runner dies, someone presses Ctrl-C twice) is finished
 * by running `pulumi destroy` again, through the real CLI and language host against the emulator.
 *
 * The kill lands at the worst moment for a virtual MFA device: the emulator kills the whole pulumi process tree when
 * the first DeleteVirtualMFADevice arrives, after DeactivateMFADevice has unassigned the device but before it is
 * deleted, while other removals are still queued. The device no longer hangs on the user, so only the serial recorded in
 * the stack (passed to the engine as knownVirtualMfaSerials) leads the next run to it.
 *
 * Pulumi 3.248 with a file backend: the killed run leaves its lock, so the next command fails with "the stack is
 * currently locked ... delete the lock file with `pulumi cancel`"; after `pulumi cancel` the pending "deleting"
 * operation is only a warning, and `pulumi destroy` runs the teardown again. `pulumi refresh`, which Pulumi's warning
 * suggests, must keep the recorded serial.
 */
import * as assert from "node:assert";
import type { PulumiProcess } from "../helpers/pulumi/process";
import {
  assertNoTrace,
  assertOk,
  declareUsers,
  type EmulatedStack,
  emulatedStack,
  type GivenDependencies,
  giveEveryKind,
  printed,
  seedBystander,
  summaryLine,
  USERS_PROGRAM,
} from "./support";

const DANA = { name: "dana", userName: "e2e-dana", path: "/ops/", tags: { team: "ops" } };
const DEPENDENCIES = 15;

describe("e2e: an interrupted pulumi destroy is finished by running it again", function () {
  this.timeout(120_000);

  for (const variant of ["destroy --refresh, killed; cancel; destroy", "refresh; destroy, killed; cancel; refresh; destroy"] as const) {
    const refreshInDestroy = variant.startsWith("destroy --refresh");

    describe(variant, () => {
      let s: EmulatedStack;
      let given: GivenDependencies;
      let userId: string;
      let bystanderBefore: string;
      let running: PulumiProcess | undefined;
      let interrupt = false;

      before(async function () {
        this.timeout(60_000);
        s = await emulatedStack(this, {
          emulator: {
            // Slow enough that removals are still queued when the kill lands.
            latencyMs: 40,
            hooks: [
              {
                beforeAction: "DeleteVirtualMFADevice",
                every: true,
                run: () => {
                  if (!interrupt) return;
                  running?.kill("SIGKILL", { tree: true });
                  throw new Error("the test killed pulumi here");
                },
              },
            ],
          },
          workspace: { projectName: "interrupted", program: { "index.ts": USERS_PROGRAM } },
        });
        seedBystander(s.emulator);
        bystanderBefore = JSON.stringify(s.emulator.snapshotUser("bystander"));
        await declareUsers(s.ws, [DANA]);
        assertOk(await s.ws.up());
        userId = s.emulator.state.getUser(DANA.userName)!.userId;
        given = await giveEveryKind(s.emulator, s.iam, DANA.userName);
      });

      after(async () => {
        await s?.dispose();
      });

      it("the destroy is killed while the deactivated virtual MFA device is being deleted", async () => {
        if (!refreshInDestroy) assertOk(await s.ws.refresh()); // records the inventory, virtual serial included
        interrupt = true;
        running = s.ws.start(["destroy", "--yes", "--skip-preview", "--non-interactive", ...(refreshInDestroy ? ["--refresh"] : [])]);
        const killed = await running.result;
        interrupt = false;
        assert.strictEqual(killed.signal, "SIGKILL", `pulumi destroy was not killed: exit ${killed.code}\n${printed(killed)}`);

        // Midway: the virtual device is deactivated, unassigned, still in the account. Its deletion goes beside
        // DeleteUser, so the user may be gone already; if not, the removals had started. Either way the device's
        // deletion is the step that only the recorded serial can bring back.
        if (s.emulator.state.userExists(DANA.userName)) {
          const left = Object.values(s.emulator.state.dependencyCounts(DANA.userName) as unknown as Record<string, number>).reduce(
            (a, b) => a + b,
            0,
          );
          assert.ok(left < DEPENDENCIES, `the teardown had started (${left} of ${DEPENDENCIES} dependencies left)`);
        } else {
          assert.ok(
            s.emulator.log.some((e) => e.action === "DeleteUser" && e.status === 200),
            "DeleteUser deleted it",
          );
        }
        const device = s.emulator.state.listVirtualMfaDevices().find((d) => d.serial === given.virtualMfaSerial);
        assert.ok(device && device.userName === undefined, "the virtual device is unassigned and still in the account");

        const exported = await s.ws.exportStack();
        const pending = exported.deployment.pending_operations ?? [];
        assert.deepStrictEqual(
          pending.map((p) => [p.type, p.resource.id]),
          [["deleting", DANA.userName]],
        );
        const recorded = exported.deployment.resources!.find((r) => r.id === DANA.userName)!.outputs!.inventory as { mfaDevices: string };
        assert.ok(recorded.mfaDevices.split(", ").includes(`virtual ${given.virtualMfaSerial}`), "the stack records the device's serial");
      });

      it("the next command fails on the killed run's lock and names pulumi cancel", async () => {
        const blocked = await s.ws.destroy();
        assert.strictEqual(blocked.code, 1);
        assert.match(printed(blocked), /the stack is currently locked/);
        assert.match(printed(blocked), /pulumi cancel/);
        assertOk(await s.ws.run(["cancel", "--yes", "--non-interactive"]));
      });

      if (!refreshInDestroy) {
        it("pulumi refresh (as Pulumi's warning suggests) clears the pending operation and keeps the device's serial", async () => {
          assertOk(await s.ws.refresh());
          const exported = await s.ws.exportStack();
          assert.deepStrictEqual(exported.deployment.pending_operations ?? [], []);
          const dana = exported.deployment.resources!.find((r) => r.id === DANA.userName);
          assert.ok(dana, "the half torn-down user is still in the stack");
          const inventory = dana.outputs!.inventory as { mfaDevices: string };
          assert.ok(
            inventory.mfaDevices.split(", ").includes(`virtual ${given.virtualMfaSerial} (unassigned)`),
            `the refreshed inventory keeps the unassigned virtual device recorded as the user's: ${inventory.mfaDevices}`,
          );
        });
      }

      it("pulumi destroy again finishes the teardown: no trace of the user, no orphaned virtual MFA device", async () => {
        const destroy = assertOk(await s.ws.destroy());
        const text = printed(destroy);
        // The summary of a user found already gone has no UserId to show, so it is not summaryLine's shape.
        const line =
          summaryLine(text, DANA.userName) ?? text.split("\n").find((l) => l.includes(`IAM user ${DANA.userName} already gone:`));
        assert.ok(line, text);
        // "deleted" when the killed run left the user, "already gone" when its DeleteUser had gone through.
        assert.match(
          line,
          / (deleted|already gone): removed .*MFA devices? \(.*1 virtual/,
          "the orphaned virtual device is removed in this run",
        );
        assert.match(text, new RegExp(`removed virtual MFA device ${given.virtualMfaSerial.replace(/[/.]/g, "\\$&")}`));
        assert.deepStrictEqual(await s.ws.resources(), []);
        assertNoTrace(s.emulator, {
          userName: DANA.userName,
          userId,
          accessKeyIds: given.accessKeyIds,
          virtualMfaSerials: [given.virtualMfaSerial],
        });
        assert.strictEqual(JSON.stringify(s.emulator.snapshotUser("bystander")), bystanderBefore, "the bystander is untouched");
      });
    });
  }
});
