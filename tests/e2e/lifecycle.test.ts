/**
 * The flows users run, through the real Pulumi CLI and Node.js language host against the IAM emulator: `pulumi up` of
 * declared users, a no-op second `up`, `pulumi preview --refresh --diff` (and `--json`) after someone gave a user every
 * kind of dependency in the console, removing a user from the program, and `pulumi destroy`.
 */
import * as assert from "node:assert";
import {
  assertNoSecrets,
  assertNoTrace,
  assertOk,
  declareUsers,
  type EmulatedStack,
  emulatedStack,
  type GivenDependencies,
  giveEveryKind,
  mutatingCalls,
  printed,
  RESOURCE_TYPE,
  SHARED_GROUPS,
  SHARED_POLICIES,
  seedBystander,
  summaryLine,
  USERS_PROGRAM,
  type UserDecl,
} from "./support";

const ANA: UserDecl = { name: "ana", userName: "e2e-ana", path: "/platform/", tags: { team: "platform", "cost-center": "42" } };
const BRUNO: UserDecl = { name: "bruno", userName: "e2e-bruno", path: "/platform/", tags: { team: "platform" } };
const CHEN: UserDecl = { name: "chen", userName: "e2e-chen", path: "/data/", tags: { team: "data" } };
const BRUNO_RETAGGED: UserDecl = { ...BRUNO, tags: { team: "security", oncall: "yes" } };
const CHEN_RENAMED: UserDecl = { ...CHEN, userName: "e2e-chen-2" };

