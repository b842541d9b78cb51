/**
 * A user's record: written before the first removal (nothing removed when it cannot be), holding what each kind
 * records, completed with what the teardown removed; a rerun keeps the first full "before" part.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as methods from "../../provider/provider-methods";
import { DirectoryStore, StoreRecordWriter } from "../../provider/records/store";
import { RecordNotWrittenError, teardownUser } from "../../provider/teardown";
import { RECORD_VERSION, type RecordWriter, recordName, type UserRecord } from "../../provider/teardown/record";
import { everyKind, useEmulator } from "../helpers/iam";

const FAST = { retryBaseDelayMs: 1, retryMaxDelayMs: 5 };

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "records-"));
}

function readRecord(dir: string, accountId: string, userId: string): UserRecord {
  return JSON.parse(fs.readFileSync(path.join(dir, recordName(accountId, userId)), "utf8"));
}

describe("records: a user's record, before its first removal and completed after", () => {
  const env = useEmulator();

  it("holds the user and every kind's items as recorded (documents, public bodies, dates), written before any removal", async () => {
    await env.fresh();
    const seeded = env.emulator.seed({
      users: [
        everyKind("rita", {
          path: "/staff/",
          tags: { team: "core", owner: "ops" },
          permissionsBoundary: "rita-boundary",
        }),
      ],
    }).users.rita;
    const user = env.emulator.state.getUser("rita")!;
    // Copied now: the emulator's own records of the user empty as it is torn down.
    const live = {
      inlinePolicies: user.inlinePolicies.toArray().map((p) => ({ ...p })),
      sshPublicKeys: user.sshPublicKeys.toArray().map((k) => ({ ...k })),
      signingCertificates: user.signingCertificates.toArray().map((c) => ({ ...c })),
    };
    const dir = tempDir();
    const writer = new StoreRecordWriter(new DirectoryStore(dir));
    // Order without clocks: at the moment the record is stored, IAM has seen no call that changes rita.
    const mutatingAtWrite: number[] = [];
    const watching: RecordWriter = {
      location: writer.location,
      keepBefore: async (record) => {
        const kept = await writer.keepBefore(record);
        mutatingAtWrite.push(env.emulator.log.filter((e) => e.mutating && e.userName === "rita").length);
        return kept;
      },
      complete: (record) => writer.complete(record),
    };
    const report = await teardownUser({ client: env.client, userName: "rita", expectedUserId: seeded.userId, record: watching, ...FAST });
    assert.equal(report.outcome, "deleted");
    assert.deepEqual(mutatingAtWrite, [0]);

    const record = readRecord(dir, "123456789012", seeded.userId);
    assert.equal(record.recordVersion, RECORD_VERSION);
    assert.equal(record.accountId, "123456789012");
    assert.equal(record.user.userName, "rita");
    assert.equal(record.user.userId, seeded.userId);
    assert.equal(record.user.arn, seeded.arn);
    assert.equal(record.user.path, "/staff/");
    assert.deepEqual(
      [...record.user.tags].sort((a, b) => a.key.localeCompare(b.key)),
      [
        { key: "owner", value: "ops" },
        { key: "team", value: "core" },
      ],
    );
    assert.equal(record.user.permissionsBoundary, "arn:aws:iam::123456789012:policy/rita-boundary");
    const items = record.items;
    assert.deepEqual(
      items.inlinePolicies.map((p) => p.id),
      live.inlinePolicies.map((p) => p.policyName),
    );
    for (const p of live.inlinePolicies)
      assert.deepEqual(items.inlinePolicies.find((e) => e.id === p.policyName)!.document, JSON.parse(p.document));
    for (const k of live.sshPublicKeys) {
      const e = items.sshPublicKeys.find((x) => x.id === k.sshPublicKeyId)!;
      assert.equal(e.body, k.body);
      assert.equal(e.status, "Active");
    }
    for (const c of live.signingCertificates) assert.equal(items.signingCertificates.find((x) => x.id === c.certificateId)!.body, c.body);
    assert.deepEqual(items.accessKeys.map((k) => k.id).sort(), [...seeded.accessKeyIds].sort());
    for (const k of items.accessKeys) {
      assert.equal(typeof k.createDate, "string");
      assert.deepEqual(k.lastUsed, { date: null, service: null, region: null });
    }
    assert.equal(items.loginProfile.length, 1);
    assert.equal(typeof items.loginProfile[0].createDate, "string");
    assert.deepEqual(items.mfaDevices.map((d) => d.mfaKind).sort(), ["fido", "hardware", "virtual"]);
    for (const d of items.mfaDevices) assert.equal(typeof d.enableDate, "string");
    assert.deepEqual(items.serviceSpecificCredentials.map((c) => c.service).sort(), [
      "bedrock.amazonaws.com",
      "cassandra.amazonaws.com",
      "codecommit.amazonaws.com",
    ]);
    assert.deepEqual(items.groupMemberships.map((g) => g.id).sort(), ["developers", "on-call"]);
    assert.equal(items.managedPolicies.length, 2);

    assert.equal(record.teardown?.outcome, "deleted");
    assert.equal(record.teardown?.runs, 1);
    assert.equal(record.teardown?.removed.length, report.removed.length);
    const recordedCount = Object.values(items).reduce((n, list) => n + list.length, 0);
    assert.equal(record.teardown?.removed.length, recordedCount);
    // The temporary names are gone: only the record itself is in the directory.
    assert.deepEqual(fs.readdirSync(path.join(dir, "123456789012")), [`${seeded.userId}.json`]);
  });

  it("a directory that refuses the write removes nothing, and the error says why", async () => {
    await env.fresh();
    const seeded = env.emulator.seed({ users: [everyKind("sol")] }).users.sol;
    const before = env.emulator.state.dependencyCounts("sol");
    const notADirectory = path.join(tempDir(), "a-file");
    fs.writeFileSync(notADirectory, "");
    env.emulator.clearLog();
    const err = await teardownUser({
      client: env.client,
      userName: "sol",
      expectedUserId: seeded.userId,
      record: new StoreRecordWriter(new DirectoryStore(notADirectory)),
      ...FAST,
    }).then(
      () => assert.fail("the teardown went on without its record"),
      (e) => e,
    );
    assert.ok(err instanceof RecordNotWrittenError, String(err));
    assert.match(
      err.message,
      /^nothing of IAM user sol \(\w+\) was removed: its record could not be written to directory .*a-file: .*(ENOTDIR|EEXIST)/,
    );
    assert.deepEqual(
      env.emulator.log.filter((e) => e.mutating),
      [],
    );
    assert.deepEqual(env.emulator.state.dependencyCounts("sol"), before);
  });

  it("a rerun keeps the first full record and completes it; its own poorer listing never replaces it", async () => {
    await env.fresh();
    const seeded = env.emulator.seed({ users: [everyKind("tom")] }).users.tom;
    const dir = tempDir();
    const store = new StoreRecordWriter(new DirectoryStore(dir));
    // The first run stops after its removals and before its record is completed, as a killed process would.
    const killedBeforeOutcome: RecordWriter = {
      location: store.location,
      keepBefore: (r) => store.keepBefore(r),
      complete: async () => undefined,
    };
    await teardownUser({
      client: env.client,
      userName: "tom",
      expectedUserId: seeded.userId,
      deleteUser: false,
      record: killedBeforeOutcome,
      ...FAST,
    });
    const afterFirst = readRecord(dir, "123456789012", seeded.userId);
    assert.equal(afterFirst.teardown, undefined);
    const fullCount = Object.values(afterFirst.items).reduce((n, list) => n + list.length, 0);
    assert.ok(fullCount >= 15, `${fullCount} items recorded`);

    // What the rerun finds is poorer: one access key given meanwhile, nothing else.
    const newKey = env.emulator.state.createAccessKey("tom").accessKeyId;
    const report = await teardownUser({ client: env.client, userName: "tom", expectedUserId: seeded.userId, record: store, ...FAST });
    assert.equal(report.outcome, "deleted");
    const afterRerun = readRecord(dir, "123456789012", seeded.userId);
    assert.deepEqual(afterRerun.items, afterFirst.items, "the first full listing is kept");
    assert.equal(afterRerun.recordedAt, afterFirst.recordedAt);
    assert.equal(afterRerun.teardown?.outcome, "deleted");
    assert.equal(afterRerun.teardown?.runs, 1);
    assert.deepEqual(afterRerun.teardown?.removed, [{ kind: "accessKeys", id: newKey }]);
  });

  it("the resource's record input: a directory or s3://bucket/prefix/, checked before anything is called", async () => {
    for (const record of ["records", "/var/records/", "s3://audit-bucket/iam/", "s3://audit-bucket"])
      assert.deepEqual((await methods.check({}, { userName: "u", record })).failures ?? [], [], record);
    for (const record of ["", "s3://Not_A_Bucket/", 42]) {
      const failures = (await methods.check({}, { userName: "u", record })).failures ?? [];
      assert.deepEqual(
        failures.map((f) => f.property),
        ["record"],
        String(record),
      );
    }
  });
});
