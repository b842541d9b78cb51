/**
 * `delete --record DIR|s3://...`: one record per user, stored before the user's first removal. Over the emulator (a
 * directory; one that refuses the write; a CLI process killed midway and run again) and over moto (S3, with a gate in
 * front of IAM that refuses any removal for a user whose record object does not exist yet: the order, without clocks).
 */
import { strict as assert } from "node:assert";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { resetIamClients } from "../../provider/aws/client";
import { EXIT, runCli } from "../../provider/cli";
import { recordWriterFor } from "../../provider/records/store";
import { recordName, type UserRecord } from "../../provider/teardown/record";
import { everyKind, pointIamEndpointAt } from "../helpers/iam";
import { acquireMoto, type MotoServer, motoUnavailableReason, releaseMoto, startMotoFront } from "../helpers/moto";
import { type Emulator, startEmulator } from "../iam-emulator";
import { MOTO_POLICY, seedMotoUser } from "./moto-users";

const BIN = path.resolve(__dirname, "../../provider/bin/iam-user-teardown.js");
const ACCOUNT = "123456789012";

async function cli(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "cli-records-"));
const readRecord = (dir: string, userId: string): UserRecord =>
  JSON.parse(fs.readFileSync(path.join(dir, recordName(ACCOUNT, userId)), "utf8"));

describe("CLI delete --record: over the emulator", () => {
  let emulator: Emulator;
  let restoreEndpoint: () => void;

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0 });
    restoreEndpoint = pointIamEndpointAt(emulator.endpoint);
    resetIamClients();
  });
  afterEach(async () => {
    restoreEndpoint();
    resetIamClients();
    await emulator.stop();
  });

  it("writes one record per user, named by account and UserId, with its outcome", async () => {
    const seeded = emulator.seed({ users: [everyKind("ann"), everyKind("bob")] }).users;
    const dir = tempDir();
    const run = await cli(["delete", "ann", "bob", "--yes", "--json", "--record", dir]);
    assert.equal(run.code, EXIT.ok, run.stderr);
    for (const name of ["ann", "bob"]) {
      const record = readRecord(dir, seeded[name].userId);
      assert.equal(record.user.userName, name);
      assert.equal(record.teardown?.outcome, "deleted");
      assert.equal(record.items.inlinePolicies.length, 2);
    }
    assert.deepEqual(fs.readdirSync(path.join(dir, ACCOUNT)).sort(), [`${seeded.ann.userId}.json`, `${seeded.bob.userId}.json`].sort());
  });

  it("a directory that refuses the write: the user is untouched and failed, the error says why (exit 1)", async () => {
    emulator.seed({ users: [everyKind("cid")] });
    const before = emulator.state.dependencyCounts("cid");
    const file = path.join(tempDir(), "not-a-directory");
    fs.writeFileSync(file, "");
    emulator.clearLog();
    const run = await cli(["delete", "cid", "--yes", "--record", file]);
    assert.equal(run.code, EXIT.failed);
    assert.match(run.stderr, /nothing of IAM user cid \(\w+\) was removed: its record could not be written to directory .*not-a-directory/);
    assert.deepEqual(
      emulator.log.filter((e) => e.mutating),
      [],
    );
    assert.deepEqual(emulator.state.dependencyCounts("cid"), before);
  });

  it("usage: --record is for delete; --record-role-arn for an S3 record only", async () => {
    for (const argv of [
      ["plan", "x", "--record", "dir"],
      ["delete", "x", "--yes", "--record", "dir", "--record-role-arn", "arn:aws:iam::123456789012:role/records"],
      ["delete", "x", "--yes", "--record", "s3://Bad_Bucket/"],
      ["delete", "x", "--yes", "--record-role-arn", "arn:aws:iam::123456789012:role/records"],
    ]) {
      const run = await cli(argv);
      assert.equal(run.code, EXIT.usage, argv.join(" "));
      assert.deepEqual(emulator.log, [], "nothing called");
    }
  });

  it("a CLI killed (SIGKILL) after the record and before the removals finished leaves a record without its outcome; the rerun completes it", async () => {
    assert.ok(fs.existsSync(BIN.replace(/bin\/iam-user-teardown\.js$/, "dist/cli/index.js")), "npm run build first");
    await emulator.stop();
    let reached!: () => void;
    const removalReached = new Promise<void>((resolve) => (reached = resolve));
    let holding = true;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    emulator = await startEmulator({
      port: 0,
      // The first removal waits here until the process that sent it is dead.
      hold: (request) => {
        if (!holding || !/^(Delete|Remove|Detach|Deactivate)/.test(request.action)) return undefined;
        reached();
        return released;
      },
    });
    restoreEndpoint();
    restoreEndpoint = pointIamEndpointAt(emulator.endpoint);
    const seeded = emulator.seed({ users: [everyKind("dee")] }).users.dee;
    const dir = tempDir();
    const child = spawn(process.execPath, [BIN, "delete", "dee", "--yes", "--record", dir], { env: process.env, stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    await removalReached;
    child.kill("SIGKILL");
    assert.equal(await exited, "SIGKILL");
    holding = false;
    release();
    const first = readRecord(dir, seeded.userId);
    assert.equal(first.teardown, undefined, "killed before the outcome: the record holds the 'before' part only");
    assert.ok(first.items.inlinePolicies.length === 2 && first.items.accessKeys.length === 2);
    assert.equal(emulator.state.userExists("dee"), true);

    const rerun = await runChild([BIN, "delete", "dee", "--yes", "--record", dir]);
    assert.equal(rerun.code, EXIT.ok, rerun.stderr);
    const completed = readRecord(dir, seeded.userId);
    assert.deepEqual(completed.items, first.items, "the first full 'before' part is kept");
    assert.equal(completed.recordedAt, first.recordedAt);
    assert.equal(completed.teardown?.outcome, "deleted");
    assert.equal(emulator.state.userExists("dee"), false);
  });
});

