import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resetIamClients } from "../../provider/aws/client";
import { type CliIo, EXIT, runCli } from "../../provider/cli";
import { pointIamEndpointAt } from "../helpers/iam";
import { ManualClock } from "../helpers/manual-clock";
import { type Emulator, type EmulatorOptions, startEmulator, type UserSeed } from "../iam-emulator";

const DAY = 86_400_000;
const T0 = Date.parse("2026-03-01T12:00:00Z");
const ACTIVITY_ACTIONS = ["GetAccessKeyLastUsed", "GenerateServiceLastAccessedDetails", "GetServiceLastAccessedDetails"];

/** The fleet CLI's activity and selection, over the emulator, with one hand-moved clock for the account and the CLI. */
describe("fleet CLI: activity in plans, the --inactive-for guard, and --all selection", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let restoreEndpoint: () => void = () => undefined;
  let tmp: string;
  const start = async (options: EmulatorOptions = {}) => {
    await emulator?.stop();
    resetIamClients();
    clock = new ManualClock(T0);
    emulator = await startEmulator({ port: 0, clock: () => clock.now(), ...options });
    restoreEndpoint();
    restoreEndpoint = pointIamEndpointAt(emulator.endpoint);
  };
  /** Days before the run began (the clock moves on as the CLI waits for IAM's jobs). */
  const ago = (days: number) => new Date(T0 - days * DAY);
  async function cli(argv: string[], extra: Partial<CliIo> = {}) {
    let stdout = "";
    let stderr = "";
    const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), clock, ...extra });
    const lines = () =>
      stdout
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { code, stdout, stderr, lines };
  }
  /** Runs with the credentials of one of the account's users (the caller's own user). */
  async function asUser<T>(accessKeyId: string, run: () => Promise<T>): Promise<T> {
    const saved = process.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_ACCESS_KEY_ID = accessKeyId;
    resetIamClients();
    try {
      return await run();
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved;
      resetIamClients();
    }
  }
  const mutatingCallsOn = (userName: string) => emulator.log.filter((e) => e.mutating && e.userName === userName).map((e) => e.action);

  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "activity-cli-"))));
  after(async () => {
    restoreEndpoint();
    await emulator?.stop();
    resetIamClients();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("--inactive-for 30d: a key used yesterday and CodeCommit over SSH two days ago are refused untouched (named with the date), an unused user goes; exit 3", async () => {
    await start();
    const seeded = emulator.seed({
      groups: ["staff"],
      users: [
        {
          userName: "recent",
          createDate: ago(400),
          accessKeys: 2,
          accessKeysLastUsed: [{ date: ago(1), service: "s3", region: "eu-west-1" }],
          groups: ["staff"],
        },
        { userName: "ssh-only", createDate: ago(400), sshKeys: 1, serviceLastAccessed: [{ namespace: "codecommit", date: ago(2) }] },
        { userName: "idle", createDate: ago(100), loginProfile: true, passwordLastUsed: ago(95), accessKeys: 1, groups: ["staff"] },
      ],
    });
    const before = { recent: emulator.snapshotUser("recent"), sshOnly: emulator.snapshotUser("ssh-only") };
    emulator.clearLog();
    const run = await cli(["delete", "recent", "ssh-only", "idle", "--inactive-for", "30d", "--yes", "--json"]);
    assert.equal(run.code, EXIT.skipped, run.stderr);
    const byName = Object.fromEntries(run.lines().map((l) => [l.userName ?? "summary", l]));
    const usedKey = seeded.users.recent!.accessKeyIds[0];
    assert.equal(byName.recent!.outcome, "skipped-active");
    assert.equal(byName.recent!.reason, `active 1 day ago: access key ${usedKey} (s3, eu-west-1) on ${ago(1).toISOString()}`);
    assert.deepEqual(byName.recent!.lastActivity, { date: ago(1).toISOString(), source: `access key ${usedKey} (s3, eu-west-1)` });
    assert.equal(byName["ssh-only"]!.outcome, "skipped-active");
    assert.match(String(byName["ssh-only"]!.reason), /^active 2 days ago: service codecommit on /);
    assert.equal(byName.idle!.outcome, "deleted");
    // With the guard on, every line carries the activity it was decided on.
    const idleActivity = byName.idle!.activity as { lastActivity: { source: string }; passwordLastUsed: string };
    assert.equal(idleActivity.lastActivity.source, "console password");
    assert.equal(idleActivity.passwordLastUsed, ago(95).toISOString());
    assert.equal(emulator.state.userExists("idle"), false);
    assert.deepEqual(emulator.snapshotUser("recent"), before.recent, "untouched");
    assert.deepEqual(emulator.snapshotUser("ssh-only"), before.sshOnly, "untouched");
    assert.deepEqual(mutatingCallsOn("recent"), []);
    assert.deepEqual(mutatingCallsOn("ssh-only"), []);
    assert.match(
      run.stderr,
      new RegExp(`skipped-active: recent: active 1 day ago: access key ${usedKey} \\(s3, eu-west-1\\) on 2026-02-28T12:00:00.000Z`),
    );
    // The service last-accessed job was in progress first: polled through the CLI's clock, no real wait.
    assert.ok(clock.sleeps.length >= 3, `waits ${clock.sleeps.join(", ")}`);
  });

  it("a permission missing for the activity: the guard cannot call a user inactive, so it fails untouched; plan names it", async () => {
    await start({ denyActions: ["GetAccessKeyLastUsed"] });
    emulator.seed({ users: [{ userName: "unreadable", createDate: ago(200), accessKeys: 1 }] });
    const before = emulator.snapshotUser("unreadable");
    const run = await cli(["delete", "unreadable", "--inactive-for", "90d", "--yes", "--json"]);
    assert.equal(run.code, EXIT.failed, run.stderr);
    const line = run.lines()[0]!;
    assert.equal(line.outcome, "failed");
    assert.match(
      String(line.error),
      /^cannot tell whether IAM user unreadable was inactive that long: access keys: .*GetAccessKeyLastUsed.*nothing was changed$/,
    );
    assert.deepEqual(emulator.snapshotUser("unreadable"), before);
    const plan = (await cli(["plan", "unreadable", "--json"])).lines()[0]!;
    assert.match(String((plan.activity as { unknown: string[] }).unknown[0]), /^access keys: .*GetAccessKeyLastUsed/);
  });

  it("a plain delete reads no activity: not one activity call, no activity in --json", async () => {
    await start();
    emulator.seed({ users: [{ userName: "plain", accessKeys: 2, sshKeys: 1 }] });
    emulator.clearLog();
    const run = await cli(["delete", "plain", "--yes", "--json"]);
    assert.equal(run.code, EXIT.ok, run.stderr);
    const actions = emulator.log.map((e) => e.action);
    for (const a of ACTIVITY_ACTIONS) assert.equal(actions.filter((x) => x === a).length, 0, a);
    assert.equal(run.lines()[0]!.activity, undefined);
    assert.ok(!("activity" in run.lines()[0]!));
  });

  it("plan shows the activity: a text line, --json fields, a column in --markdown", async () => {
    await start();
    const seeded = emulator.seed({
      users: [
        {
          userName: "shown",
          createDate: ago(200),
          accessKeys: 2,
          accessKeysLastUsed: [{ date: ago(3), service: "ec2", region: "us-west-2" }],
        },
      ],
    });
    const [used, unused] = seeded.users.shown!.accessKeyIds;
    const text = await cli(["plan", "shown"]);
    assert.equal(text.code, EXIT.ok, text.stderr);
    const line = text.stdout.split("\n").find((l) => l.startsWith("activity: "));
    assert.ok(line, text.stdout);
    assert.match(
      line!,
      new RegExp(
        `^activity: last ${ago(3).toISOString()} \\(access key ${used} \\(ec2, us-west-2\\)\\); created 2025-08-13; password never; keys `,
      ),
    );
    assert.match(line!, /; keys (2026-02-26, never|never, 2026-02-26); /);
    assert.ok(!line!.includes(unused!), "the ids are the inventory's");
    const json = (await cli(["plan", "shown", "--json"])).lines()[0]!;
    const activity = json.activity as { created: string; credentials: Array<{ id: string; lastUsed?: string }>; lastActivity: unknown };
    assert.equal(activity.created, ago(200).toISOString());
    assert.deepEqual(activity.lastActivity, { date: ago(3).toISOString(), source: `access key ${used} (ec2, us-west-2)` });
    assert.equal(activity.credentials.find((c) => c.id === unused)!.lastUsed, undefined);
    const md = await cli(["plan", "shown", "--markdown"]);
    assert.match(md.stdout, /^\| user \| last activity \|/m);
    assert.match(md.stdout, new RegExp(`^\\| \`shown\` \\| 2026-02-26, access key ${used} \\(ec2, us-west-2\\) \\|`, "m"));
  });

  it("plan --all narrowed by path, tags, creation and exclusions; --inactive-for lists the active apart as kept; exit 0", async () => {
    await start();
    const users: UserSeed[] = [
      { userName: "t-old", path: "/teams/", tags: { team: "red", env: "prod" }, createDate: ago(300) },
      { userName: "t-young", path: "/teams/", tags: { team: "red", env: "prod" }, createDate: ago(10) },
      { userName: "t-blue", path: "/teams/", tags: { team: "blue", env: "prod" }, createDate: ago(300) },
      { userName: "t-excluded", path: "/teams/", tags: { team: "red", env: "prod" }, createDate: ago(300) },
      { userName: "t-filed", path: "/teams/", tags: { team: "red", env: "prod" }, createDate: ago(300) },
      {
        userName: "t-active",
        path: "/teams/",
        tags: { team: "red", env: "prod" },
        createDate: ago(300),
        accessKeys: 1,
        accessKeysLastUsed: [{ date: ago(3) }],
      },
      { userName: "elsewhere", path: "/other/", tags: { team: "red", env: "prod" }, createDate: ago(300) },
    ];
    emulator.seed({ users });
    const excludeFile = path.join(tmp, "exclude.txt");
    fs.writeFileSync(excludeFile, "# never these\nt-filed\n");
    const argv = [
      "plan",
      "--all",
      "--path-prefix",
      "/teams/",
      "--tag",
      "team=red",
      "--tag",
      "env=prod",
      "--created-before",
      ago(30).toISOString().slice(0, 10),
    ];
    const narrowed = await cli([...argv, "--exclude", "t-excluded", "--exclude-from", excludeFile, "--inactive-for", "90d", "--json"]);
    assert.equal(narrowed.code, EXIT.ok, narrowed.stderr);
    const lines = narrowed.lines();
    const planned = lines.filter((l) => l.outcome === "planned").map((l) => l.userName);
    assert.deepEqual(planned, ["t-old"]);
    const kept = lines.filter((l) => l.outcome === "skipped-active");
    assert.deepEqual(
      kept.map((l) => l.userName),
      ["t-active"],
    );
    assert.match(String(kept[0]!.reason), /^active 3 days ago: access key AKIA\w+ \(s3, us-east-1\) on /);
    assert.equal(lines.at(-1)!.kept, 1);
    const text = await cli([...argv, "--inactive-for", "90d"]);
    assert.equal(text.code, EXIT.ok, text.stderr);
    assert.match(text.stdout, /^kept \(active within 90d\): t-active: active 3 days ago: access key AKIA\w+ \(s3, us-east-1\) on /m);
    assert.match(text.stderr, /^--all: 3 of 7 user\(s\) selected, 1 kept as active within 90d$/m);
  });

  it("usage: delete --all needs --allowed-account-id; narrowing needs --all; windows are days or hours (exit 2, nothing called)", async () => {
    await start();
    emulator.clearLog();
    for (const argv of [
      ["delete", "--all", "--yes"],
      ["plan", "someone", "--path-prefix", "/x/"],
      ["plan", "--all", "--inactive-for", "3w"],
      ["plan", "--all", "someone"],
      ["plan", "--all", "--tag", "novalue"],
      ["plan", "--all", "--created-before", "yesterday"],
    ]) {
      const run = await cli(argv);
      assert.equal(run.code, EXIT.usage, `${argv.join(" ")}: ${run.stderr}`);
    }
    assert.match((await cli(["delete", "--all", "--yes"])).stderr, /delete --all needs --allowed-account-id/);
    assert.equal(emulator.log.length, 0);
  });

  it("the question of a delete --all shows the count and the first names; a no changes nothing", async () => {
    await start();
    emulator.seed({ users: Array.from({ length: 8 }, (_, i) => ({ userName: `ask-${i}`, path: "/ask/", createDate: ago(200) })) });
    let question = "";
    const run = await cli(["delete", "--all", "--path-prefix", "/ask/", "--allowed-account-id", emulator.accountId], {
      confirm: async (q) => {
        question = q;
        return false;
      },
    });
    assert.equal(run.code, EXIT.declined, run.stderr);
    assert.match(
      question,
      new RegExp(`^Delete 8 IAM user\\(s\\) in account ${emulator.accountId} and everything that hangs on them\\? \\[y/N\\] $`),
    );
    assert.match(run.stderr, /^users: ask-0, ask-1, ask-2, ask-3, ask-4 and 3 more$/m);
    for (let i = 0; i < 8; i++) assert.equal(emulator.state.userExists(`ask-${i}`), true);
  });

  it("the caller's own user is refused when named (untouched, exit 1) unless --include-self", async () => {
    await start();
    const seeded = emulator.seed({ users: [{ userName: "me", accessKeys: 1 }, { userName: "other" }] });
    const myKey = seeded.users.me!.accessKeyIds[0]!;
    await asUser(myKey, async () => {
      const refused = await cli(["delete", "me", "other", "--yes", "--json"]);
      assert.equal(refused.code, EXIT.failed, refused.stderr);
      const me = refused.lines().find((l) => l.userName === "me")!;
      assert.equal(me.outcome, "failed");
      assert.match(String(me.error), /refusing to delete IAM user me: it is the caller's own user.*--include-self/);
      assert.equal(emulator.state.userExists("me"), true);
      assert.deepEqual(mutatingCallsOn("me"), []);
      assert.equal(emulator.state.userExists("other"), false);
      const included = await cli(["delete", "me", "--yes", "--json", "--include-self"]);
      assert.equal(included.code, EXIT.ok, included.stderr);
      assert.equal(emulator.state.userExists("me"), false);
    });
  });

  it("delete --all --include-self tears the caller's own user down last, once every other user is done", async () => {
    await start();
    const seeded = emulator.seed({
      users: [
        { userName: "a-me", path: "/team/", createDate: ago(10), accessKeys: 1 },
        ...["b", "c", "d", "e", "f", "g"].map((n) => ({ userName: `${n}-other`, path: "/team/", createDate: ago(10), accessKeys: 1 })),
      ],
    });
    emulator.clearLog();
    const run = await asUser(seeded.users["a-me"]!.accessKeyIds[0]!, () =>
      cli([
        "delete",
        "--all",
        "--path-prefix",
        "/team/",
        "--include-self",
        "--concurrency",
        "4",
        "--allowed-account-id",
        emulator.accountId,
        "--yes",
        "--json",
      ]),
    );
    const byName = Object.fromEntries(run.lines().map((l) => [String(l.userName ?? "summary"), l]));
    for (const n of ["b", "c", "d", "e", "f", "g"]) assert.equal(byName[`${n}-other`]!.outcome, "deleted", run.stderr);
    // a-me comes first in the account's order, and still goes last.
    const mutating = emulator.log.filter((e) => e.mutating);
    const firstOnSelf = mutating.findIndex((e) => e.userName === "a-me");
    const lastOnOthers = mutating.map((e) => e.userName).lastIndexOf("g-other");
    assert.ok(firstOnSelf > lastOnOthers, `the caller's own user was touched at ${firstOnSelf}, before ${lastOnOthers}`);
    assert.ok(mutating.slice(firstOnSelf).every((e) => e.userName === "a-me"));
  });

  it("delete --all --path-prefix /contractors/ --inactive-for 90d over 300 users removes exactly the inactive contractors, never the caller's own user", async function () {
    this.timeout(120_000);
    await start();
    const users: UserSeed[] = [];
    for (let i = 0; i < 120; i++)
      users.push({
        userName: `c-idle-${i}`,
        path: "/contractors/",
        createDate: ago(200),
        accessKeys: 1,
        accessKeysLastUsed: [{ date: ago(120) }],
      });
    for (let i = 0; i < 40; i++)
      users.push({
        userName: `c-busy-${i}`,
        path: "/contractors/",
        createDate: ago(200),
        accessKeys: 1,
        accessKeysLastUsed: [{ date: ago(5) }],
      });
    for (let i = 0; i < 20; i++)
      users.push({
        userName: `c-console-${i}`,
        path: "/contractors/",
        createDate: ago(200),
        loginProfile: true,
        passwordLastUsed: ago(30),
      });
    for (let i = 0; i < 119; i++) users.push({ userName: `staff-${i}`, path: "/staff/", createDate: ago(400) });
    // The caller: a contractor unused for 200 days, until this very run signs with its key.
    users.push({ userName: "c-runner", path: "/contractors/", createDate: ago(200), accessKeys: 1 });
    assert.equal(users.length, 300);
    const seeded = emulator.seed({ users });
    const before = Object.fromEntries(
      users.filter((u) => !u.userName.startsWith("c-idle")).map((u) => [u.userName, emulator.snapshotUser(u.userName)]),
    );
    const run = await asUser(seeded.users["c-runner"]!.accessKeyIds[0]!, () =>
      cli([
        "delete",
        "--all",
        "--path-prefix",
        "/contractors/",
        "--inactive-for",
        "90d",
        "--yes",
        "--json",
        "--allowed-account-id",
        emulator.accountId,
      ]),
    );
    assert.equal(run.code, EXIT.ok, run.stderr);
    const lines = run.lines();
    const deleted = lines.filter((l) => l.outcome === "deleted").map((l) => String(l.userName));
    assert.equal(deleted.length, 120);
    assert.ok(deleted.every((n) => n.startsWith("c-idle-")));
    for (let i = 0; i < 120; i++) assert.equal(emulator.state.userExists(`c-idle-${i}`), false);
    for (const [name, snapshot] of Object.entries(before)) {
      const now = emulator.snapshotUser(name);
      assert.deepEqual(now, snapshot, `${name} untouched`);
    }
    const kept = lines.filter((l) => l.outcome === "skipped-active").map((l) => String(l.userName));
    assert.equal(kept.length, 60);
    assert.ok(!kept.includes("c-runner") && !deleted.includes("c-runner"));
    assert.match(run.stderr, /left out c-runner, the caller's own user/);
    // One walk of the account's users selects (and finds) them: none other before the first change.
    const firstChange = emulator.log.findIndex((e) => e.mutating);
    assert.equal(emulator.log.slice(0, firstChange).filter((e) => e.action === "ListUsers").length, 1);
    // Activity was read once per contractor: the selection's reading is what the guard decided on.
    const generated = emulator.log.filter((e) => e.action === "GenerateServiceLastAccessedDetails").length;
    assert.equal(generated, 180);
    assert.deepEqual(lines.at(-1), {
      type: "summary",
      users: 120,
      deleted: 120,
      cleared: 0,
      "already-gone": 0,
      failed: 0,
      interrupted: 0,
      kept: 60,
    });
  });

  it("disable --all --path-prefix --inactive-for disables exactly the idle contractors (never the caller's own user); enable --all gives back what was Active", async () => {
    await start();
    const seeded = emulator.seed({
      users: [
        { userName: "c-idle-1", path: "/contractors/", createDate: ago(200), accessKeys: 2, accessKeysLastUsed: [{ date: ago(120) }] },
        { userName: "c-idle-2", path: "/contractors/", createDate: ago(200), sshKeys: 1 },
        { userName: "c-busy", path: "/contractors/", createDate: ago(200), accessKeys: 1, accessKeysLastUsed: [{ date: ago(3) }] },
        { userName: "c-runner", path: "/contractors/", createDate: ago(200), accessKeys: 1 },
        { userName: "staff", path: "/staff/", createDate: ago(400), accessKeys: 1 },
      ],
    });
    // One key of c-idle-1 was Inactive before: enable must leave it so.
    emulator.state.getUser("c-idle-1")!.accessKeys.toArray()[1]!.status = "Inactive";
    const bystanders = ["c-busy", "c-runner", "staff"];
    const before = Object.fromEntries(["c-idle-1", "c-idle-2", ...bystanders].map((n) => [n, emulator.snapshotUser(n)]));
    const runnerKey = seeded.users["c-runner"]!.accessKeyIds[0]!;
    const selection = ["--all", "--path-prefix", "/contractors/", "--allowed-account-id", emulator.accountId];
    let question = "";
    const declined = await asUser(runnerKey, () =>
      cli(["disable", ...selection, "--inactive-for", "90d"], {
        confirm: async (q) => {
          question = q;
          return false;
        },
      }),
    );
    assert.equal(declined.code, EXIT.declined, declined.stderr);
    assert.match(question, /^Disable 2 IAM user\(s\) in account \d{12} \(credentials set Inactive, every action denied\)\? \[y\/N\] $/);
    assert.match(declined.stderr, /^users: c-idle-1, c-idle-2$/m);
    assert.match(declined.stderr, /left out c-runner, the caller's own user/);
    assert.deepEqual(emulator.snapshotUser("c-idle-1"), before["c-idle-1"], "a no changes nothing");

    const run = await asUser(runnerKey, () => cli(["disable", ...selection, "--inactive-for", "90d", "--yes", "--json"]));
    assert.equal(run.code, EXIT.ok, run.stderr);
    const byName = Object.fromEntries(run.lines().map((l) => [String(l.userName ?? "summary"), l]));
    assert.equal(byName["c-idle-1"]!.outcome, "disabled");
    assert.equal(byName["c-idle-2"]!.outcome, "disabled");
    assert.equal(byName["c-busy"]!.outcome, "skipped-active", "kept apart, named with its activity");
    assert.match(String(byName["c-busy"]!.reason), /^active 3 days ago: access key /);
    assert.equal(byName["c-runner"], undefined, "the caller's own user is not selected");
    assert.deepEqual(byName.summary, { type: "summary", users: 2, disabled: 2, kept: 1 });
    const idle = emulator.snapshotUser("c-idle-1") as { accessKeys: Array<{ status: string }>; inlinePolicies: object };
    assert.deepEqual(
      idle.accessKeys.map((k) => k.status),
      ["Inactive", "Inactive"],
    );
    assert.ok("iam-user-teardown-quarantine" in idle.inlinePolicies);
    for (const name of bystanders) assert.deepEqual(emulator.snapshotUser(name), before[name], `${name} untouched`);

    // Run by the same caller: enable gives back, so its own user is not left out.
    const enabled = await asUser(runnerKey, () => cli(["enable", ...selection, "--yes", "--json"]));
    assert.equal(enabled.code, EXIT.ok, enabled.stderr);
    assert.doesNotMatch(enabled.stderr, /left out/);
    const outcomes = Object.fromEntries(enabled.lines().map((l) => [String(l.userName ?? "summary"), l.outcome]));
    assert.deepEqual(outcomes, {
      "c-idle-1": "enabled",
      "c-idle-2": "enabled",
      "c-busy": "not-disabled",
      "c-runner": "not-disabled",
      summary: undefined,
    });
    for (const name of ["c-idle-1", "c-idle-2", ...bystanders])
      assert.deepEqual(emulator.snapshotUser(name), before[name], `${name} as it was before the disable`);
  });

  it("--exclude matches a name whatever its case, and an exclusion that names no user is said", async () => {
    await start();
    emulator.seed({ users: ["ana", "bo", "cy"].map((userName) => ({ userName, path: "/x/", createDate: ago(10) })) });
    const run = await cli(["plan", "--all", "--path-prefix", "/x/", "--exclude", "ANA", "--exclude", "bruno", "--json"]);
    assert.equal(run.code, EXIT.ok, run.stderr);
    const planned = run
      .lines()
      .filter((l) => l.type === "user")
      .map((l) => l.userName);
    assert.deepEqual(planned.sort(), ["bo", "cy"]);
    assert.match(run.stderr, /--all: 2 of 3 user\(s\) selected; excluded but no such user: bruno/);
  });

  it("disable with names: --inactive-for keeps an active user untouched (exit 3); the caller's own user is refused", async () => {
    await start();
    const seeded = emulator.seed({
      users: [
        { userName: "me", createDate: ago(200), accessKeys: 1 },
        { userName: "busy", createDate: ago(200), accessKeys: 1, accessKeysLastUsed: [{ date: ago(1) }] },
        { userName: "idle", createDate: ago(200), accessKeys: 1, accessKeysLastUsed: [{ date: ago(100) }] },
      ],
    });
    const busyBefore = emulator.snapshotUser("busy");
    const meBefore = emulator.snapshotUser("me");
    await asUser(seeded.users.me!.accessKeyIds[0]!, async () => {
      const run = await cli(["disable", "me", "busy", "idle", "--inactive-for", "30d", "--yes", "--json"]);
      assert.equal(run.code, EXIT.failed, run.stderr);
      const byName = Object.fromEntries(run.lines().map((l) => [String(l.userName ?? "summary"), l]));
      assert.match(
        String(byName.me!.error),
        /refusing to disable IAM user me: it is the caller's own user.*disable it with other credentials/,
      );
      assert.equal(byName.busy!.outcome, "skipped-active");
      assert.match(String(byName.busy!.reason), /^active 1 day ago: access key /);
      assert.equal((byName.busy!.activity as { lastActivity: { date: string } }).lastActivity.date, ago(1).toISOString());
      assert.equal(byName.idle!.outcome, "disabled");
      assert.match(run.stderr, /^ {2}skipped-active: busy: active 1 day ago/m);
      assert.deepEqual(emulator.snapshotUser("busy"), busyBefore);
      assert.deepEqual(emulator.snapshotUser("me"), meBefore);
      assert.deepEqual(mutatingCallsOn("me"), []);
      assert.deepEqual(mutatingCallsOn("busy"), []);
    });
    // Without the caller among them, a guarded skip is exit 3.
    const guarded = await cli(["disable", "busy", "--inactive-for", "30d", "--yes", "--json"]);
    assert.equal(guarded.code, EXIT.skipped, guarded.stderr);
  });

  it("usage: disable and enable --all need --allowed-account-id; enable takes no --inactive-for, neither takes --include-self (exit 2, nothing called)", async () => {
    await start();
    emulator.clearLog();
    for (const [argv, message] of [
      [["disable", "--all", "--yes"], /disable --all needs --allowed-account-id/],
      [["enable", "--all", "--yes"], /enable --all needs --allowed-account-id/],
      [["enable", "x", "--inactive-for", "30d", "--yes"], /--inactive-for applies to plan, delete and disable/],
      [["enable", "x", "--include-self", "--yes"], /--include-self applies to plan and delete/],
      [["disable", "x", "--include-self", "--yes"], /disable --include-self: a deny-all on the caller's own user would stop the run/],
      [["disable", "x", "--path-prefix", "/x/", "--yes"], /--path-prefix narrows --all/],
    ] as const) {
      const run = await cli([...argv]);
      assert.equal(run.code, EXIT.usage, `${argv.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
    assert.equal(emulator.log.length, 0);
  });
});
