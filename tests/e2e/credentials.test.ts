/**
 * Credentials change between `up` and `destroy`: a stack created with `aws:profile deploy-old` is destroyed years
 * later, when that profile no longer exists and the stack says `aws:profile deploy-new`. Through the real Pulumi CLI,
 * the destroy runs in one pass with the new profile. Stacks recorded by the older version, which copied the stack's
 * aws: config into each resource, are fixed by one `pulumi up` or `pulumi refresh --run-program`. (Without the program,
 * Pulumi configures providers, and so hands the provider its stack config, from the stack's last update.)
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { assertOk, declareUsers, type EmulatedStack, emulatedStack, printed, USERS_PROGRAM, type UserDecl } from "./support";

const KEYS = { "deploy-old": "AKIDDEPLOYOLD0000001", "deploy-new": "AKIDDEPLOYNEW0000001" } as const;
type ProfileName = keyof typeof KEYS;

/** Writes the AWS shared config and credentials files the pulumi processes read, holding just these profiles. */
function writeProfiles(dir: string, profiles: ProfileName[]): void {
  fs.writeFileSync(path.join(dir, "aws-config"), profiles.map((p) => `[profile ${p}]\nregion = us-east-1\n`).join("\n"));
  fs.writeFileSync(
    path.join(dir, "aws-credentials"),
    profiles.map((p) => `[${p}]\naws_access_key_id = ${KEYS[p]}\naws_secret_access_key = secret-${p}\n`).join("\n"),
  );
}

