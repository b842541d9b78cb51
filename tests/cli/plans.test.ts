/**
 * Plans applied exactly: `plan --out` writes what a reviewer approved (per user its UserId and every item's
 * identifier, the account, the time); `delete --plan` tears down exactly those users, each only while it is what the
 * plan says, and never removes an item the plan does not hold.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resetIamClients } from "../../provider/aws/client";
import { EXIT, runCli } from "../../provider/cli";
import type { PlanFile } from "../../provider/cli/plan-file";
import { everyKind, pointIamEndpointAt } from "../helpers/iam";
import { type Emulator, type EmulatorOptions, startEmulator } from "../iam-emulator";

async function cli(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const planPath = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plans-")), "plan.json");
const readPlan = (p: string): PlanFile => JSON.parse(fs.readFileSync(p, "utf8"));
const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("CLI plans applied exactly: plan --out, delete --plan", () => {
  let emulator: Emulator;
  let restoreEndpoint: () => void = () => undefined;

  async function start(options: EmulatorOptions = {}) {
    restoreEndpoint();
    await emulator?.stop();
    emulator = await startEmulator({ port: 0, ...options });
    restoreEndpoint = pointIamEndpointAt(emulator.endpoint);
    resetIamClients();
  }
  afterEach(async () => {
    restoreEndpoint();
    restoreEndpoint = () => undefined;
    resetIamClients();
    await emulator?.stop();
  });

  it("plan --out writes each user's UserId and items, the account and the time; --markdown --out writes both views from one listing", async () => {
    await start();
    const seeded = emulator.seed({ users: [everyKind("pa"), { userName: "pb", accessKeys: 1 }] }).users;
    const file = planPath();
    const run = await cli(["plan", "pa", "pb", "nobody", "--markdown", "--out", file]);
    assert.equal(run.code, EXIT.ok, run.stderr);
    assert.match(run.stdout, /^\| user /m, "the Markdown view on standard output");
    const plan = readPlan(file);
    assert.equal(plan.planVersion, 1);
    assert.equal(plan.accountId, "123456789012");
    assert.ok(!Number.isNaN(Date.parse(plan.createdAt)));
    assert.deepEqual(plan.absent, ["nobody"]);
    assert.deepEqual(
      plan.users.map((u) => [u.userName, u.userId]),
      [
        ["pa", seeded.pa.userId],
        ["pb", seeded.pb.userId],
      ],
    );
    assert.deepEqual(plan.users[1].items, { accessKeys: seeded.pb.accessKeyIds });
    const pa = plan.users[0].items;
    assert.deepEqual(pa.accessKeys, [...seeded.pa.accessKeyIds].sort());
    assert.deepEqual(pa.groupMemberships, ["developers", "on-call"]);
    assert.equal(pa.mfaDevices.length, 3);
    assert.equal(Object.values(pa).flat().length, 19);
  });

  it("a user given a new access key after the plan is kept (changed-since-plan, exit 3, the key named); the others are torn down", async () => {
    await start();
    emulator.seed({ users: [everyKind("qa"), everyKind("qb", { accessKeys: 1 }), everyKind("qc")] });
    const file = planPath();
    assert.equal((await cli(["plan", "qa", "qb", "qc", "--out", file])).code, EXIT.ok);
    const newKey = emulator.state.createAccessKey("qb").accessKeyId;
    const before = emulator.state.dependencyCounts("qb");
    emulator.clearLog();
    const run = await cli(["delete", "--plan", file, "--yes", "--json"]);
    assert.equal(run.code, EXIT.skipped, run.stderr);
    const qb = jsonLines(run.stdout).find((l) => l.userName === "qb")!;
    assert.equal(qb.outcome, "changed-since-plan");
    assert.deepEqual(qb.difference, [`added: access key ${newKey}`]);
    assert.deepEqual(
      emulator.log.filter((e) => e.mutating && e.userName === "qb"),
      [],
    );
    assert.deepEqual(emulator.state.dependencyCounts("qb"), before);
    for (const u of ["qa", "qc"]) assert.equal(emulator.state.userExists(u), false, u);
    assert.match(run.stderr, /changed-since-plan: qb: changed since the plan: added: access key/);
  });

  it("a plan of another account is refused before any change; a plan older than --max-plan-age before any call", async () => {
    await start();
    emulator.seed({ users: [everyKind("ra")] });
    const file = planPath();
    assert.equal((await cli(["plan", "ra", "--out", file])).code, EXIT.ok);

    await start({ accountId: "210987654321" });
    emulator.seed({ users: [everyKind("ra")] });
    emulator.clearLog();
    const other = await cli(["delete", "--plan", file, "--yes"]);
    assert.equal(other.code, EXIT.failed);
    assert.match(
      other.stderr,
      /the plan is of account 123456789012, but its users' names here are in account 210987654321.*Nothing changed/,
    );
    assert.deepEqual(
      emulator.log.filter((e) => e.mutating),
      [],
    );
    assert.equal(emulator.state.userExists("ra"), true);

    const old = readPlan(file);
    old.createdAt = new Date(Date.parse(old.createdAt) - 8 * 86_400_000).toISOString();
    fs.writeFileSync(file, JSON.stringify(old));
    emulator.clearLog();
    const stale = await cli(["delete", "--plan", file, "--max-plan-age", "7d", "--yes"]);
    assert.equal(stale.code, EXIT.failed);
    assert.match(stale.stderr, /more than --max-plan-age allows: plan again\. Nothing changed/);
    assert.deepEqual(emulator.log, [], "nothing called at all");
  });

  it("an item that appears during the teardown (a DeleteConflict round) is left, and the user reported with exactly what blocks it", async () => {
    const added: string[] = [];
    await start({
      hooks: [
        {
          beforeAction: "DeleteUser",
          run: (e) => {
            if (e.state.userExists("sa")) added.push(e.state.createAccessKey("sa").accessKeyId);
          },
        },
      ],
    });
    emulator.seed({ users: [everyKind("sa")] });
    const file = planPath();
    assert.equal((await cli(["plan", "sa", "--out", file])).code, EXIT.ok);
    const run = await cli(["delete", "--plan", file, "--yes", "--json"]);
    assert.equal(run.code, EXIT.failed, run.stderr);
    assert.equal(added.length, 1);
    const sa = jsonLines(run.stdout).find((l) => l.userName === "sa")!;
    assert.equal(sa.outcome, "failed");
    assert.match(String(sa.error), new RegExp(`still blocked by accessKeys ${added[0]}\\.`));
    assert.equal(
      emulator.log.filter((e) => e.action === "DeleteAccessKey" && e.params.AccessKeyId === added[0]).length,
      0,
      "the key the plan does not hold is never removed",
    );
    const left = emulator.state.dependencyCounts("sa");
    assert.equal(left.accessKeys, 1);
    assert.equal(
      Object.values(left).reduce((n, c) => n + c, 0),
      1,
      "everything the plan held is gone",
    );
  });

  it("usage: --out for plan, --plan for delete without names, --max-plan-age a duration with --plan", async () => {
    await start();
    for (const argv of [
      ["delete", "x", "--yes", "--out", "p.json"],
      ["plan", "x", "--plan", "p.json"],
      ["delete", "x", "--plan", "p.json", "--yes"],
      ["delete", "x", "--yes", "--max-plan-age", "7d"],
      ["delete", "--plan", "p.json", "--max-plan-age", "a week", "--yes"],
    ]) {
      const run = await cli(argv);
      assert.equal(run.code, EXIT.usage, argv.join(" "));
    }
    assert.deepEqual(emulator.log, []);
  });
});
