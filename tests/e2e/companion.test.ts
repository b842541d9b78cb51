/**
 * Companion mode (`deleteUser: false`) beside the resource that owns the user, through the real Pulumi CLI: the
 * companion depends on the user, so `pulumi destroy` runs it first (it clears every dependency and keeps the user),
 * then the owner deletes the user.
 *
 * The owner in the README is `aws.iam.User`, whose provider plugin cannot be fetched here; a second IamUserTeardown
 * (deleteUser: true, created first) stands in for it. The aws.iam.User program itself, examples/companion-aws-user, is
 * checked with pulumi.runtime.setMocks in companion-example.test.ts.
 */
import * as assert from "node:assert";
import {
  assertNoTrace,
  assertOk,
  type EmulatedStack,
  emulatedStack,
  type GivenDependencies,
  giveEveryKind,
  printed,
  RESOURCE_TYPE,
  seedBystander,
  summaryLine,
} from "./support";

const PROGRAM = `
import { IamUserTeardown } from "iam-user-teardown";

// Owns the user, as aws.iam.User would: created first, deletes the user on destroy.
const owner = new IamUserTeardown("deployer", { userName: "e2e-deployer", path: "/ci/" });

// Companion: depends on the owner through the name, clears everything on the user on destroy, keeps the user.
const companion = new IamUserTeardown("deployer-teardown", { userName: owner.userName, deleteUser: false });

export const ownerUserId = owner.userId;
export const companionUserId = companion.userId;
`;

describe("e2e: companion mode (deleteUser: false) beside the user's own resource", function () {
  this.timeout(120_000);

  let s: EmulatedStack;
  let given: GivenDependencies;
  let userId: string;
  let bystanderBefore: string;

  before(async function () {
    this.timeout(60_000);
    s = await emulatedStack(this, { workspace: { projectName: "companion", program: { "index.ts": PROGRAM } } });
    seedBystander(s.emulator);
    bystanderBefore = JSON.stringify(s.emulator.snapshotUser("bystander"));
  });

  after(async () => {
    await s?.dispose();
  });

  it("pulumi up creates the user, then the companion adopts it and depends on the owner", async () => {
    assertOk(await s.ws.up());
    userId = s.emulator.state.getUser("e2e-deployer")!.userId;
    const outputs = await s.ws.outputs();
    assert.deepStrictEqual(outputs, { ownerUserId: userId, companionUserId: userId });
    const resources = await s.ws.resources();
    const owner = resources.find((r) => r.type === RESOURCE_TYPE && r.urn.endsWith("::deployer"))!;
    const companion = resources.find((r) => r.type === RESOURCE_TYPE && r.urn.endsWith("::deployer-teardown"))!;
    assert.ok((companion.dependencies as string[]).includes(owner.urn), "the companion depends on the owner");
    assert.strictEqual(companion.outputs!.deleteUser, false);
    assert.strictEqual(companion.outputs!.adopt, true, "companion mode adopts the existing user");
    assert.strictEqual(owner.outputs!.deleteUser, true);
    assert.strictEqual(s.emulator.log.filter((e) => e.action === "CreateUser").length, 1, "the user is created once, by the owner");
  });

  it("pulumi destroy: the companion clears every dependency, then the owner deletes the user", async () => {
    given = await giveEveryKind(s.emulator, s.iam, "e2e-deployer");
    s.emulator.clearLog();
    const destroy = assertOk(await s.ws.destroy());
    const text = printed(destroy);

    const companion = summaryLine(text, "e2e-deployer") ?? "";
    assert.match(
      companion,
      /cleared \(user kept: deleteUser is false\): removed 1 console password, 2 access keys, .*3 MFA devices \(1 virtual, 1 hardware TOTP, 1 FIDO security key\)/,
      text,
    );
    // Each line shows twice (progress, then Diagnostics); in the order the provider logged it.
    const lines = [
      ...new Set(
        text
          .split("\n")
          .filter((l) => l.includes("iam-user-teardown: IAM user e2e-deployer ("))
          .map((l) => l.slice(l.indexOf("iam-user-teardown:"))),
      ),
    ];
    assert.strictEqual(lines.length, 2, lines.join("\n"));
    assert.match(lines[1], / deleted: removed nothing; 1 round\(s\)/, "the owner found nothing left to remove");

    const actions = s.emulator.log.map((e) => e.action);
    assert.deepStrictEqual(
      actions.filter((a) => a === "DeleteUser"),
      ["DeleteUser"],
      "one DeleteUser, by the owner",
    );
    const lastRemoval = Math.max(...s.emulator.log.filter((e) => e.mutating && e.action !== "DeleteUser").map((e) => e.seq));
    assert.ok(s.emulator.log.find((e) => e.action === "DeleteUser")!.seq > lastRemoval, "DeleteUser comes after every removal");
    assert.ok(!s.emulator.log.some((e) => e.errorCode === "DeleteConflict"), "DeleteUser succeeded the first time");

    assertNoTrace(s.emulator, {
      userName: "e2e-deployer",
      userId,
      accessKeyIds: given.accessKeyIds,
      virtualMfaSerials: [given.virtualMfaSerial],
    });
    assert.strictEqual(JSON.stringify(s.emulator.snapshotUser("bystander")), bystanderBefore, "the bystander is untouched");
    assert.deepStrictEqual(await s.ws.resources(), []);
  });
});
