/**
 * `restore`: a user torn down with `delete --record DIR` comes back with the same path, tags, boundary, groups,
 * policies (inline documents equal as parsed JSON), SSH public keys and signing certificates; the report names what
 * cannot return and the new UserId. Over the emulator and over moto, each read back through the SDK.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as I from "@aws-sdk/client-iam";
import { resetIamClients } from "../../provider/aws/client";
import { EXIT, runCli } from "../../provider/cli";
import { CERT } from "../emulator/support";
import { everyKind, pointIamEndpointAt } from "../helpers/iam";
import { acquireMoto, type MotoServer, motoUnavailableReason, releaseMoto, startMotoFront } from "../helpers/moto";
import { type Emulator, startEmulator } from "../iam-emulator";
import { seedMotoUser } from "./moto-users";

async function cli(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** IAM and STS (restore asks STS which account the credentials reach) at one endpoint; returns what puts both back. */
function pointAt(endpoint: string): () => void {
  const restoreIam = pointIamEndpointAt(endpoint);
  const saved = process.env.AWS_ENDPOINT_URL_STS;
  process.env.AWS_ENDPOINT_URL_STS = endpoint;
  return () => {
    restoreIam();
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
    else process.env.AWS_ENDPOINT_URL_STS = saved;
  };
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "restore-"));
const sorted = <T>(xs: T[], key: (x: T) => string = String) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));

/** What a restore must bring back, read through the SDK as anyone would. */
async function snapshot(endpoint: string, userName: string) {
  const iam = new I.IAMClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "y" }, maxAttempts: 1 });
  try {
    const user = (await iam.send(new I.GetUserCommand({ UserName: userName }))).User!;
    const tags = (await iam.send(new I.ListUserTagsCommand({ UserName: userName }))).Tags ?? [];
    const groups = (await iam.send(new I.ListGroupsForUserCommand({ UserName: userName }))).Groups ?? [];
    const managed = (await iam.send(new I.ListAttachedUserPoliciesCommand({ UserName: userName }))).AttachedPolicies ?? [];
    const inlineNames = (await iam.send(new I.ListUserPoliciesCommand({ UserName: userName }))).PolicyNames ?? [];
    const inline: Record<string, unknown> = {};
    for (const name of inlineNames) {
      const doc = (await iam.send(new I.GetUserPolicyCommand({ UserName: userName, PolicyName: name }))).PolicyDocument!;
      inline[name] = JSON.parse(decodeURIComponent(doc));
    }
    const sshIds = (await iam.send(new I.ListSSHPublicKeysCommand({ UserName: userName }))).SSHPublicKeys ?? [];
    const ssh: string[] = [];
    for (const k of sshIds) {
      const got = await iam.send(new I.GetSSHPublicKeyCommand({ UserName: userName, SSHPublicKeyId: k.SSHPublicKeyId!, Encoding: "SSH" }));
      ssh.push(`${got.SSHPublicKey!.Status} ${got.SSHPublicKey!.SSHPublicKeyBody!.trim()}`);
    }
    const certs = ((await iam.send(new I.ListSigningCertificatesCommand({ UserName: userName }))).Certificates ?? []).map(
      (c) => `${c.Status} ${c.CertificateBody!.trim()}`,
    );
    return {
      userId: user.UserId!,
      restorable: {
        path: user.Path,
        boundary: user.PermissionsBoundary?.PermissionsBoundaryArn,
        tags: sorted(
          tags.map((t) => `${t.Key}=${t.Value}`),
          (x) => x,
        ),
        groups: sorted(groups.map((g) => g.GroupName!)),
        managed: sorted(managed.map((p) => p.PolicyArn!)),
        inline,
        ssh: sorted(ssh),
        certs: sorted(certs),
      },
    };
  } finally {
    iam.destroy();
  }
}

/** The whole round trip for one user: snapshot, delete --record, restore, snapshot again. */
async function roundTrip(endpoint: string, userName: string, cannotReturn: string[]) {
  const before = await snapshot(endpoint, userName);
  const dir = tempDir();
  const deleted = await cli(["delete", userName, "--yes", "--record", dir]);
  assert.equal(deleted.code, EXIT.ok, deleted.stderr);
  const restored = await cli(["restore", dir]);
  assert.equal(restored.code, EXIT.ok, restored.stdout + restored.stderr);
  const after = await snapshot(endpoint, userName);
  assert.deepEqual(after.restorable, before.restorable);
  assert.notEqual(after.userId, before.userId);
  const out = restored.stdout;
  assert.match(out, new RegExp(`^restored ${userName}: new UserId ${after.userId} \\(was ${before.userId}\\)`, "m"));
  for (const words of cannotReturn) assert.match(out, new RegExp(`^ {2}cannot return: \\d+ (${words}) \\(`, "m"), words);
  assert.match(out, /WARNING: .*new UserId.*DO NOT come back/);
  return { before, after, dir, out };
}

