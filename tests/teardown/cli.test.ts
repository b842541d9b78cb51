import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { EXIT, runCli } from "../../provider/cli";
import { everyKind, pointIamEndpointAt, useEmulator } from "../helpers/iam";

const BIN = path.resolve(__dirname, "../../provider/bin/iam-user-teardown.js");

async function cli(argv: string[], confirm?: (q: string) => Promise<boolean>) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), confirm });
  return { code, stdout, stderr };
}

describe("iam-user-teardown CLI", () => {
  const env = useEmulator();
  let restoreEndpoint: () => void = () => undefined;
  before(() => (restoreEndpoint = pointIamEndpointAt(env.emulator.endpoint)));
  after(() => restoreEndpoint());

  it("plan --json prints the inventory and the ordered plan, changing nothing", async () => {
    env.emulator.seed({ users: [everyKind("cli-plan")] });
    env.emulator.clearLog();
    const { code, stdout } = await cli(["plan", "cli-plan", "--json"]);
    assert.equal(code, EXIT.ok);
    // One JSON line per user, then the summary line.
    const [plan, summary] = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(summary.type, "summary");
    assert.equal(plan.exists, true);
    assert.equal(plan.summary.total, 19);
    assert.equal(plan.steps.at(-1).actions[0], "DeleteUser");
    assert.equal(env.emulator.log.filter((e) => e.mutating).length, 0);
  });

  it("plan in text lists every step", async () => {
    env.emulator.seed({ users: [{ userName: "cli-text", accessKeys: 1, fidoMfa: 1 }] });
    const { code, stdout } = await cli(["plan", "cli-text"]);
    assert.equal(code, EXIT.ok);
    assert.match(stdout, /FIDO security key MFA device arn:aws:iam::\d+:u2f\//);
    assert.match(stdout, /\[DeactivateMFADevice\]/);
    assert.match(stdout, /delete IAM user cli-text/);
  });

  it("delete --yes tears the user down and exits 0; --json prints the report", async () => {
    env.emulator.seed({ users: [everyKind("cli-delete")] });
    const { code, stdout, stderr } = await cli(["delete", "cli-delete", "--yes", "--json"]);
    assert.equal(code, EXIT.ok, stderr);
    assert.equal(JSON.parse(stdout.split("\n")[0]).outcome, "deleted");
    assert.equal(env.emulator.state.userExists("cli-delete"), false);
    assert.match(stderr, /IAM user cli-delete \(AIDA\w+\) deleted: removed /);
  });

  it("delete asks first; a 'no' changes nothing and exits 1", async () => {
    env.emulator.seed({ users: [{ userName: "cli-ask", accessKeys: 1 }] });
    const asked: string[] = [];
    const { code } = await cli(["delete", "cli-ask"], async (q) => {
      asked.push(q);
      return false;
    });
    assert.equal(code, EXIT.failed);
    assert.equal(asked.length, 1);
    assert.equal(env.emulator.state.userExists("cli-ask"), true);
  });

  it("--expect-user-id refuses a different user under the name, and never leads to a user under another name", async () => {
    env.emulator.seed({
      users: [
        { userName: "cli-other", accessKeys: 1 },
        { userName: "cli-victim", accessKeys: 1 },
      ],
    });
    const before = [JSON.stringify(env.emulator.snapshotUser("cli-other")), JSON.stringify(env.emulator.snapshotUser("cli-victim"))];
    const victimId = env.emulator.state.getUser("cli-victim")!.userId;
    const refused = await cli(["delete", "cli-other", "--yes", "--json", "--expect-user-id", victimId]);
    assert.equal(refused.code, EXIT.failed);
    assert.match(
      refused.stderr,
      new RegExp(`different user \\(UserId AIDA\\w+, not ${victimId} as --expect-user-id says\\)\\. Nothing was changed`),
    );
    // A name that does not exist is gone; the UserId given never leads the teardown to the user that holds it.
    const ghost = await cli(["delete", "cli-ghost", "--yes", "--json", "--expect-user-id", victimId]);
    assert.equal(ghost.code, EXIT.ok, ghost.stderr);
    assert.equal(JSON.parse(ghost.stdout.trim().split("\n")[0]).outcome, "already-gone");
    assert.deepEqual(
      [JSON.stringify(env.emulator.snapshotUser("cli-other")), JSON.stringify(env.emulator.snapshotUser("cli-victim"))],
      before,
    );
  });

  // Every bad command line (exit 2) is in tests/hostile/bad-input.test.ts.
  it("the installed bin runs the same CLI (exit code from a real process)", () => {
    const result = spawnSync(process.execPath, [BIN, "plan"], { encoding: "utf8" });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /a user name is required/);
  });
});