describe("e2e: up, preview --refresh --diff, remove and destroy through the Pulumi CLI", function () {
  this.timeout(120_000);

  let s: EmulatedStack;
  let given: GivenDependencies;
  let userIds: Record<string, string>;
  let bystanderBefore: string;

  before(async function () {
    this.timeout(60_000);
    s = await emulatedStack(this, { workspace: { projectName: "lifecycle", program: { "index.ts": USERS_PROGRAM } } });
    seedBystander(s.emulator);
    bystanderBefore = JSON.stringify(s.emulator.snapshotUser("bystander"));
    await declareUsers(s.ws, [ANA, BRUNO, CHEN]);
  });

  after(async () => {
    await s?.dispose();
  });

  it("pulumi up creates the three declared users with their paths and tags", async () => {
    const up = assertOk(await s.ws.up());
    assert.match(up.stdout, /\+ 4 created/);
    for (const u of [ANA, BRUNO, CHEN]) {
      const live = s.emulator.state.getUser(u.userName);
      assert.ok(live, `${u.userName} exists`);
      assert.strictEqual(live.path, u.path);
      assert.deepStrictEqual(Object.fromEntries(live.tags), u.tags);
    }
    userIds = (await s.ws.outputs()).userIds as Record<string, string>;
    for (const u of [ANA, BRUNO, CHEN])
      assert.strictEqual(userIds[u.name], s.emulator.state.getUser(u.userName)!.userId, `recorded UserId of ${u.name}`);
    const types = (await s.ws.resources()).map((r) => r.type);
    assert.strictEqual(types.filter((t) => t === RESOURCE_TYPE).length, 3, types.join(", "));
  });

  it("a second pulumi up changes nothing, in the stack or in IAM", async () => {
    s.emulator.clearLog();
    const up = assertOk(await s.ws.up());
    assert.match(up.stdout, /4 unchanged/);
    assert.doesNotMatch(up.stdout, /created|updated|deleted|replaced/);
    const { plan } = await s.ws.previewJson();
    assert.deepStrictEqual(plan.changeSummary, { same: 4 });
    assert.deepStrictEqual(mutatingCalls(s.emulator), [], "no IAM call that changes anything");
  });

  it("someone gives ana every kind of dependency out of band", async () => {
    given = await giveEveryKind(s.emulator, s.iam, ANA.userName);
    const counts = s.emulator.state.dependencyCounts(ANA.userName) as unknown as Record<string, number>;
    for (const [kind, n] of Object.entries(counts)) assert.ok(n > 0, `ana has ${kind}`);
  });

  it("pulumi preview --refresh --diff shows ana's inventory, bruno's tag change and chen's rename as updates in place", async () => {
    await declareUsers(s.ws, [ANA, BRUNO_RETAGGED, CHEN_RENAMED]);
    s.emulator.clearLog();
    // --show-full-output: Pulumi shortens a value longer than 150 characters, as ana's three MFA serials are together.
    const preview = assertOk(await s.ws.preview(["--refresh", "--show-full-output"]));
    const text = printed(preview);

    // The readable type, not the generic pulumi-nodejs:dynamic:Resource.
    assert.ok(text.includes(`${RESOURCE_TYPE}: (refresh)`), text);
    assert.ok(!text.includes("pulumi-nodejs:dynamic:Resource"), "the generic dynamic type");

    // ana, refreshed: what hangs on her now, item by item, MFA devices with their kind.
    const ana = section(text, `::${ANA.name}]`);
    for (const id of [
      ...given.accessKeyIds,
      given.virtualMfaSerial,
      given.hardwareSerial,
      given.fidoSerial,
      ...SHARED_GROUPS,
      "deploy",
      ...SHARED_POLICIES,
    ]) {
      assert.ok(ana.includes(id), `ana's refreshed inventory names ${id}\n${ana}`);
    }
    for (const [kind, serial] of [
      ["virtual", given.virtualMfaSerial],
      ["hardware", given.hardwareSerial],
      ["fido", given.fidoSerial],
    ]) {
      assert.ok(ana.includes(`${kind} ${serial}`), `the ${kind} MFA device, with its kind\n${ana}`);
      assert.strictEqual(ana.split(serial).length - 1, 1, `the ${kind} MFA device is named once\n${ana}`);
    }
    assert.match(ana, /codecommit\.amazonaws\.com\/ACCA/);
    assert.match(ana, /bedrock\.amazonaws\.com\/ACCA/);
    const summary =
      "console password, 2 access keys, 1 SSH public key, 1 signing certificate, 2 service-specific credentials, " +
      "1 virtual MFA device, 1 hardware TOTP token, 1 FIDO security key, 2 groups, 1 inline policy, 2 managed policies";
    assert.match(ana, new RegExp(`~ summary\\s*: "nothing" => "${summary}"`));

    // bruno: a tag change is an update in place.
    const bruno = section(text, `::${BRUNO.name}]`);
    assert.match(bruno, /\(update\)/);
    assert.match(bruno, /team\s*: "platform" => "security"/);
    assert.match(bruno, /\+ oncall\s*: "yes"/);

    // chen: a new name is a rename in place (UpdateUser NewUserName), never a replacement.
    const chen = section(text, `::${CHEN.name}]`);
    assert.match(chen, /\(update\)/);
    assert.match(chen, /userName\s*: "e2e-chen" => "e2e-chen-2"/);

    assert.match(preview.stdout, /~ 2 to update/);
    assert.doesNotMatch(preview.stdout, /to replace/);
    assertNoSecrets(text, given.secrets, "pulumi preview --refresh --diff");
    assert.deepStrictEqual(mutatingCalls(s.emulator), [], "a preview changes nothing in IAM");
  });

  it("pulumi preview --refresh --json carries the same plan, without secrets", async () => {
    // In --json, a refresh step's newState repeats the recorded state (Pulumi 3.248); the refreshed state is the
    // oldState of the step that follows it: "same" (shown with --show-sames), "update", "replace" or "delete".
    const { result, plan } = await s.ws.previewJson(["--refresh", "--show-sames"]);
    assertOk(result);
    const urn = (name: string) => (st: { urn: string }) => st.urn.endsWith(`${RESOURCE_TYPE}::${name}`);
    const same = plan.steps!.find((st) => st.op === "same" && urn(ANA.name)(st));
    assert.ok(same, JSON.stringify(plan.steps!.map((st) => [st.op, st.urn])));
    const inventory = (same.oldState as { outputs: { inventory: Record<string, string> } }).outputs.inventory;
    assert.deepStrictEqual(Object.fromEntries(Object.entries(inventory).map(([k, v]) => [k, v.split(", ").length])), {
      loginProfile: 1,
      accessKeys: 2,
      sshPublicKeys: 1,
      signingCertificates: 1,
      serviceSpecificCredentials: 2,
      mfaDevices: 3,
      groupMemberships: 2,
      inlinePolicies: 1,
      managedPolicies: 2,
    });
    assert.deepStrictEqual(inventory.accessKeys.split(", "), [...given.accessKeyIds].sort());
    assert.ok(plan.steps!.some((st) => st.op === "update" && urn(BRUNO.name)(st) && st.newState?.type === RESOURCE_TYPE));
    const chenOps = plan.steps!.filter(urn(CHEN.name)).map((st) => st.op);
    assert.ok(chenOps.includes("update"), JSON.stringify(plan.steps!.map((st) => [st.op, st.urn])));
    assert.deepStrictEqual(plan.changeSummary, { same: 2, update: 2 });
    assertNoSecrets(printed(result), given.secrets, "pulumi preview --json");
  });

  it("pulumi refresh records the inventory in the stack; pulumi stack export holds ids, never secrets", async () => {
    await declareUsers(s.ws, [ANA, BRUNO, CHEN]);
    assertOk(await s.ws.refresh());
    const exported = await s.ws.exportStack();
    const ana = exported.deployment.resources!.find((r) => r.urn.endsWith(`::${ANA.name}`))!;
    const inventory = ana.outputs!.inventory as Record<string, string>;
    assert.strictEqual(Object.values(inventory).flatMap((ids) => ids.split(", ")).length, 15);
    assert.ok(inventory.mfaDevices.split(", ").includes(`virtual ${given.virtualMfaSerial}`), inventory.mfaDevices);
    assert.strictEqual(ana.outputs!.stateVersion, 4);
    assertNoSecrets(JSON.stringify(exported), given.secrets, "pulumi stack export --show-secrets");
    const plain = await s.ws.runOk(["stack", "export"]);
    assertNoSecrets(plain.stdout, given.secrets, "pulumi stack export");
  });

  it("removing ana from the program and running pulumi up tears her down in one run", async () => {
    await declareUsers(s.ws, [BRUNO_RETAGGED, CHEN_RENAMED]);
    const up = assertOk(await s.ws.up());
    const text = printed(up);
    const line = summaryLine(text, ANA.userName);
    assert.ok(line, `the teardown's summary line for ana\n${text}`);
    assert.ok(
      line.includes(
        `IAM user ${ANA.userName} (${userIds.ana}) deleted: removed 1 console password, 2 access keys, 1 SSH public key, 1 signing certificate, ` +
          "2 service-specific credentials, 3 MFA devices (1 virtual, 1 hardware TOTP, 1 FIDO security key), 2 group memberships, " +
          "1 inline policy, 2 attached managed policies;",
      ),
      line,
    );
    assert.match(line, /; 1 round\(s\)/);
    assertNoTrace(s.emulator, {
      userName: ANA.userName,
      userId: userIds.ana,
      accessKeyIds: given.accessKeyIds,
      virtualMfaSerials: [given.virtualMfaSerial],
    });
    // The same run applied the other changes: bruno retagged in place, chen renamed in place.
    assert.deepStrictEqual(Object.fromEntries(s.emulator.state.getUser(BRUNO.userName)!.tags), BRUNO_RETAGGED.tags);
    assert.strictEqual(s.emulator.state.getUser(BRUNO.userName)!.userId, userIds.bruno, "an update, not a new user");
    assert.strictEqual(s.emulator.state.userExists(CHEN.userName), false);
    assert.strictEqual(s.emulator.state.getUser(CHEN_RENAMED.userName)?.userId, userIds.chen, "the same user, renamed");
    assert.strictEqual(JSON.stringify(s.emulator.snapshotUser("bystander")), bystanderBefore, "the bystander is untouched");
    assertNoSecrets(text, given.secrets, "pulumi up");
  });

  it("pulumi destroy tears down the rest in one run, logging one summary line per user", async () => {
    const renamedId = s.emulator.state.getUser(CHEN_RENAMED.userName)!.userId;
    const destroy = assertOk(await s.ws.destroy());
    const text = printed(destroy);
    for (const name of [BRUNO.userName, CHEN_RENAMED.userName])
      assert.match(summaryLine(text, name) ?? "", / deleted: removed nothing; 1 round\(s\)/, text);
    assert.deepStrictEqual(await s.ws.resources(), []);
    assertNoTrace(s.emulator, { userName: BRUNO.userName, userId: userIds.bruno });
    assertNoTrace(s.emulator, { userName: CHEN_RENAMED.userName, userId: renamedId });
    assertNoTrace(s.emulator, { userName: CHEN.userName, userId: userIds.chen });
    assert.strictEqual(JSON.stringify(s.emulator.snapshotUser("bystander")), bystanderBefore, "the bystander is untouched");
    for (const group of SHARED_GROUPS)
      assert.deepStrictEqual(
        s.emulator.state
          .getGroup(group)!
          .members.toArray()
          .map((m) => m.userName),
        ["bystander"],
      );
  });
});

/** The lines of a `--diff` display that belong to the resource whose URN line ends with `urnEnd`. */
function section(text: string, urnEnd: string): string {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.includes("[urn=") && l.trimEnd().endsWith(urnEnd));
  assert.ok(at > 0, `no resource ${urnEnd} in\n${text}`);
  let end = at + 1;
  while (
    end < lines.length &&
    !/^\s*[-+~]*\s*(pulumi-nodejs|pulumi:pulumi:Stack)[^\s]*: \(/.test(lines[end]) &&
    !/^Resources:/.test(lines[end])
  )
    end++;
  return lines.slice(at - 2, end).join("\n");
}
