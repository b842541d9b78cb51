/**
 * npm run demo: the main job, on the embedded IAM emulator. No AWS account is touched.
 *
 * Seeds a user with every dependency kind (a FIDO security key, a hardware TOTP token and a virtual MFA device among
 * them), a twin of it, and an unrelated bystander. Runs the AWS runbook's algorithm on the twin to show its failure,
 * then tears the user down with this package in one pass (writing its record first) and shows what was removed and that
 * the bystander is untouched; then restores the user from its record. Last, the fleet CLI's plan with each user's
 * activity, and its --inactive-for guard refusing a user still in use.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import "../tests/helpers/aws-env";
import { runbookDeleteUser } from "../bench/anchors/runbook";
import { iamClientFor, resetIamClients } from "../provider/aws/client";
import { EXIT, runCli } from "../provider/cli";
import { renderRestore } from "../provider/cli/restore";
import { DirectoryStore, readRecords, StoreRecordWriter } from "../provider/records/store";
import { planTeardown, teardownUser } from "../provider/teardown";
import { countByKind, flattenInventory } from "../provider/teardown/report";
import { restoreUser } from "../provider/teardown/restore";
import { CERT } from "../tests/emulator/support";
import { everyKind } from "../tests/helpers/iam";
import { startEmulator } from "../tests/iam-emulator";

const say = (line = "") => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const emulator = await startEmulator({ port: 0 });
  try {
    const client = iamClientFor({ endpoint: emulator.endpoint });
    emulator.seed({ users: [everyKind("alice", { signingCertificates: 0 }), everyKind("alice-twin"), everyKind("bob")] });
    // A real X.509 body, as IAM (and the emulator) parse it when a restore uploads it again.
    emulator.state.uploadSigningCertificate("alice", CERT(1));
    const bystanderBefore = JSON.stringify(emulator.snapshotUser("bob"));
    say(`IAM emulator at ${emulator.endpoint} (account ${emulator.accountId})`);

    const plan = await planTeardown({ client, userName: "alice" });
    say(`\nalice has: ${countByKind(flattenInventory(plan.inventory))}`);
    for (const d of plan.summary.mfaDevices.devices) say(`  MFA ${d.kind.padEnd(8)} ${d.serial}`);

    say(`\n1. The AWS runbook AWSConfigRemediation-DeleteIAMUser on alice-twin (same dependencies):`);
    const first = await runbookDeleteUser(client, "alice-twin");
    say(`   first run:  ${first.ok ? "succeeded" : `FAILED: ${first.error}`}`);
    const second = await runbookDeleteUser(client, "alice-twin");
    say(
      `   second run: ${second.ok ? "succeeded (the deactivated FIDO key and hardware token are no longer listed)" : `FAILED: ${second.error}`}`,
    );

    const recordDir = fs.mkdtempSync(path.join(os.tmpdir(), "iam-user-teardown-demo-"));
    say(`\n2. iam-user-teardown on alice, its record written first to ${recordDir}:`);
    emulator.clearLog();
    const report = await teardownUser({
      client,
      userName: "alice",
      record: new StoreRecordWriter(new DirectoryStore(recordDir)),
      log: (line) => say(`   ${line}`),
    });

    const orphans = emulator.state.listVirtualMfaDevices().filter((d: { serial: string }) => d.serial.endsWith(":mfa/alice-phone"));
    const foreignMutations = emulator.log.filter((e) => e.mutating && e.userName !== undefined && e.userName !== "alice");
    const bystanderUntouched = JSON.stringify(emulator.snapshotUser("bob")) === bystanderBefore;
    say(`\nresult:`);
    say(
      `   alice deleted in one pass: ${report.outcome === "deleted" && report.rounds === 1 && !emulator.state.userExists("alice") ? "yes" : "NO"}`,
    );
    say(`   orphaned virtual MFA devices left: ${orphans.length}`);
    say(`   mutating calls on any other user: ${foreignMutations.length}`);
    say(`   bystander bob byte-for-byte unchanged: ${bystanderUntouched ? "yes" : "NO"}`);

    say(`\n3. iam-user-teardown restore ${recordDir}:`);
    const [{ source, record }] = await readRecords([recordDir]);
    const restored = await restoreUser({ client, record });
    for (const line of renderRestore(restored, source).trimEnd().split("\n")) say(`   ${line}`);
    const back = emulator.state.getUser("alice");
    const restoredWhole =
      restored.outcome === "restored" &&
      back?.path === record.user.path &&
      restored.kinds.every((k) => k.items.every((i) => i.outcome === "recreated")) &&
      restored.cannotReturn.length === 4;
    say(`   alice back with its groups, policies, SSH keys and certificate (new UserId ${back?.userId}): ${restoredWhole ? "yes" : "NO"}`);
    const activity = await activityDemo(emulator);
    const ok =
      !first.ok &&
      second.ok &&
      report.rounds === 1 &&
      orphans.length === 0 &&
      foreignMutations.length === 0 &&
      bystanderUntouched &&
      restoredWhole &&
      activity;
    say(ok ? "\ndemo: OK" : "\ndemo: UNEXPECTED RESULT");
    return ok ? 0 : 1;
  } finally {
    await emulator.stop();
  }
}

/** The fleet CLI, as a user runs it: a plan showing activity, then a delete whose guard keeps the user still in use. */
async function activityDemo(emulator: Awaited<ReturnType<typeof startEmulator>>): Promise<boolean> {
  const DAY = 86_400_000;
  const now = Date.now();
  emulator.seed({
    users: [
      {
        userName: "carol",
        createDate: new Date(now - 400 * DAY),
        accessKeys: 1,
        accessKeysLastUsed: [{ date: new Date(now - 2 * DAY), service: "s3", region: "eu-west-1" }],
      },
      { userName: "dave", createDate: new Date(now - 300 * DAY), accessKeys: 1, accessKeysLastUsed: [{ date: new Date(now - 120 * DAY) }] },
    ],
  });
  // The CLI finds IAM (and STS, for whose credentials it runs on) through the SDK's standard environment.
  process.env.AWS_ENDPOINT_URL_IAM = emulator.endpoint;
  process.env.AWS_ENDPOINT_URL_STS = emulator.endpoint;
  resetIamClients();
  const io = {
    stdout: (t: string) => process.stdout.write(t.replace(/^(?=.)/gm, "   ")),
    stderr: (t: string) => process.stdout.write(t.replace(/^(?=.)/gm, "   ")),
  };
  say(`\n4. The fleet CLI: iam-user-teardown plan carol dave (each user's activity, the latest with its source):`);
  const planned = await runCli(["plan", "carol", "dave"], io);
  say(`\n   iam-user-teardown delete carol dave --inactive-for 30d --yes:`);
  const guarded = await runCli(["delete", "carol", "dave", "--inactive-for", "30d", "--yes"], io);
  const kept = emulator.state.userExists("carol") && !emulator.state.userExists("dave");
  say(`   exit ${guarded}: carol (used 2 days ago) kept untouched, dave (unused 120 days) deleted: ${kept ? "yes" : "NO"}`);
  delete process.env.AWS_ENDPOINT_URL_IAM;
  delete process.env.AWS_ENDPOINT_URL_STS;
  resetIamClients();
  return planned === EXIT.ok && guarded === EXIT.skipped && kept;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
