/**
 * Least privilege, one permission short: each action the shipped policy grants is denied in turn (the emulator's
 * denyActions, on top of the shipped policy). The package must stop with an error that names the missing permission,
 * and report as removed exactly what IAM carried out before it stopped: nothing more, nothing less.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as methods from "../../provider/provider-methods";
import { DirectoryStore, StoreRecordWriter } from "../../provider/records/store";
import { DEPENDENCY_KINDS, MissingPermissionError, recordReadActions } from "../../provider/teardown";
import { QUARANTINE_ONLY_ACTIONS } from "../../provider/teardown/quarantine";
import { pointIamEndpointAt } from "../helpers/iam";
import { mulberry32 } from "../iam-emulator/prng";
import {
  auditEmulator,
  BYSTANDER,
  countSchedule,
  describeEntry,
  freshClients,
  hostileEmulator,
  policyActions,
  reportVersusLog,
  Scenario,
  seededEveryKind,
  TARGET,
  TargetWatch,
} from "./support";

/** Actions only the resource's create, update and read make (a teardown never does); a quarantine's: quarantine-access-denied.test.ts. */
const LIFECYCLE_ONLY = new Set([
  "CreateUser",
  "UpdateUser",
  "TagUser",
  "UntagUser",
  "PutUserPermissionsBoundary",
  "DeleteUserPermissionsBoundary",
  "ListUserTags",
]);

/**
 * Reading activity (plans, the --inactive-for and requireInactiveFor guards, the activity output) and learning whose
 * credentials run (the CLI): never part of a teardown. Without one, the activity is named unknown and a guard fails
 * its user untouched (tests/cli/activity.test.ts, tests/teardown/provider-activity.test.ts).
 */
const ACTIVITY_AND_CALLER = new Set([
  "GetAccessKeyLastUsed",
  "GenerateServiceLastAccessedDetails",
  "GetServiceLastAccessedDetails",
  "GetCallerIdentity",
]);

/** What only a record reads (GetSSHPublicKey's public body, GetUserPolicy's document): tested below with a record. */
const RECORD_ONLY = new Set(recordReadActions(DEPENDENCY_KINDS).filter((a) => !ACTIVITY_AND_CALLER.has(a)));

describe("hostile: one permission missing", () => {
  afterEach(freshClients);

  it("the shipped policy's actions are the ones these tests deny in turn", () => {
    assert.ok(policyActions().length >= 25, policyActions().join(", "));
  });

  for (const action of policyActions().filter(
    (a) => !LIFECYCLE_ONLY.has(a) && !ACTIVITY_AND_CALLER.has(a) && !QUARANTINE_ONLY_ACTIONS.includes(a) && !RECORD_ONLY.has(a),
  )) {
    it(`teardown without iam:${action}: stops with an error naming it, and reports exactly what IAM carried out`, async () => {
      const sc = await Scenario.start({ seed: 1300, emulator: { denyActions: [action] } });
      try {
        let renamedTo: string | undefined;
        if (action === "ListUsers") {
          // Only a user renamed out of band makes the teardown look its UserId up across the account.
          renamedTo = "target-moved";
          sc.emulator.state.updateUser(TARGET, { newUserName: renamedTo });
          sc.watch.addName(renamedTo);
        }
        let error: unknown;
        await sc.teardown().catch((e) => (error = e));
        assert.ok(error instanceof MissingPermissionError, `expected MissingPermissionError, got ${error}`);
        assert.equal(error.action, action);
        assert.ok(error.message.includes(`needs permission iam:${action}`), error.message);
        const denied = sc.log.filter((e) => e.fault === "access-denied");
        assert.ok(denied.length > 0 && denied.every((e) => e.action === action), "the denied action was actually called");
        assert.deepEqual(
          reportVersusLog(error.removed, sc.log, false, error.partlyRemoved),
          [],
          "the error's removed list is what IAM carried out",
        );
        for (const { item } of error.partlyRemoved)
          assert.ok(error.message.includes(`Partly removed: ${item.kind} ${item.id}`), error.message);
        for (const item of error.removed) assert.ok(error.message.includes(`${item.kind} ${item.id}`), `the message lists ${item.id}`);
        assert.deepEqual(
          sc.problems({ userGone: false }).filter((p) => !p.startsWith("orphaned") && !p.includes("of the target is still")),
          [],
        );
        countSchedule(true);
      } finally {
        await sc.stop();
      }
    });
  }

  for (const action of [...RECORD_ONLY].sort()) {
    it(`teardown with a record, without iam:${action}: the error names it, nothing of the user is removed, no record written`, async () => {
      const sc = await Scenario.start({ seed: 1350, emulator: { denyActions: [action] } });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "denied-record-"));
      try {
        let error: unknown;
        await sc.teardown({ record: new StoreRecordWriter(new DirectoryStore(dir)) }).catch((e) => (error = e));
        assert.ok(
          error instanceof Error && error.message.includes(`iam:${action}`),
          `expected an error naming iam:${action}, got ${error}`,
        );
        assert.ok(
          sc.log.some((e) => e.action === action && e.fault === "access-denied"),
          "the denied action was actually called",
        );
        assert.deepEqual(
          sc.log.filter((e) => e.mutating && e.fault === undefined && e.errorCode === undefined).map((e) => e.action),
          [],
          "nothing of the user removed",
        );
        assert.deepEqual(
          fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(".json")),
          [],
        );
        countSchedule(true);
      } finally {
        await sc.stop();
      }
    });
  }

  describe("the resource's create, update and read without one of their permissions", () => {
    let restoreEndpoint: () => void = () => undefined;
    afterEach(() => restoreEndpoint());

    for (const action of [...LIFECYCLE_ONLY].sort()) {
      it(`without iam:${action}: the error names it`, async () => {
        const emulator = await hostileEmulator({ seed: 1400, denyActions: [action] }, new TargetWatch(["carol"]));
        emulator.seed({ users: [seededEveryKind(BYSTANDER, mulberry32(1400))] });
        const bystander = JSON.stringify(emulator.snapshotUser(BYSTANDER));
        restoreEndpoint = pointIamEndpointAt(emulator.endpoint);
        try {
          const boundary = "arn:aws:iam::aws:policy/PowerUserAccess";
          const cycle = async () => {
            const created = await methods.create({ userName: "carol", tags: { a: "1", b: "2" }, deleteUser: true, adopt: false });
            const updated = await methods.update("carol", created.outs, {
              userName: "carol",
              path: "/moved/",
              tags: { a: "1", c: "3" },
              permissionsBoundary: boundary,
              deleteUser: true,
              adopt: false,
            });
            const again = await methods.update("carol", updated.outs, {
              userName: "carol",
              path: "/moved/",
              tags: { a: "1", c: "3" },
              deleteUser: true,
              adopt: false,
            });
            await methods.read("carol", again.outs);
          };
          await assert.rejects(cycle(), (err: Error) => {
            assert.ok(err.message.includes(`iam:${action}`), err.message);
            return true;
          });
          assert.deepEqual(auditEmulator(emulator).map(describeEntry), []);
          assert.equal(JSON.stringify(emulator.snapshotUser(BYSTANDER)), bystander);
          countSchedule(true);
        } finally {
          freshClients();
          await emulator.stop();
        }
      });
    }
  });
});
