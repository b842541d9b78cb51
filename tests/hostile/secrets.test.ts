/**
 * Secret material never leaves IAM through the package: after users are given every kind of credential (through the
 * SDK, as a person would, so the secrets IAM hands out are known), the resource's outputs, the CLI's output (text and
 * --json), the teardown logs, error messages and the package's own requests are searched for every secret access
 * key, console password, service-specific credential password or API key secret, MFA seed, SSH key body and
 * certificate body. (Stack state is searched by the end-to-end suite with the same findSecrets helper.) A user's record
 * (delete --record) is the one place public key and certificate bodies may be: a restore needs them. It holds them,
 * and no other secret.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateServiceSpecificCredentialCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  type IAMClient,
  UploadSigningCertificateCommand,
  UploadSSHPublicKeyCommand,
} from "@aws-sdk/client-iam";
import { runCli } from "../../provider/cli";
import * as methods from "../../provider/provider-methods";
import { MissingPermissionError, teardownUser } from "../../provider/teardown";
import { pointIamEndpointAt } from "../helpers/iam";
import { findSecrets, type LabelledSecret } from "../helpers/secrets";
import { addTotal, requireBound } from "../helpers/tally";
import type { Emulator } from "../iam-emulator";
import { mulberry32 } from "../iam-emulator/prng";
import { makeSshPublicKeyBody } from "../iam-emulator/state";
import { CERTIFICATES } from "./fixtures/certificates";
import {
  auditEmulator,
  BYSTANDER,
  describeEntry,
  engineKey,
  FAST,
  freshClients,
  hostileEmulator,
  packageClient,
  seededEveryKind,
  setupClient,
  TargetWatch,
} from "./support";

const AREA = "secrets";
const FOUND = "secret values found in outputs, logs and requests";
addTotal(AREA, FOUND, 0);
requireBound(AREA, FOUND, 0);

let certificatesUsed = 0;

/** Gives a user every kind of credential through the SDK and returns the secrets IAM handed out (or was handed). */
async function credentialsFor(iam: IAMClient, userName: string): Promise<LabelledSecret[]> {
  const secrets: LabelledSecret[] = [];
  for (let i = 0; i < 2; i++) {
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!;
    secrets.push({ label: `SecretAccessKey of ${key.AccessKeyId}`, value: key.SecretAccessKey! });
  }
  const password = `Pw-${randomBytes(12).toString("base64url")}!`;
  await iam.send(new CreateLoginProfileCommand({ UserName: userName, Password: password }));
  secrets.push({ label: `console password of ${userName}`, value: password });
  for (const service of ["codecommit.amazonaws.com", "cassandra.amazonaws.com", "bedrock.amazonaws.com"]) {
    const c = (await iam.send(new CreateServiceSpecificCredentialCommand({ UserName: userName, ServiceName: service })))
      .ServiceSpecificCredential!;
    const secret = c.ServicePassword ?? c.ServiceCredentialSecret;
    assert.ok(secret, `IAM handed out a secret for ${service}`);
    secrets.push({ label: `${service} credential ${c.ServiceSpecificCredentialId}`, value: secret });
  }
  const sshBody = makeSshPublicKeyBody(randomBytes(256), `${userName}@example`);
  await iam.send(new UploadSSHPublicKeyCommand({ UserName: userName, SSHPublicKeyBody: sshBody }));
  secrets.push({ label: `SSH public key body of ${userName}`, value: sshBody });
  const certBody = CERTIFICATES[certificatesUsed++ % CERTIFICATES.length];
  await iam.send(new UploadSigningCertificateCommand({ UserName: userName, CertificateBody: certBody }));
  secrets.push({ label: `signing certificate body of ${userName}`, value: certBody });
  const device = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${userName}-phone` }))).VirtualMFADevice!;
  secrets.push({ label: `MFA seed of ${device.SerialNumber}`, value: Buffer.from(device.Base32StringSeed!).toString("utf8") });
  await iam.send(
    new EnableMFADeviceCommand({
      UserName: userName,
      SerialNumber: device.SerialNumber,
      AuthenticationCode1: "123456",
      AuthenticationCode2: "654321",
    }),
  );
  return secrets;
}

/** Secrets held by users seeded straight into the emulator's state (the bystander). */
function seededSecrets(emulator: Emulator, userName: string): LabelledSecret[] {
  const u = emulator.state.getUser(userName)!;
  return [
    ...u.accessKeys.toArray().map((k) => ({ label: `SecretAccessKey of ${k.accessKeyId}`, value: k.secretAccessKey })),
    ...u.serviceCredentials
      .toArray()
      .map((c) => ({ label: `credential ${c.serviceSpecificCredentialId}`, value: (c.servicePassword ?? c.serviceCredentialSecret)! })),
    ...u.sshPublicKeys.toArray().map((k) => ({ label: `SSH key ${k.sshPublicKeyId}`, value: k.body })),
    ...u.signingCertificates.toArray().map((c) => ({ label: `certificate ${c.certificateId}`, value: c.body })),
  ];
}

describe("hostile: no secret material in outputs, logs or requests", () => {
  let emulator: Emulator;
  const secrets: LabelledSecret[] = [];
  const outputs: Array<[string, string]> = [];
  /** Public material a record keeps: SSH public key and signing certificate bodies. */
  const isPublicBody = (s: LabelledSecret) => /^(SSH public key body|signing certificate body|SSH key|certificate) /.test(s.label);
  const recordDir = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-records-"));
  const watch = new TargetWatch(["sam", "tess", "uma"]);
  let restoreEndpoint: () => void;

  before(async () => {
    emulator = await hostileEmulator({ seed: 1600 }, watch);
    emulator.seed({ users: [seededEveryKind(BYSTANDER, mulberry32(1600))] });
    restoreEndpoint = pointIamEndpointAt(emulator.endpoint);
  });
  after(async () => {
    restoreEndpoint();
    freshClients();
    await emulator.stop();
  });

  it("gives users every kind of credential, and records what the package outputs and logs about them", async () => {
    const setup = setupClient(emulator);
    try {
      for (const name of ["sam", "tess", "uma"]) {
        const created = await methods.create({ userName: name, tags: { team: "core" }, deleteUser: true, adopt: false });
        outputs.push([`create outputs of ${name}`, JSON.stringify(created)]);
        secrets.push(...(await credentialsFor(setup, name)));
        for (const m of emulator.state.mfaDevicesOf(name)) if (m.kind === "virtual") watch.serials.add(m.serial);
      }
    } finally {
      setup.destroy();
    }
    secrets.push(...seededSecrets(emulator, BYSTANDER));

    // The resource: refresh (read) outputs, then delete with its log.
    const read = await methods.read("sam", { userName: "sam", deleteUser: true });
    outputs.push(["read outputs of sam", JSON.stringify(read)]);
    const deleteLog: string[] = [];
    await methods.remove("sam", read.props!, undefined, (line) => deleteLog.push(line));
    outputs.push(["the resource's delete log for sam", deleteLog.join("\n")]);

    // The CLI: plan as text and --json, then delete --yes --json (stderr carries the teardown log).
    for (const argv of [
      ["plan", "tess"],
      ["plan", "tess", "--json"],
      ["delete", "tess", "--yes", "--json", "--record", recordDir],
    ]) {
      let out = "";
      let err = "";
      const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
      assert.equal(code, 0, err);
      outputs.push([`iam-user-teardown ${argv.join(" ")}: stdout`, out], [`iam-user-teardown ${argv.join(" ")}: stderr`, err]);
    }

    // The engine directly: its report and log, and the error a missing permission raises midway.
    const engineLog: string[] = [];
    const deniedWatch = new TargetWatch(["uma"]);
    const denied = await hostileEmulator({ seed: 1601, denyActions: ["DeleteUser"] }, deniedWatch);
    try {
      const setup2 = setupClient(denied);
      denied.state.createUser("uma");
      const umaSecrets = await credentialsFor(setup2, "uma");
      setup2.destroy();
      secrets.push(...umaSecrets);
      for (const m of denied.state.mfaDevicesOf("uma")) if (m.kind === "virtual") deniedWatch.serials.add(m.serial);
      const error = await teardownUser({ client: packageClient(denied), userName: "uma", ...FAST, log: (l) => engineLog.push(l) }).catch(
        (e) => e,
      );
      assert.ok(error instanceof MissingPermissionError, String(error));
      outputs.push(["a MissingPermissionError's message", error.message], ["its removed list", JSON.stringify(error.removed)]);
      outputs.push([
        "the package's requests to IAM",
        JSON.stringify(denied.log.filter((e) => e.accessKeyId === engineKey()).map((e) => e.params)),
      ]);
      assert.deepEqual(auditEmulator(denied).map(describeEntry), []);
    } finally {
      freshClients();
      await denied.stop();
    }
    const report = await teardownUser({ client: packageClient(emulator), userName: "uma", ...FAST, log: (l) => engineLog.push(l) });
    outputs.push(["the engine's report for uma", JSON.stringify(report)], ["the engine's log", engineLog.join("\n")]);
    outputs.push([
      "the package's requests to IAM",
      JSON.stringify(emulator.log.filter((e) => e.accessKeyId === engineKey()).map((e) => e.params)),
    ]);
    assert.deepEqual(auditEmulator(emulator).map(describeEntry), []);
  });

  it("the record holds the public key and certificate bodies a restore needs, and no password, secret key, service password or MFA seed", () => {
    const files = fs.readdirSync(recordDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json"));
    assert.equal(files.length, 1, files.join(", "));
    const record = fs.readFileSync(path.join(recordDir, files[0]), "utf8");
    assert.match(record, /"userName": "tess"/);
    const secret = secrets.filter((s) => !isPublicBody(s));
    const hits = findSecrets(record, secret).map((h) => `${h.label} (${h.form}) in the record`);
    addTotal(AREA, FOUND, hits.length);
    assert.deepEqual(hits, []);
    const tessBodies = secrets.filter((s) => isPublicBody(s) && s.label.endsWith(" of tess"));
    assert.equal(tessBodies.length, 2);
    assert.deepEqual(
      findSecrets(record, tessBodies).map((h) => h.label),
      tessBodies.map((b) => b.label),
      "both of tess's bodies are in its record",
    );
  });

  it("the search would find each secret if it were there (as is, JSON-escaped, base64, URL-encoded, or a slice of a long one)", () => {
    assert.ok(secrets.length >= 30, `${secrets.length} secrets`);
    for (const s of secrets) {
      for (const text of [
        `x ${s.value} y`,
        JSON.stringify({ v: s.value }),
        Buffer.from(s.value).toString("base64"),
        encodeURIComponent(s.value),
        s.value.slice(5, -5),
      ]) {
        if (text === s.value.slice(5, -5) && s.value.length <= 80) continue;
        assert.equal(findSecrets(text, [s]).length, 1, `${s.label} in ${text.slice(0, 40)}...`);
      }
    }
  });

  it("no output, log, error or request of the package holds any of them", () => {
    assert.ok(outputs.length >= 10, `${outputs.length} outputs`);
    const hits = outputs.flatMap(([where, text]) => findSecrets(text, secrets).map((h) => `${h.label} (${h.form}) in ${where}`));
    addTotal(AREA, FOUND, hits.length);
    assert.deepEqual(hits, []);
    // The outputs did carry the identifiers: the search looked at real material, not empty strings.
    const keyIds = emulator.log.filter((e) => e.action === "DeleteAccessKey").map((e) => e.params.AccessKeyId);
    assert.ok(keyIds.length >= 4 && keyIds.every((id) => outputs.some(([, t]) => t.includes(id))), "access key ids appear in the outputs");
  });
});