async function stackWithProfiles(ctx: Mocha.Context, name: string): Promise<EmulatedStack> {
  const s = await emulatedStack(ctx, { workspace: { projectName: name, program: { "index.ts": USERS_PROGRAM } } });
  // Only the profiles may sign: the environment's static keys are removed, as on a machine configured with profiles.
  Object.assign(s.ws.env, {
    AWS_CONFIG_FILE: path.join(s.ws.root, "aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(s.ws.root, "aws-credentials"),
  });
  delete s.ws.env.AWS_ACCESS_KEY_ID;
  delete s.ws.env.AWS_SECRET_ACCESS_KEY;
  writeProfiles(s.ws.root, ["deploy-old", "deploy-new"]);
  return s;
}

/** The access keys that signed the calls made since `from` (an index into the emulator's request log). */
const signersSince = (s: EmulatedStack, from: number) => [...new Set(s.emulator.log.slice(from).map((e) => e.accessKeyId))];

describe("e2e: destroy with the stack's credentials of the day, not those of the day the user was created", function () {
  this.timeout(180_000);
  const USER: UserDecl = { name: "erin", userName: "e2e-cred-erin" };

  let s: EmulatedStack;
  before(async function () {
    this.timeout(60_000);
    s = await stackWithProfiles(this, "credentials");
    await declareUsers(s.ws, [USER]);
    await s.ws.configSet("aws:profile", "deploy-old");
  });
  after(async () => s?.dispose());

  it("pulumi up creates the user with the deploy-old profile and records no connection setting", async () => {
    assertOk(await s.ws.up());
    assert.deepStrictEqual(signersSince(s, 0), [KEYS["deploy-old"]]);
    const [erin] = (await s.ws.resources()).filter((r) => r.id === USER.userName);
    assert.strictEqual(erin.outputs?.profile, undefined, "aws:profile is not frozen into the resource");
    assert.strictEqual(erin.inputs?.profile, undefined);
    s.emulator.state.createAccessKey(USER.userName);
  });

  it("with deploy-old gone and aws:profile set to deploy-new, pulumi up changes no user and calls nothing that changes IAM", async () => {
    writeProfiles(s.ws.root, ["deploy-new"]);
    await s.ws.configSet("aws:profile", "deploy-new");
    const from = s.emulator.log.length;
    const up = assertOk(await s.ws.up());
    assert.doesNotMatch(up.stdout, /IamUserTeardown.*(updat|replac)/, printed(up));
    assert.deepStrictEqual(
      s.emulator.log.slice(from).filter((e) => e.mutating),
      [],
    );
  });

  it("pulumi destroy then succeeds in one run, every call signed by deploy-new", async () => {
    const from = s.emulator.log.length;
    const destroy = assertOk(await s.ws.destroy());
    assert.doesNotMatch(printed(destroy), /deploy-old/);
    assert.strictEqual(s.emulator.state.getUser(USER.userName), undefined, "the user is gone");
    assert.deepStrictEqual(signersSince(s, from), [KEYS["deploy-new"]]);
  });
});

describe("e2e: pulumi destroy --run-program right after the credentials changed", function () {
  this.timeout(180_000);
  const USER: UserDecl = { name: "hal", userName: "e2e-cred-hal" };

  let s: EmulatedStack;
  before(async function () {
    this.timeout(60_000);
    s = await stackWithProfiles(this, "run-program");
    await declareUsers(s.ws, [USER]);
    await s.ws.configSet("aws:profile", "deploy-old");
    assertOk(await s.ws.up());
    writeProfiles(s.ws.root, ["deploy-new"]);
    await s.ws.configSet("aws:profile", "deploy-new");
  });
  after(async () => s?.dispose());

  // Without an up in between, Pulumi configures providers from the stack's last update unless the program runs.
  it("destroys in one run with deploy-new, no up needed", async () => {
    const from = s.emulator.log.length;
    assertOk(await s.ws.destroy(["--run-program"]));
    assert.strictEqual(s.emulator.state.getUser(USER.userName), undefined);
    assert.deepStrictEqual(signersSince(s, from), [KEYS["deploy-new"]]);
  });
});

const LEGACY_USERS: UserDecl[] = [
  { name: "fay", userName: "e2e-legacy-fay" },
  { name: "gus", userName: "e2e-legacy-gus" },
];

/**
 * A stack as the older version left it: created with aws:profile deploy-old, which it copied (with the region) into each
 * resource's inputs and outputs, without a stateVersion. Then deploy-old is removed and the stack set to deploy-new.
 */
async function legacyStack(ctx: Mocha.Context, name: string): Promise<EmulatedStack> {
  const s = await stackWithProfiles(ctx, name);
  await declareUsers(s.ws, LEGACY_USERS);
  await s.ws.configSet("aws:profile", "deploy-old");
  assertOk(await s.ws.up());
  const exported = await s.ws.exportStack();
  for (const r of exported.deployment.resources ?? []) {
    if (!LEGACY_USERS.some((u) => u.userName === r.id)) continue;
    for (const props of [r.inputs, r.outputs] as Array<Record<string, unknown>>)
      Object.assign(props, { profile: "deploy-old", region: "us-east-1" });
    delete (r.outputs as Record<string, unknown>).stateVersion;
  }
  const file = path.join(s.ws.root, "legacy-state.json");
  fs.writeFileSync(file, JSON.stringify(exported));
  await s.ws.runOk(["stack", "import", "--file", file]);
  writeProfiles(s.ws.root, ["deploy-new"]);
  await s.ws.configSet("aws:profile", "deploy-new");
  return s;
}

const legacyRecords = async (s: EmulatedStack) => (await s.ws.resources()).filter((r) => LEGACY_USERS.some((u) => u.userName === r.id));

async function destroysWithNewProfile(s: EmulatedStack): Promise<void> {
  const from = s.emulator.log.length;
  assertOk(await s.ws.destroy());
  for (const u of LEGACY_USERS) assert.strictEqual(s.emulator.state.getUser(u.userName), undefined, `${u.userName} is gone`);
  assert.deepStrictEqual(signersSince(s, from), [KEYS["deploy-new"]]);
}

describe("e2e: a stack recorded by the older version is fixed by one pulumi refresh --run-program", function () {
  this.timeout(240_000);
  let s: EmulatedStack;
  before(async function () {
    this.timeout(120_000);
    s = await legacyStack(this, "legacy-refresh");
  });
  after(async () => s?.dispose());

  // --run-program: the stack's aws: config changed since its last update, and Pulumi configures providers from that
  // update's config unless the program runs.
  it("pulumi refresh --run-program drops the profile the stack sets now, and keeps what it does not set", async () => {
    assertOk(await s.ws.refresh(["--run-program"]));
    for (const r of await legacyRecords(s)) {
      assert.strictEqual(r.outputs?.profile, undefined, `${r.id}: the stack's old profile is dropped`);
      assert.strictEqual(r.outputs?.region, "us-east-1", `${r.id}: aws:region is not set now, so the recorded region stays`);
    }
  });

  it("pulumi destroy then runs with deploy-new", () => destroysWithNewProfile(s));
});

describe("e2e: a stack recorded by the older version is fixed by one pulumi up", function () {
  this.timeout(240_000);
  let s: EmulatedStack;
  before(async function () {
    this.timeout(120_000);
    s = await legacyStack(this, "legacy-up");
  });
  after(async () => s?.dispose());

  it("pulumi up shows the recorded profile and region going, and records the resources' own settings only", async () => {
    const up = assertOk(await s.ws.up());
    assert.match(up.stdout, /2 updated/, printed(up));
    for (const r of await legacyRecords(s)) {
      assert.strictEqual(r.outputs?.profile, undefined);
      assert.strictEqual(r.outputs?.region, undefined);
      assert.strictEqual(r.outputs?.stateVersion, 2);
    }
  });

  it("pulumi destroy then runs with deploy-new", () => destroysWithNewProfile(s));
});
