/**
 * The resource's `record` input through the real Pulumi CLI: Pulumi hands a destroy the inputs of the last `up`, so
 * the documented flow is to set `record`, run `pulumi up` (an update with no call to IAM), then `pulumi destroy`,
 * which writes one record per user before removing anything of it.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { UserRecord } from "../../provider/teardown/record";
import { assertOk, type EmulatedStack, emulatedStack, mutatingCalls, seedBystander } from "./support";

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { IamUserTeardown } from "iam-user-teardown";

const config = new pulumi.Config();
const names = config.requireObject<string[]>("names");
const record = config.get("record");
const users = names.map((n) => new IamUserTeardown(n, { userName: n, record }));
export const userIds = pulumi.all(Object.fromEntries(users.map((u, i) => [names[i], u.userId])));
`;

const NAMES = ["rec-ana", "rec-bo"];

describe("e2e: pulumi destroy with the record input writes one record per user", function () {
  this.timeout(120_000);

  let s: EmulatedStack;
  const recordDir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-records-"));

  before(async function () {
    this.timeout(60_000);
    s = await emulatedStack(this, { workspace: { projectName: "records", program: { "index.ts": PROGRAM } } });
    seedBystander(s.emulator);
    await s.ws.configSet("names", JSON.stringify(NAMES));
  });

  after(async () => {
    await s?.dispose();
  });

  it("up creates the users without a record; they are given dependencies out of band", async () => {
    assertOk(await s.ws.up());
    for (const n of NAMES) {
      s.emulator.state.createAccessKey(n);
      s.emulator.state.putUserPolicy(
        n,
        "read-logs",
        JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "logs:Get*", Resource: "*" }] }),
      );
      s.emulator.state.addUserToGroup(n, "developers");
    }
  });

  it("setting record and running up records it in the stack, with no call to IAM that changes anything", async () => {
    await s.ws.configSet("record", recordDir);
    s.emulator.clearLog();
    const up = assertOk(await s.ws.up());
    assert.match(up.stdout, /~ 2 updated/);
    assert.deepStrictEqual(mutatingCalls(s.emulator), []);
    const recorded = (await s.ws.resources()).filter((r) => r.outputs?.record !== undefined).map((r) => r.outputs!.record);
    assert.deepStrictEqual(recorded, [recordDir, recordDir]);
  });

  it("pulumi destroy writes each user's record before its removals and completes it", async () => {
    const userIds = (await s.ws.outputs()).userIds as Record<string, string>;
    assertOk(await s.ws.destroy());
    for (const n of NAMES) {
      assert.strictEqual(s.emulator.state.userExists(n), false, n);
      const file = path.join(recordDir, "123456789012", `${userIds[n]}.json`);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as UserRecord;
      assert.strictEqual(record.user.userName, n);
      assert.strictEqual(record.items.accessKeys.length, 1);
      assert.deepStrictEqual(record.items.inlinePolicies[0].document, {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "logs:Get*", Resource: "*" }],
      });
      assert.deepStrictEqual(
        record.items.groupMemberships.map((g) => g.id),
        ["developers"],
      );
      assert.strictEqual(record.teardown?.outcome, "deleted");
      assert.strictEqual(record.teardown?.removed.length, 3);
    }
    assert.strictEqual(fs.readdirSync(path.join(recordDir, "123456789012")).length, NAMES.length);
    assert.strictEqual(s.emulator.state.userExists("bystander"), true);
  });

  // What the docs say of --run-program, held to the Pulumi CLI: it runs the program, yet each delete still gets the
  // inputs the last up recorded. A record set in the program but never up'd is not used: set it, then pulumi up.
  it("pulumi destroy --run-program does not hand a delete the program's record: only what the last up recorded counts", async () => {
    const runProgramDir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-records-run-program-"));
    await s.ws.runOk(["config", "rm", "record"]);
    assertOk(await s.ws.up());
    await s.ws.configSet("record", runProgramDir);
    assertOk(await s.ws.destroy(["--run-program"]));
    for (const n of NAMES) assert.strictEqual(s.emulator.state.userExists(n), false, n);
    assert.deepStrictEqual(fs.readdirSync(runProgramDir), [], "no record: the last up recorded none");
  });
});