describe("CLI restore: over the emulator", () => {
  let emulator: Emulator;
  let restoreEndpoint: () => void;

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0 });
    restoreEndpoint = pointAt(emulator.endpoint);
    resetIamClients();
  });
  afterEach(async () => {
    restoreEndpoint();
    resetIamClients();
    await emulator.stop();
  });

  it("a user with every kind comes back whole but for what cannot (named, the four kinds), with a new UserId", async () => {
    emulator.seed({
      users: [
        everyKind("rae", {
          path: "/staff/",
          tags: { team: "core", owner: "ops" },
          permissionsBoundary: "rae-boundary",
          signingCertificates: 0,
        }),
      ],
    });
    // Real X.509 bodies, which IAM (and the emulator) parse on upload; one certificate inactive.
    emulator.state.uploadSigningCertificate("rae", CERT(1));
    const inactiveCert = emulator.state.uploadSigningCertificate("rae", CERT(2));
    emulator.state.updateSigningCertificate("rae", inactiveCert.certificateId, "Inactive");
    // One SSH key inactive: it must come back inactive, never able to log in.
    const key = emulator.state.getUser("rae")!.sshPublicKeys.toArray()[0];
    emulator.state.updateSshPublicKey("rae", key.sshPublicKeyId, "Inactive");
    const { before, out } = await roundTrip(emulator.endpoint, "rae", [
      "console password",
      "access keys",
      "service-specific credentials",
      "MFA devices",
    ]);
    assert.equal(before.restorable.path, "/staff/");
    assert.equal(before.restorable.ssh.filter((k) => k.startsWith("Inactive ")).length, 1);
    assert.equal(Object.keys(before.restorable.inline).length, 2);
    assert.equal(before.restorable.certs.length, 2);
    assert.equal(before.restorable.certs.filter((c) => c.startsWith("Inactive ")).length, 1);
    assert.equal(before.restorable.boundary, "arn:aws:iam::123456789012:policy/rae-boundary");
    assert.equal(emulator.state.dependencyCounts("rae").accessKeys, 0);
    assert.doesNotMatch(out, /not restored|failed/);
  });

  it("refuses a name that exists; --dry-run creates nothing; a group gone since is named, not created", async () => {
    emulator.seed({ users: [everyKind("sid", { signingCertificates: 0 })] });
    const dir = tempDir();
    assert.equal((await cli(["delete", "sid", "--yes", "--record", dir])).code, EXIT.ok);
    emulator.state.createUser("sid");
    const existingId = emulator.state.getUser("sid")!.userId;
    emulator.clearLog();
    const refused = await cli(["restore", dir]);
    assert.equal(refused.code, EXIT.failed);
    assert.match(refused.stdout, new RegExp(`^refused sid .*a user named sid exists \\(UserId ${existingId}\\)`, "m"));
    assert.deepEqual(
      emulator.log.filter((e) => e.mutating),
      [],
    );
    emulator.state.deleteUser("sid");
    const dry = await cli(["restore", dir, "--dry-run"]);
    assert.equal(dry.code, EXIT.ok, dry.stdout);
    assert.match(dry.stdout, /^would restore sid /m);
    assert.equal(emulator.state.userExists("sid"), false);
    assert.deepEqual(
      emulator.log.filter((e) => e.mutating),
      [],
    );
    emulator.state.deleteGroup("on-call");
    const partly = await cli(["restore", dir]);
    assert.equal(partly.code, EXIT.failed, "an item that did not come back is not a whole restore");
    assert.match(partly.stdout, /^ {2}not restored: group memberships: on-call: group on-call no longer exists: not created$/m);
    assert.equal(emulator.state.getGroup("on-call"), undefined, "the group is not created");
    assert.equal(emulator.state.userExists("sid"), true);
  });

  it("refuses a record of another account than the credentials reach, creating nothing", async () => {
    emulator.seed({ users: [everyKind("tia", { signingCertificates: 0 })] });
    const dir = tempDir();
    assert.equal((await cli(["delete", "tia", "--yes", "--record", dir])).code, EXIT.ok);
    restoreEndpoint();
    await emulator.stop();
    emulator = await startEmulator({ port: 0, accountId: "210987654321" });
    restoreEndpoint = pointAt(emulator.endpoint);
    resetIamClients();
    const run = await cli(["restore", dir]);
    assert.equal(run.code, EXIT.failed);
    assert.match(run.stdout, /^refused tia .*the record is of account 123456789012, and these credentials reach account 210987654321/m);
    assert.deepEqual(
      emulator.log.filter((e) => e.mutating),
      [],
    );
    assert.equal(emulator.state.userExists("tia"), false);
  });
});

describe("CLI restore: over moto", () => {
  let moto: MotoServer;
  let front: { endpoint: string; stop(): Promise<void> };
  let restoreEndpoint: () => void = () => undefined;

  before(async function () {
    const why = motoUnavailableReason();
    if (why) {
      if (process.env.REQUIRE_MOTO === "1") throw new Error(why);
      this.skip();
    }
    moto = await acquireMoto();
    front = await startMotoFront(moto.endpoint);
    restoreEndpoint = pointAt(front.endpoint);
    resetIamClients();
  });
  after(async () => {
    restoreEndpoint();
    resetIamClients();
    await front?.stop();
    if (moto) releaseMoto();
  });

  it("a user with every kind moto holds comes back with the same path, tags, groups, policies, keys and certificates", async () => {
    await moto.reset();
    await seedMotoUser(moto.endpoint, "moe");
    const { before } = await roundTrip(front.endpoint, "moe", ["console password", "access key", "MFA devices?"]);
    assert.equal(before.restorable.path, "/staff/");
    // moto keeps no permissions boundary (a known difference, tests/conformance): the emulator's test covers it.
    assert.equal(before.restorable.tags.length, 2);
    assert.equal(before.restorable.ssh.length, 1);
    assert.equal(before.restorable.certs.length, 1);
  });
});
