import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { resetIamClients } from "../../provider/aws/client";
import { type CliIo, EXIT, runCli } from "../../provider/cli";
import { pointIamEndpointAt } from "../helpers/iam";
import { type Emulator, type EmulatorOptions, startEmulator } from "../iam-emulator";

const BIN = path.resolve(__dirname, "../../provider/bin/iam-user-teardown.js");

/** A user with one of most kinds, and a virtual MFA device (so the account's virtual device list is needed). */
const member = (userName: string) => ({
  userName,
  loginProfile: true,
  accessKeys: 1,
  sshKeys: 1,
  virtualMfa: [`${userName}-phone`],
  groups: ["staff"],
  inlinePolicies: ["inline"],
  managedPolicies: ["shared"],
});
const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, "0")}`);

async function cli(argv: string[], extra: Partial<CliIo> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), ...extra });
  const lines = () =>
    stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    code,
    stdout,
    stderr,
    get lines() {
      return lines();
    },
  };
}

/** Runs the installed bin as a child process; `whileRunning` sees its standard error as it grows. */
function runBin(argv: string[], stdin: string | undefined, whileRunning?: (stderr: string, child: ReturnType<typeof spawn>) => void) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { env: process.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      whileRunning?.(stderr, child);
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

describe("iam-user-teardown fleet CLI", () => {
  let emulator: Emulator;
  let restoreEndpoint: () => void = () => undefined;
  let tmp: string;
  const start = async (options: EmulatorOptions = {}) => {
    await emulator?.stop();
    resetIamClients();
    emulator = await startEmulator({ port: 0, ...options });
    restoreEndpoint();
    restoreEndpoint = pointIamEndpointAt(emulator.endpoint);
  };
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-cli-"))));
  after(async () => {
    restoreEndpoint();
    await emulator?.stop();
    resetIamClients();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("deletes many users from a file in one process: one virtual-device listing, one GetUser per user, one progress line each", async () => {
    // Calls take a moment, as IAM's do: re-checks asked while one walk of the users is under way wait for the next.
    await start({ latencyMs: 20 });
    const users = names("file", 12);
    emulator.seed({ groups: ["staff"], managedPolicies: ["shared"], users: users.map(member), unassignedVirtualMfa: ["spare"] });
    emulator.seed({ users: [member("bystander")] });
    const file = path.join(tmp, "users.txt");
    fs.writeFileSync(file, `# to decommission\n\n${users.join("\n")}\n${users[0]}\n`);
    emulator.clearLog();
    const { code, stderr } = await cli(["delete", "--from-file", file, "--yes", "--concurrency", "5"]);
    assert.equal(code, EXIT.ok, stderr);
    for (const u of users) assert.equal(emulator.state.userExists(u), false, u);
    assert.equal(emulator.state.userExists("bystander"), true);
    const count = (action: string) => emulator.log.filter((e) => e.action === action).length;
    // Shared by every teardown of the process: one walk of the account's virtual devices, one limiter, one client.
    assert.equal(count("ListVirtualMFADevices"), 1);
    assert.equal(count("GetUser"), users.length, "one identity check per user; the re-checks are answered together");
    // One walk finds the users; each walk after it answers every re-check waiting when it starts.
    assert.ok(count("ListUsers") <= users.length + 1, `ListUsers ${count("ListUsers")}`);
    assert.equal(count("DeleteUser"), users.length);
    assert.match(stderr, new RegExp(`^12 IAM user\\(s\\) in account ${emulator.accountId} to delete`, "m"));
    const progress = stderr.split("\n").filter((l) => /^\[\d+\/12\] deleted file-\d+: 7 removed$/.test(l));
    assert.equal(progress.length, 12, stderr);
    assert.match(stderr, /^12 user\(s\): 12 deleted$/m);
  });

  it("under a tight throttle, users start as the account's rate lets them: a few in flight at a time, the first started first done, each in one pass", async function () {
    this.timeout(180_000);
    // 4 requests/s per action: 30 users' calls of one action take some 7 seconds however fast the machine is.
    await start({ throttle: { ratePerSecond: 4, burst: 4 } });
    const users = names("slow", 30);
    emulator.seed({ groups: ["staff"], managedPolicies: ["shared"], users: users.map(member) });
    emulator.clearLog();
    // The default --concurrency (48) would start all 30 at once.
    const run = await cli(["delete", ...users, "--yes", "--json"]);
    assert.equal(run.code, EXIT.ok, run.stderr);
    const lines = run.lines.filter((l) => l.type === "user");
    assert.equal(lines.length, 30);
    assert.ok(
      lines.every((l) => l.outcome === "deleted" && l.rounds === 1),
      "every user in one pass",
    );
    // Each user from its first call to the answer to its DeleteUser.
    const spans = new Map<string, { from: number; to: number }>();
    for (const e of emulator.log) {
      if (!e.userName || !users.includes(e.userName) || e.action === "ListUsers") continue;
      const span = spans.get(e.userName) ?? { from: e.startedAt, to: Number.NaN };
      span.from = Math.min(span.from, e.startedAt);
      if (e.action === "DeleteUser" && !e.errorCode) span.to = e.endedAt;
      spans.set(e.userName, span);
    }
    const edges = [...spans.values()].flatMap((s) => [
      { at: s.from, d: 1 },
      { at: s.to, d: -1 },
    ]);
    edges.sort((a, b) => a.at - b.at || a.d - b.d);
    let inFlight = 0;
    let most = 0;
    for (const edge of edges) most = Math.max(most, (inFlight += edge.d));
    // Before the first throttle 8 calls of an action may be under way (8 users in their lists), after it a second of
    // the action's rate: users waiting on a throttle would only hold memory.
    assert.ok(most <= 16, `at most ${most} users in flight of 30`);
    const started = [...spans.entries()].sort((a, b) => a[1].from - b[1].from);
    const firstFive = started.slice(0, 5).map(([, s]) => s.to);
    const lastFive = started.slice(-5).map(([, s]) => s.from);
    assert.ok(Math.max(...firstFive) < Math.min(...lastFive), "the first users started are done before the last start");
  });

  it("a user the walk of the account's users missed (renamed into the name between its pages) is asked with GetUser and torn down", async () => {
    await start({
      maxPageSize: 2,
      // Before the walk's second page: a user the first page showed under its old name takes the listed name.
      hooks: [{ beforeAction: "ListUsers", nth: 2, run: (e) => void e.state.updateUser("walk-000", { newUserName: "walk-renamed" }) }],
    });
    emulator.seed({ users: names("walk", 5).map((userName) => ({ userName, accessKeys: 1 })) });
    const { code, lines, stderr } = await cli(["delete", "walk-renamed", "--yes", "--json"]);
    assert.equal(code, EXIT.ok, stderr);
    assert.equal(lines[0].outcome, "deleted", JSON.stringify(lines[0]));
    assert.equal(emulator.state.userExists("walk-renamed"), false);
    assert.match(stderr, /^1 IAM user\(s\) in account \d{12} to delete\n/m);
    for (const u of names("walk", 5).slice(1)) assert.equal(emulator.state.userExists(u), true, u);
  });

  it("--allowed-account-id with STS unreachable: one message naming the check and its cause, no user touched or blamed; exit 1", async () => {
    await start();
    const users = names("guard", 3);
    emulator.seed({ groups: ["staff"], managedPolicies: ["shared"], users: users.map(member) });
    // A loopback port nothing listens on: STS refuses the connection.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const saved = { sts: process.env.AWS_ENDPOINT_URL_STS, attempts: process.env.AWS_MAX_ATTEMPTS };
    const restore = (name: string, value: string | undefined) =>
      value === undefined ? delete process.env[name] : (process.env[name] = value);
    try {
      process.env.AWS_ENDPOINT_URL_STS = `http://127.0.0.1:${closedPort}`;
      process.env.AWS_MAX_ATTEMPTS = "2";
      resetIamClients();
      emulator.clearLog();
      const argv = ["delete", ...users, "--yes", "--json", "--allowed-account-id", emulator.accountId];
      const refused = await cli(argv);
      assert.equal(refused.code, EXIT.failed, refused.stderr);
      assert.equal(refused.stdout, "", "no user reported");
      assert.deepEqual(refused.stderr.trim().split("\n"), [
        `iam-user-teardown: refusing to change anything: could not confirm which AWS account the credentials reach (STS GetCallerIdentity: connect ECONNREFUSED 127.0.0.1:${closedPort}), which the account restriction needs; nothing was changed`,
      ]);
      assert.deepEqual(
        emulator.log.map((e) => e.action),
        [],
        "the account is confirmed before the users are looked up",
      );
      for (const u of users) assert.equal(emulator.state.userExists(u), true, u);
      // A plan is of the account named, or none: its reviewer must not read another account's users as this one's.
      const plan = await cli(["plan", ...users, "--allowed-account-id", emulator.accountId]);
      assert.equal(plan.code, EXIT.failed, plan.stderr);
      assert.match(plan.stderr, /^iam-user-teardown: refusing to plan: could not confirm which AWS account .*STS GetCallerIdentity/);
      assert.deepEqual(
        emulator.log.map((e) => e.action),
        [],
      );

      // STS answering: the account is confirmed once for the whole run, and every user goes.
      process.env.AWS_ENDPOINT_URL_STS = emulator.endpoint;
      resetIamClients();
      emulator.clearLog();
      const otherAccount = await cli(["plan", ...users, "--allowed-account-id", "999999999999"]);
      assert.equal(otherAccount.code, EXIT.failed, otherAccount.stderr);
      assert.match(
        otherAccount.stderr,
        new RegExp(
          `refusing to plan: the credentials reach AWS account ${emulator.accountId}, but only AWS account 999999999999 is allowed`,
        ),
      );
      assert.equal((await cli(["plan", ...users, "--allowed-account-id", emulator.accountId])).code, EXIT.ok);
      resetIamClients();
      emulator.clearLog();
      const allowed = await cli(argv);
      assert.equal(allowed.code, EXIT.ok, allowed.stderr);
      assert.equal(emulator.log.filter((e) => e.action === "GetCallerIdentity").length, 1);
      for (const u of users) assert.equal(emulator.state.userExists(u), false, u);
    } finally {
      restore("AWS_ENDPOINT_URL_STS", saved.sts);
      restore("AWS_MAX_ATTEMPTS", saved.attempts);
      resetIamClients();
    }
  });

  it("plan --markdown: one review table for the listed users, in their order, nothing changed", async () => {
    await start();
    emulator.seed({
      groups: ["staff"],
      managedPolicies: ["shared"],
      users: [member("md-ana"), { userName: "md-bruno", accessKeys: 2, hardwareMfa: ["GAHT12345678"] }],
    });
    emulator.clearLog();
    const { code, stdout, stderr } = await cli(["plan", "md-bruno", "md-ana", "md-ghost", "--markdown"]);
    assert.equal(code, EXIT.ok, stderr);
    assert.doesNotMatch(stderr, /md-(ana|bruno|ghost)/, "users read without error are not reported as errors");
    assert.match(stdout, /^### IAM user teardown plan/);
    const rows = stdout.split("\n").filter((l) => l.startsWith("| `"));
    assert.deepEqual(
      rows.map((r) => r.split("|")[1].trim()),
      ["`md-bruno`", "`md-ana`", "`md-ghost`"],
    );
    assert.match(rows[0], /\*\*3\*\*/, "bruno: 2 access keys and a hardware token");
    assert.match(rows[1], /\*\*7\*\*/, "ana: seven items");
    assert.match(rows[2], /does not exist/);
    assert.deepEqual(
      emulator.log.filter((e) => e.mutating),
      [],
    );
    assert.equal(emulator.state.userExists("md-ana"), true);
  });

  it("plan --markdown names a user it could not read, with the reason, in the table and the totals; exit 1", async () => {
    await start({
      policy: {
        Statement: [
          { Effect: "Allow", Action: "*", Resource: "*" },
          { Effect: "Deny", Action: "iam:ListAccessKeys", Resource: "arn:aws:iam::123456789012:user/md-hidden" },
        ],
      },
    });
    emulator.seed({
      users: [
        { userName: "md-open", accessKeys: 1 },
        { userName: "md-hidden", accessKeys: 1 },
      ],
    });
    const { code, stdout } = await cli(["plan", "md-hidden", "md-open", "--markdown"]);
    assert.equal(code, EXIT.failed);
    const rows = stdout.split("\n").filter((l) => l.startsWith("| `"));
    assert.deepEqual(
      rows.map((r) => r.split("|")[1].trim()),
      ["`md-open`", "`md-hidden`"],
    );
    assert.match(rows[1], /could not be read/);
    assert.match(stdout, /^2 users, 1 could not be read\. A teardown would remove at least 1 item /m);
    assert.match(stdout, /^- `md-hidden`: .*not authorized to perform: iam:ListAccessKeys/m);
  });

  it("--json: one line per user, a failure among them named with what blocks it, a summary line; exit 1", async () => {
    await start({
      policy: {
        Statement: [
          { Effect: "Allow", Action: "*", Resource: "*" },
          { Effect: "Deny", Action: "iam:DeleteAccessKey", Resource: "arn:aws:iam::123456789012:user/json-002" },
        ],
      },
    });
    const users = names("json", 5);
    emulator.seed({ groups: ["staff"], managedPolicies: ["shared"], users: users.map(member) });
    const { code, lines, stderr } = await cli(["delete", ...users, "ghost", "--yes", "--json"]);
    assert.equal(code, EXIT.failed, stderr);
    assert.equal(lines.length, 7);
    const byUser = new Map(lines.filter((l) => l.type === "user").map((l) => [l.userName, l]));
    assert.equal(byUser.get("json-002")!.outcome, "failed");
    assert.match(String(byUser.get("json-002")!.error), /DeleteAccessKey/);
    assert.equal(byUser.get("ghost")!.outcome, "already-gone");
    for (const u of users.filter((u) => u !== "json-002")) {
      assert.equal(byUser.get(u)!.outcome, "deleted");
      assert.equal(byUser.get(u)!.removed, 7);
      assert.equal(emulator.state.userExists(u), false);
    }
    assert.equal(emulator.state.userExists("json-002"), true);
    assert.deepEqual(lines.at(-1), { type: "summary", users: 6, deleted: 4, cleared: 0, "already-gone": 1, failed: 1, interrupted: 0 });
    assert.match(stderr, /failed: json-002: /);
  });

  it("reads the users from standard input (--from-file -) in the installed bin", async () => {
    await start();
    const users = names("stdin", 4);
    emulator.seed({ groups: ["staff"], managedPolicies: ["shared"], users: users.map(member) });
    const { code, stdout, stderr } = await runBin(["delete", "--from-file", "-", "--yes", "--json"], `${users.join("\n")}\n# done\n`);
    assert.equal(code, 0, stderr);
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines
        .filter((l) => l.type === "user")
        .map((l) => l.userName)
        .sort(),
      users,
    );
    assert.equal(lines.at(-1).deleted, 4);
    for (const u of users) assert.equal(emulator.state.userExists(u), false);
  });

  it("Ctrl-C stops starting users, lets those under way finish, prints the partial report and exits 130", async function () {
    this.timeout(60_000);
    const users = names("sigint", 30);
    // Past the first four users, every call naming a user waits until the CLI has said it was interrupted: whatever
    // the machine's speed, Ctrl-C lands while users are still to start, and those under way then finish.
    const free = new Set(users.slice(0, 4));
    let interruptHeard!: () => void;
    const interrupted = new Promise<void>((resolve) => (interruptHeard = resolve));
    await start({ hold: ({ params }) => (params.UserName && !free.has(params.UserName) ? interrupted : undefined) });
    emulator.seed({ groups: ["staff"], managedPolicies: ["shared"], users: users.map(member) });
    let sent = false;
    const { code, stdout, stderr } = await runBin(
      ["delete", ...users, "--yes", "--json", "--concurrency", "2"],
      undefined,
      (err, child) => {
        if (!sent && /^\[2\/30\]/m.test(err)) {
          sent = true;
          child.kill("SIGINT");
        }
        if (/interrupted: starting no more users/.test(err)) interruptHeard();
      },
    ).finally(() => interruptHeard());
    assert.equal(code, EXIT.interrupted, stderr);
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const summary = lines.at(-1);
    assert.equal(summary.type, "summary");
    assert.ok(summary.interrupted > 0 && summary.deleted >= 2, JSON.stringify(summary));
    assert.equal(summary.deleted + summary.interrupted, 30);
    // Every user reported deleted is gone, whole; every user not started is untouched.
    for (const l of lines.filter((l) => l.type === "user")) assert.equal(emulator.state.userExists(l.userName), false);
    for (const u of summary.notStarted as string[]) assert.equal(emulator.state.userExists(u), true, u);
    assert.match(stderr, /not started \(interrupted\): /);
  });

  it("--version, and --help on each command", async () => {
    assert.match((await cli(["--version"])).stdout, /^iam-user-teardown \d+\.\d+\.\d+/);
    for (const command of ["plan", "delete"]) {
      const { code, stdout } = await cli([command, "--help"]);
      assert.equal(code, EXIT.ok);
      assert.match(stdout, new RegExp(`^usage: iam-user-teardown ${command} `));
    }
    // The exit code of a refused question is stated where the exit codes are.
    assert.match(
      (await cli(["delete", "--help"])).stdout,
      /exit codes: .*1 at least one failed \(each named\) or the question was answered no \(nothing changed\)/,
    );
    assert.match((await cli(["--help"])).stdout, /exit codes: .*1 at least one failed or the question was answered no/);
  });

  it("--expect-user-id takes any UserId form IAM documents (an emulator's too)", async () => {
    await start();
    const seeded = emulator.seed({ users: [{ userName: "moto-style", accessKeys: 1 }] });
    const userId = seeded.users["moto-style"].userId;
    const { code, stderr } = await cli(["delete", "moto-style", "--yes", "--expect-user-id", userId]);
    assert.equal(code, EXIT.ok, stderr);
    emulator.seed({ users: [{ userName: "other-form" }] });
    const other = await cli(["delete", "other-form", "--yes", "--expect-user-id", "abcdefghijklmnopqrstu0123456789"]);
    assert.equal(other.code, EXIT.failed, other.stderr);
    assert.match(other.stderr, /different user/);
    assert.equal(emulator.state.userExists("other-form"), true);
  });

  it("plan over many users: one JSON line each and a summary, nothing changed", async () => {
    await start();
    const users = names("plan", 3);
    emulator.seed({ groups: ["staff"], managedPolicies: ["shared"], users: users.map(member) });
    const { code, lines } = await cli(["plan", ...users, "nobody", "--json"]);
    assert.equal(code, EXIT.ok);
    assert.equal(lines.filter((l) => l.outcome === "planned").length, 3);
    assert.deepEqual(lines.at(-1), { type: "summary", users: 4, planned: 3, "already-gone": 1, failed: 0, interrupted: 0 });
    assert.equal(emulator.log.filter((e) => e.mutating).length, 0);
  });

  it("an answer that is not IAM's XML (a proxy's HTML error page) names the action, the HTTP status and the start of the body", async () => {
    const proxy = http.createServer((_req, res) => {
      res.writeHead(403, { "content-type": "text/html" });
      res.end("<html><head><title>403 Forbidden</title></head><body><h1>Blocked by the corporate proxy</h1></body></html>");
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    resetIamClients();
    const restore = pointIamEndpointAt(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    try {
      const { code, stderr } = await cli(["plan", "someone"]);
      assert.equal(code, EXIT.failed);
      assert.match(stderr, /GetUser: the answer is not IAM's \(HTTP 403\): <html><head><title>403 Forbidden/, stderr);
      const del = await cli(["delete", "someone", "--yes", "--json"]);
      assert.equal(del.code, EXIT.failed);
      assert.match(del.stderr, /ListUsers: the answer is not IAM's \(HTTP 403\)/, del.stderr);
    } finally {
      restore();
      resetIamClients();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
