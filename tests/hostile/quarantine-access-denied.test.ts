import { strict as assert } from "node:assert";
import { disableUser, QUARANTINE_ONLY_ACTIONS, QuarantinePermissionError, readQuarantineRecord } from "../../provider/teardown/quarantine";
import { packageClientFor } from "../helpers/iam";
import { mulberry32 } from "../iam-emulator/prng";
import { freshClients, hostileEmulator, policyActions, seededEveryKind } from "./support";

/**
 * Each action the shipped policy holds only for disable and enable, denied in turn: the disable stops with an error
 * naming it, having changed nothing when the action is one of its reads, and never having switched off an item the
 * record on the user does not list (so a run with the permission granted, or an enable, finds everything).
 */
type Credential = { status: string } & Record<string, string>;
type Snapshot = { tags: Record<string, string> } & Record<
  "accessKeys" | "sshPublicKeys" | "signingCertificates" | "serviceSpecificCredentials",
  Credential[]
>;

/** The ids of credentials Active in `before` and Inactive in `after`. */
function switchedOff(before: Snapshot, after: Snapshot): string[] {
  const kinds = ["accessKeys", "sshPublicKeys", "signingCertificates", "serviceSpecificCredentials"] as const;
  const idOf = (c: Credential) => c.accessKeyId ?? c.sshPublicKeyId ?? c.certificateId ?? c.serviceSpecificCredentialId;
  return kinds.flatMap((k) => {
    const was = new Map(before[k].map((c) => [idOf(c), c.status]));
    return after[k].filter((c) => c.status === "Inactive" && was.get(idOf(c)) === "Active").map(idOf);
  });
}

describe("hostile: one permission of the quarantine missing", () => {
  afterEach(freshClients);

  it("the shipped policy holds every action only a quarantine calls", () => {
    for (const action of QUARANTINE_ONLY_ACTIONS) assert.ok(policyActions().includes(action), action);
  });

  for (const action of QUARANTINE_ONLY_ACTIONS) {
    it(`disable without iam:${action}: stops naming it; nothing switched off that the record does not list`, async () => {
      const denied = await hostileEmulator({ seed: 1600, denyActions: [action] });
      try {
        denied.seed({ users: [seededEveryKind("quinn", mulberry32(1600))] });
        // The deny-all reaches AttachUserPolicy (and the quota's GetAccountSummary) only when the inline quota is full.
        if (action === "AttachUserPolicy" || action === "GetAccountSummary") {
          const filling = JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${"q".repeat(1700)}` }],
          });
          denied.state.putUserPolicy("quinn", "big", filling);
        }
        const before = denied.snapshotUser("quinn") as Snapshot;
        const client = packageClientFor(denied.endpoint);
        await assert.rejects(disableUser({ client, userName: "quinn" }), (err: Error) => {
          assert.ok(err instanceof QuarantinePermissionError, `${err}`);
          assert.equal(err.action, action);
          assert.match(err.message, new RegExp(`needs permission iam:${action}`));
          return true;
        });
        const refused = denied.log.filter((e) => e.fault === "access-denied");
        assert.ok(refused.length > 0 && refused.every((e) => e.action === action), "the denied action was called");
        const after = denied.snapshotUser("quinn") as Snapshot;
        if (action === "GetUserPolicy" || action === "GetAccountSummary")
          assert.deepEqual(after, before, "a read refused: nothing changed");
        const recorded = new Set((readQuarantineRecord(after.tags)?.wasActive ?? []).map((i) => i.id));
        for (const id of switchedOff(before, after)) assert.ok(recorded.has(id), `${id} was switched off without being recorded`);
      } finally {
        await denied.stop();
      }
    });
  }
});
