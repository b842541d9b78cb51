/**
 * One shipped policy per job (provider/policies/): plan (read-only, activity included), delete, delete --record s3://,
 * restore. Each job
 * runs against an emulator enforcing its policy alone, and the IAM actions it called must be exactly the policy's:
 * none refused, none granted and unused. The S3 actions are those the record store makes (S3_RECORD_ACTIONS), on the
 * prefix only.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resetIamClients } from "../../provider/aws/client";
import { runCli } from "../../provider/cli";
import { S3_RECORD_ACTIONS } from "../../provider/records/store";
import { restoreActions } from "../../provider/teardown/restore";
import { CERT } from "../emulator/support";
import { everyKind, pointIamEndpointAt } from "../helpers/iam";
import { type Emulator, startEmulator } from "../iam-emulator";
import type { CallerPolicy } from "../iam-emulator/policy";
import { engineKey } from "./support";

const POLICIES = path.resolve(__dirname, "../../provider/policies");
type Statement = CallerPolicy["Statement"][number] & { Resource?: string | string[] };
const policyOf = (job: string): CallerPolicy => JSON.parse(fs.readFileSync(path.join(POLICIES, `${job}.json`), "utf8"));
const actionsOf = (policy: CallerPolicy, service: "iam" | "s3"): string[] =>
  [
    ...new Set(
      policy.Statement.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action])).filter((a) => a.startsWith(`${service}:`)),
    ),
  ].sort();

/**
 * Authorized, never called on their own: IAM requires iam:TagUser for a CreateUser that carries tags (a restore's),
 * which the emulator cannot see as a call of its own.
 */
const AUTHORIZED_WITH = { restore: ["iam:TagUser"] } as Record<string, string[]>;

const io = { stdout: () => undefined, stderr: () => undefined };

async function underPolicy(job: string, prepare: (e: Emulator) => void, run: () => Promise<number>) {
  const emulator = await startEmulator({ port: 0, policy: policyOf(job) });
  const restoreEndpoint = pointIamEndpointAt(emulator.endpoint);
  const savedSts = process.env.AWS_ENDPOINT_URL_STS;
  process.env.AWS_ENDPOINT_URL_STS = emulator.endpoint;
  resetIamClients();
  try {
    prepare(emulator);
    assert.equal(await run(), 0, `${job} ran to its end under its policy`);
    // STS GetCallerIdentity (restore's account check) needs no permission: it is no IAM action of a policy.
    const mine = emulator.log.filter((e) => e.accessKeyId === engineKey() && e.action !== "GetCallerIdentity");
    return {
      called: [...new Set(mine.map((e) => `iam:${e.action}`))].sort(),
      denied: mine.filter((e) => e.errorCode === "AccessDenied").map((e) => e.action),
    };
  } finally {
    restoreEndpoint();
    if (savedSts === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
    else process.env.AWS_ENDPOINT_URL_STS = savedSts;
    resetIamClients();
    await emulator.stop();
  }
}

function assertExactly(job: string, seen: { called: string[]; denied: string[] }) {
  assert.deepEqual(seen.denied, [], `${job}: nothing refused by its policy`);
  const granted = actionsOf(policyOf(job), "iam");
  assert.deepEqual(
    [...new Set([...seen.called, ...(AUTHORIZED_WITH[job] ?? [])])].sort(),
    granted,
    `${job}: called (left) versus granted (right)`,
  );
}

const seedUser = (e: Emulator) => {
  e.seed({
    users: [everyKind("jo", { path: "/staff/", tags: { team: "core" }, permissionsBoundary: "jo-boundary", signingCertificates: 0 })],
  });
  e.state.uploadSigningCertificate("jo", CERT(1));
  // Inactive ones come back inactive: the restore's Update calls are part of its job.
  e.state.updateSigningCertificate("jo", e.state.uploadSigningCertificate("jo", CERT(2)).certificateId, "Inactive");
  e.state.updateSshPublicKey("jo", e.state.getUser("jo")!.sshPublicKeys.toArray()[0].sshPublicKeyId, "Inactive");
};

describe("hostile: one least-privilege policy per job, each exactly what the job calls", () => {
  afterEach(resetIamClients);

  it("plan (read-only: no action that changes anything)", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "job-plan-")), "plan.json");
    const seen = await underPolicy("plan", seedUser, async () => {
      await runCli(["plan", "jo", "--json"], io);
      return runCli(["plan", "jo", "--out", file], io);
    });
    assertExactly("plan", seen);
    // GenerateServiceLastAccessedDetails starts IAM's report of the user's service access: it changes nothing.
    assert.ok(
      seen.called.every((a) => /^iam:(Get|List|GenerateServiceLastAccessedDetails$)/.test(a)),
      seen.called.join(", "),
    );
  });

  it("delete", async () => {
    assertExactly("delete", await underPolicy("delete", seedUser, () => runCli(["delete", "jo", "--yes"], io)));
  });

  it("delete --record s3://: the delete's, the record's reads, and s3:GetObject and s3:PutObject on the prefix only", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "job-record-"));
    // The IAM calls of a record are the same wherever it goes; a directory stands in for the bucket here.
    assertExactly(
      "delete-record-s3",
      await underPolicy("delete-record-s3", seedUser, () => runCli(["delete", "jo", "--yes", "--record", dir], io)),
    );
    const policy = policyOf("delete-record-s3");
    assert.deepEqual(actionsOf(policy, "s3"), [...S3_RECORD_ACTIONS.write].sort());
    const s3 = policy.Statement.filter((st) =>
      (Array.isArray(st.Action) ? st.Action : [st.Action]).some((a) => a.startsWith("s3:")),
    ) as Statement[];
    assert.deepEqual(
      s3.map((st) => st.Resource),
      ["arn:aws:s3:::RECORD_BUCKET/RECORD_PREFIX/*"],
    );
  });

  it("restore", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "job-restore-"));
    assert.equal(
      (await underPolicy("delete-record-s3", seedUser, () => runCli(["delete", "jo", "--yes", "--record", dir], io))).denied.length,
      0,
    );
    const seen = await underPolicy(
      "restore",
      (e) => e.seed({ groups: ["developers", "on-call"], managedPolicies: ["team-boundary", "jo-boundary"] }),
      () => runCli(["restore", dir], io),
    );
    assertExactly("restore", seen);
    // The policy is what the code says a restore may call, too.
    assert.deepEqual(
      restoreActions()
        .map((a) => `iam:${a}`)
        .sort(),
      actionsOf(policyOf("restore"), "iam"),
    );
    assert.deepEqual(actionsOf(policyOf("restore"), "s3"), [...S3_RECORD_ACTIONS.restore].sort());
  });
});