function runChild(argv: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, argv, { env: process.env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
    child.once("exit", (code) => resolve({ code, stderr }));
  });
}

/**
 * A front for IAM that refuses (AccessDenied) any removal naming a user whose record object is not in S3 yet. The
 * record is looked for by the user's account and UserId (GetUser upstream), exactly where --record puts it.
 */
async function startRecordGate(iamEndpoint: string, s3: S3Client, bucket: string, prefix: string) {
  const refused: string[] = [];
  const allowed: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      const params = new URLSearchParams(body);
      const headers = { ...req.headers } as Record<string, string>;
      delete headers["content-length"];
      delete headers.host;
      const forward = (payload: string) => fetch(`${iamEndpoint}${req.url ?? "/"}`, { method: req.method, headers, body: payload });
      const relay = async (answer: Response) => {
        res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/xml" });
        res.end(Buffer.from(await answer.arrayBuffer()));
      };
      void (async () => {
        const action = params.get("Action") ?? "";
        const userName = params.get("UserName");
        if (!/^(Delete|Remove|Detach|Deactivate)/.test(action) || !userName) return relay(await forward(body));
        const user = await forward(new URLSearchParams({ Action: "GetUser", Version: "2010-05-08", UserName: userName }).toString());
        const xml = await user.text();
        const userId = /<UserId>([^<]+)<\/UserId>/.exec(xml)?.[1];
        const account = /<Arn>arn:aws:iam::(\d{12}):/.exec(xml)?.[1];
        const recorded =
          userId !== undefined &&
          account !== undefined &&
          (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${recordName(account, userId)}` })).then(
            () => true,
            () => false,
          ));
        if (!recorded) {
          refused.push(`${action} ${userName}`);
          res.writeHead(403, { "content-type": "text/xml" });
          return res.end(
            `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no record of ${userName} yet</Message></Error><RequestId>gate</RequestId></ErrorResponse>`,
          );
        }
        allowed.push(`${action} ${userName}`);
        return relay(await forward(body));
      })().catch((err: Error) => {
        res.writeHead(502);
        res.end(String(err.message));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refused,
    allowed,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("CLI delete --record s3://...: over moto (IAM and S3)", () => {
  let moto: MotoServer;
  let front: { endpoint: string; stop(): Promise<void> };
  let s3: S3Client;
  const saved: Record<string, string | undefined> = {};

  before(async function () {
    const why = motoUnavailableReason();
    if (why) {
      if (process.env.REQUIRE_MOTO === "1") throw new Error(why);
      this.skip();
    }
    moto = await acquireMoto();
    front = await startMotoFront(moto.endpoint);
    saved.s3 = process.env.AWS_ENDPOINT_URL_S3;
    process.env.AWS_ENDPOINT_URL_S3 = moto.endpoint;
    s3 = new S3Client({ region: "us-east-1", endpoint: moto.endpoint, forcePathStyle: true });
  });
  after(async () => {
    s3?.destroy();
    await front?.stop();
    if (saved.s3 === undefined) delete process.env.AWS_ENDPOINT_URL_S3;
    else process.env.AWS_ENDPOINT_URL_S3 = saved.s3;
    resetIamClients();
    if (moto) releaseMoto();
  });

  it("one object per user, each stored before the user's first removal (a gate refuses any removal of a user not yet recorded)", async () => {
    await moto.reset();
    const bucket = "records-bucket";
    const prefix = "teardown/2026/";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const gate = await startRecordGate(front.endpoint, s3, bucket, prefix);
    const restoreEndpoint = pointIamEndpointAt(gate.endpoint);
    resetIamClients();
    try {
      const users = ["mo-a", "mo-b", "mo-c"];
      const ids: Record<string, string> = {};
      for (const u of users) ids[u] = (await seedMotoUser(moto.endpoint, u)).userId;

      // The gate is real: without a record, the very first removal is refused and the user stays.
      const control = await cli(["delete", "mo-a", "--yes"]);
      assert.equal(control.code, EXIT.failed, control.stderr);
      assert.deepEqual(gate.refused.length > 0 && gate.refused.every((r) => r.endsWith(" mo-a")), true, gate.refused.join(", "));
      gate.refused.length = 0;

      const run = await cli(["delete", ...users, "--yes", "--json", "--record", `s3://${bucket}/${prefix}`]);
      assert.equal(run.code, EXIT.ok, run.stderr);
      assert.deepEqual(gate.refused, [], "no removal came before its user's record");
      for (const u of users)
        assert.ok(
          gate.allowed.some((a) => a.endsWith(` ${u}`)),
          `${u}'s removals went through the gate`,
        );
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      const keys = (listed.Contents ?? []).map((o) => o.Key!).sort();
      const accountId = (await s3Record(s3, bucket, keys[0])).accountId;
      assert.deepEqual(keys, users.map((u) => `${prefix}${recordName(accountId, ids[u])}`).sort());
      for (const key of keys) {
        const record = await s3Record(s3, bucket, key);
        assert.equal(record.teardown?.outcome, "deleted");
        assert.equal(record.items.inlinePolicies.length, 1);
        assert.deepEqual(record.items.inlinePolicies[0].document, JSON.parse(MOTO_POLICY));
      }
    } finally {
      restoreEndpoint();
      resetIamClients();
      await gate.stop();
    }
  });

  it("a rerun keeps the first object: the write is conditional (If-None-Match), and a poorer record never replaces it", async () => {
    const bucket = "records-rerun";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const writer = recordWriterFor(`s3://${bucket}/runs/`);
    const first: UserRecord = {
      recordVersion: 1,
      accountId: ACCOUNT,
      recordedAt: "2026-12-01T00:00:00.000Z",
      user: { userName: "rr", userId: "AIDARERUNEXAMPLE0001", arn: `arn:aws:iam::${ACCOUNT}:user/rr`, path: "/", tags: [] },
      items: { accessKeys: [{ id: "AKIAFIRST0000000001" }, { id: "AKIAFIRST0000000002" }] },
    };
    assert.equal(await writer.keepBefore(first), first);
    const poorer: UserRecord = { ...first, recordedAt: "2026-12-02T00:00:00.000Z", items: { accessKeys: [] } };
    assert.deepEqual(await writer.keepBefore(poorer), first, "the stored record is the one kept");
    const stored = await s3Record(s3, bucket, `runs/${recordName(ACCOUNT, first.user.userId)}`);
    assert.deepEqual(stored, first);
  });

  it("--record-role-arn: the S3 write goes out under the role's temporary credentials (STS AssumeRole), not the default chain's", async () => {
    const bucket = "records-role";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const savedSts = process.env.AWS_ENDPOINT_URL_STS;
    process.env.AWS_ENDPOINT_URL_STS = moto.endpoint;
    // Every access key S3 sees, through a front that records the signature's key id and passes the request on.
    const seenKeys: string[] = [];
    const front = http.createServer((req, res) => {
      seenKeys.push(/Credential=([A-Z0-9]+)\//.exec(req.headers.authorization ?? "")?.[1] ?? "");
      const upstream = http.request(`${moto.endpoint}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
    process.env.AWS_ENDPOINT_URL_S3 = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    try {
      const writer = recordWriterFor(`s3://${bucket}/`, { roleArn: `arn:aws:iam::${ACCOUNT}:role/record-writer` });
      const record: UserRecord = {
        recordVersion: 1,
        accountId: ACCOUNT,
        recordedAt: "2026-12-01T00:00:00.000Z",
        user: { userName: "ro", userId: "AIDAROLEEXAMPLE00001", arn: `arn:aws:iam::${ACCOUNT}:user/ro`, path: "/", tags: [] },
        items: {},
      };
      await writer.keepBefore(record);
      assert.deepEqual(await s3Record(s3, bucket, recordName(ACCOUNT, record.user.userId)), record);
      assert.ok(seenKeys.length > 0);
      assert.ok(!seenKeys.includes(process.env.AWS_ACCESS_KEY_ID!), `S3 saw the default chain's key: ${seenKeys.join(", ")}`);
    } finally {
      process.env.AWS_ENDPOINT_URL_S3 = moto.endpoint;
      if (savedSts === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
      else process.env.AWS_ENDPOINT_URL_STS = savedSts;
      await new Promise<void>((resolve) => front.close(() => resolve()));
    }
  });
});

async function s3Record(s3: S3Client, bucket: string, key: string): Promise<UserRecord> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await out.Body!.transformToString("utf8"));
}
