/**
 * Decommissioning an account, as the README describes it, with examples/decommission-account run in place through
 * the real Pulumi CLI: `pulumi up` adopts the users the account has (adopt: true), a reviewer sees what a destroy will
 * remove, live, user by user, and `pulumi destroy` removes them all in one run.
 *
 * What the reviewer runs: `pulumi destroy --preview-only --refresh --diff --show-sames`. The refresh calls the
 * provider's read, which lists what hangs on each user now; --show-sames prints every refreshed user's outputs (the
 * whole inventory), not only the ones that changed since the last up. In --json, the delete steps' oldState holds the
 * refreshed inventory.
 */
import * as assert from "node:assert";
import * as path from "node:path";
import { everyKind } from "../helpers/iam";
import { REPO_ROOT } from "../helpers/pulumi/toolchain";
import {
  assertNoTrace,
  assertOk,
  type EmulatedStack,
  emulatedStack,
  inPlace,
  mutatingCalls,
  printed,
  RESOURCE_TYPE,
  seedBystander,
  summaryLine,
} from "./support";

const EXAMPLE = path.join(REPO_ROOT, "examples", "decommission-account");
const USERS = ["legacy-ana", "legacy-bo"];
/** everyKind: 1 password, 2 keys, 2 SSH keys, 2 certificates, 3 service credentials, 3 MFA devices, 2 groups, 2 inline, 2 managed. */
const EVERY_KIND_TOTAL = 19;

describe("e2e: decommissioning an account with examples/decommission-account (adopt, review, destroy)", function () {
  this.timeout(120_000);

  let s: EmulatedStack;
  let example: ReturnType<typeof inPlace>;
  let seeded: ReturnType<EmulatedStack["emulator"]["seed"]>;
  let bystanderBefore: string;

  before(async function () {
    this.timeout(60_000);
    s = await emulatedStack(this, { workspace: { projectName: "decommission-account" } });
    example = inPlace(s, EXAMPLE);
    seedBystander(s.emulator);
    seeded = s.emulator.seed({ users: USERS.map((u) => everyKind(u)) });
    bystanderBefore = JSON.stringify(s.emulator.snapshotUser("bystander"));
    for (const [i, name] of USERS.entries()) await s.ws.runOk(["config", "set", "--path", `userNames[${i}]`, name]);
  });

  after(async () => {
    await s?.dispose();
  });

  it("pulumi up adopts the existing users, records their UserIds and inventories, and changes nothing in IAM", async () => {
    s.emulator.clearLog();
    const up = assertOk(await example.up());
    assert.match(up.stdout, /\+ 3 created/);
    assert.deepStrictEqual(mutatingCalls(s.emulator), [], "adopting changes nothing on the users");
    const outputs = await s.ws.outputs();
    assert.deepStrictEqual(
      outputs.toRemove,
      USERS.map((name) => ({ name, total: EVERY_KIND_TOTAL })),
    );
    for (const r of (await s.ws.resources()).filter((r) => r.type === RESOURCE_TYPE)) {
      assert.strictEqual(r.outputs!.userId, seeded.users[r.id!].userId, `recorded UserId of ${r.id}`);
      assert.strictEqual(r.outputs!.adopt, true);
    }
  });

  it("the reviewer sees, live and user by user, everything pulumi destroy will remove", async () => {
    // After the adoption someone attaches one more policy to legacy-bo: the review must show it.
    s.emulator.state.putUserPolicy(
      "legacy-bo",
      "added-after-adoption",
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }),
    );
    s.emulator.clearLog();
    const review = assertOk(await example.destroyPreview(["--refresh", "--diff", "--show-sames"]));
    const text = printed(review);
    for (const name of USERS) {
      const user = seeded.users[name];
      const block = resourceBlock(text, name, "(refresh)");
      for (const id of [
        ...user.accessKeyIds,
        ...user.mfaSerials.map((m) => m.serial),
        "developers",
        "on-call",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
      ]) {
        assert.ok(block.includes(id), `the review names ${id} for ${name}\n${block}`);
      }
      for (const m of user.mfaSerials) assert.ok(block.includes(`kind  : "${m.kind}"`), `${m.kind} MFA device of ${name}`);
      assert.ok(resourceBlock(text, name, "(delete)"), `${name} is to be deleted`);
    }
    assert.ok(resourceBlock(text, "legacy-bo", "(refresh)").includes("added-after-adoption"), "a change since the adoption shows");
    assert.match(text, /- 3 to delete/);
    assert.deepStrictEqual(mutatingCalls(s.emulator), [], "the review changes nothing");

    const json = await example.destroyPreview(["--refresh", "--json"]);
    const steps = (
      JSON.parse(json.stdout) as { steps: Array<{ op: string; urn: string; oldState?: { outputs?: { inventory?: { total: number } } } }> }
    ).steps;
    const totals = Object.fromEntries(
      steps
        .filter((st) => st.op === "delete" && st.urn.includes(RESOURCE_TYPE))
        .map((st) => [st.urn.split("::").pop(), st.oldState?.outputs?.inventory?.total]),
    );
    assert.deepStrictEqual(totals, { "legacy-ana": EVERY_KIND_TOTAL, "legacy-bo": EVERY_KIND_TOTAL + 1 });
  });

  it("pulumi destroy removes every adopted user in one run and leaves the rest of the account alone", async () => {
    const destroy = assertOk(await example.destroy());
    const text = printed(destroy);
    for (const name of USERS) {
      assert.match(
        summaryLine(text, name) ?? "",
        / deleted: removed .*3 MFA devices \(1 virtual, 1 hardware TOTP, 1 FIDO security key\).*2 attached managed policies; 1 round\(s\)/,
        text,
      );
      const user = seeded.users[name];
      assertNoTrace(s.emulator, {
        userName: name,
        userId: user.userId,
        accessKeyIds: user.accessKeyIds,
        virtualMfaSerials: user.mfaSerials.filter((m) => m.kind === "virtual").map((m) => m.serial),
      });
    }
    assert.match(summaryLine(text, "legacy-bo") ?? "", /3 inline policies/);
    assert.strictEqual(JSON.stringify(s.emulator.snapshotUser("bystander")), bystanderBefore, "the bystander is untouched");
    assert.deepStrictEqual(await s.ws.resources(), []);
  });
});

/** The lines of a --diff display for the resource named `name` whose header carries `op`, e.g. "(refresh)". */
function resourceBlock(text: string, name: string, op: string): string {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].includes(`${RESOURCE_TYPE}: ${op}`)) continue;
    if (!lines.slice(i + 1, i + 4).some((l) => l.trimEnd().endsWith(`::${name}]`))) continue;
    let end = i + 1;
    while (
      end < lines.length &&
      !/^\s*[-+~]*\s*(pulumi-nodejs:|pulumi:pulumi:Stack)\S*: \(/.test(lines[end]) &&
      !/^Resources:/.test(lines[end])
    )
      end++;
    return lines.slice(i, end).join("\n");
  }
  return "";
}
