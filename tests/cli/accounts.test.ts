import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type CliIo, EXIT, runCli } from "../../provider/cli";
import { accountsFromText, partitionOf } from "../../provider/cli/accounts";
import { UsageError } from "../../provider/cli/args";
import { everyKind } from "../helpers/iam";
import { ManualClock } from "../helpers/manual-clock";
import { type Emulator, type EmulatorOptions, startEmulator } from "../iam-emulator";

const SALES = "222222222222";
const LEGAL = "333333333333";
const LAB = "444444444444";
const role = (account: string, name = "Decommission") => `arn:aws:iam::${account}:role/${name}`;

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
  return { code, stdout, stderr, lines };
}

/** An organization run over the emulator: every account through its own assumed role, the refused ones untouched. */
describe("CLI: several accounts in one run", () => {
  let emulator: Emulator;
  let dir: string;
  const saved = { iam: process.env.AWS_ENDPOINT_URL_IAM, sts: process.env.AWS_ENDPOINT_URL_STS };
  const restore = (name: string, value: string | undefined) =>
    value === undefined ? delete process.env[name] : (process.env[name] = value);

  const start = async (options: EmulatorOptions = {}) => {
    emulator = await startEmulator({
      accounts: [SALES, LEGAL, LAB],
      // LEGAL's role exists, but this caller may not assume it.
      roles: [{ roleArn: role(SALES) }, { roleArn: role(LAB), externalId: "lab-ext-id" }],
      ...options,
    });
    process.env.AWS_ENDPOINT_URL_IAM = emulator.endpoint;
    process.env.AWS_ENDPOINT_URL_STS = emulator.endpoint;
  };
  const accountsFile = (text: string) => {
    const file = path.join(dir, `accounts-${Math.random().toString(36).slice(2)}.txt`);
    fs.writeFileSync(file, text);
    return file;
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "iam-accounts-"));
  });
  afterEach(async () => {
    restore("AWS_ENDPOINT_URL_IAM", saved.iam);
    restore("AWS_ENDPOINT_URL_STS", saved.sts);
    await emulator?.stop();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("tears down two accounts in one run and refuses the third before any change, naming it (exit 1)", async () => {
    await start();
    emulator.account(SALES).seed({ users: [everyKind("sales-ana"), everyKind("sales-bo")] });
    emulator.account(LAB).seed({ users: [everyKind("lab-cy")] });
    emulator.account(LEGAL).seed({ users: [everyKind("legal-di")] });
    const legalBefore = emulator.account(LEGAL).snapshotUser("legal-di");
    const file = accountsFile(
      [
        "# decommission: business unit West",
        `${SALES} ${role(SALES)} - sales-ana,sales-bo`,
        "",
        `${LEGAL}\t${role(LEGAL)}  -  legal-di   # not allowed to this caller`,
        `${LAB} ${role(LAB)} lab-ext-id lab-cy`,
      ].join("\n"),
    );
    const run = await cli(["delete", "--accounts-file", file, "--yes", "--json"]);
    assert.equal(run.code, EXIT.failed, run.stderr);
    for (const [account, user] of [
      [SALES, "sales-ana"],
      [SALES, "sales-bo"],
      [LAB, "lab-cy"],
    ])
      assert.equal(emulator.account(account).userExists(user), false, `${account}/${user}`);
    assert.deepEqual(emulator.account(LEGAL).snapshotUser("legal-di"), legalBefore, "the refused account's user is whole");
    assert.deepEqual(
      emulator.log.filter((e) => e.accountId === LEGAL),
      [],
      "not one request acted in the refused account",
    );
    assert.equal(emulator.log.filter((e) => e.mutating && e.accountId === emulator.accountId).length, 0, "nor in the caller's own");
    assert.match(
      run.stderr,
      new RegExp(`account ${LEGAL} \\(.* line 4, role ${role(LEGAL)}\\) refused: .*not authorized to perform: sts:AssumeRole`),
    );
    const lines = run.lines();
    const users = lines.filter((l) => l.type === "user");
    assert.deepEqual(users.map((l) => `${l.accountId}/${l.userName}:${l.outcome}`).sort(), [
      `${SALES}/sales-ana:deleted`,
      `${SALES}/sales-bo:deleted`,
      `${LAB}/lab-cy:deleted`,
    ]);
    for (const u of users) assert.match(String(u.arn), new RegExp(`^arn:aws:iam::${u.accountId}:user/`), "each user in its own account");
    const accounts = lines.filter((l) => l.type === "account");
    assert.deepEqual(
      accounts.map((l) => [l.accountId, l.outcome, l.deleted]),
      [
        [SALES, "done", 2],
        [LEGAL, "refused", undefined],
        [LAB, "done", 1],
      ],
    );
    assert.match(String(accounts[1].error), /AssumeRole/);
    assert.deepEqual(
      { ...lines.at(-1), type: lines.at(-1)!.type },
      {
        type: "summary",
        users: 3,
        deleted: 3,
        cleared: 0,
        "already-gone": 0,
        failed: 0,
        interrupted: 0,
        accounts: 3,
        refusedAccounts: [LEGAL],
      },
    );
    assert.match(run.stderr, new RegExp(`^account ${SALES}: 2 user\\(s\\): 2 deleted$`, "m"));
    assert.match(run.stderr, new RegExp(`^account ${LEGAL}: refused: `, "m"));
    assert.match(run.stderr, new RegExp(`^3 account\\(s\\) \\(1 refused: ${LEGAL}\\), 3 user\\(s\\): 3 deleted$`, "m"));
  });

  it("refuses an account its role does not reach (the role is in another account), and the others go on", async () => {
    await start();
    emulator.account(SALES).seed({ users: [{ userName: "shared-name", accessKeys: 1 }] });
    emulator.account(LAB).seed({ users: [{ userName: "shared-name", accessKeys: 1 }] });
    // Listed as LEGAL, but the role is SALES's: its session would act in SALES.
    const file = accountsFile(`${LEGAL} ${role(SALES)}\n${LAB} ${role(LAB)} lab-ext-id\n`);
    const run = await cli(["delete", "shared-name", "--accounts-file", file, "--yes"]);
    assert.equal(run.code, EXIT.failed, run.stderr);
    assert.equal(emulator.account(SALES).userExists("shared-name"), true, "the account the role reaches is not touched");
    assert.equal(emulator.account(LAB).userExists("shared-name"), false);
    assert.equal(emulator.log.filter((e) => e.mutating && e.accountId === SALES).length, 0);
    assert.match(
      run.stderr,
      new RegExp(
        `account ${LEGAL} .*refused: refusing to change anything: the credentials reach AWS account ${SALES}, but only AWS account ${LEGAL} is allowed`,
      ),
    );
  });

  it("--role-name builds each account's role ARN; plan --markdown groups by account", async () => {
    await start({ roles: [{ roleArn: role(SALES, "Teardown") }, { roleArn: role(LAB, "Teardown") }] });
    emulator.account(SALES).seed({ users: [everyKind("ana")] });
    emulator.account(LAB).seed({ users: [{ userName: "ana", accessKeys: 1 }] });
    const run = await cli(["plan", "ana", "--role-name", "Teardown", "--account", SALES, "--account", LAB, "--markdown"]);
    assert.equal(run.code, EXIT.ok, run.stderr);
    assert.deepEqual(emulator.sts.sessions.map((s) => s.roleArn).sort(), [role(SALES, "Teardown"), role(LAB, "Teardown")]);
    assert.match(run.stdout, /^### IAM user teardown plan: 2 accounts\n/);
    const sales = run.stdout.indexOf(`#### Account ${SALES}`);
    const lab = run.stdout.indexOf(`#### Account ${LAB}`);
    assert.ok(sales > 0 && lab > sales, run.stdout);
    assert.match(run.stdout.slice(lab), /\| `ana` \| [^|]+ \| 1 \| \*\*1\*\* \|/);
    assert.equal(emulator.log.filter((e) => e.mutating).length, 0, "a plan changes nothing");
  });

  it("asks once for every account; a no changes nothing anywhere (exit 1)", async () => {
    await start();
    emulator.account(SALES).seed({ users: [everyKind("ana")] });
    emulator.account(LAB).seed({ users: [everyKind("ana"), { userName: "bo" }] });
    const file = accountsFile(`${SALES} ${role(SALES)} - ana\n${LAB} ${role(LAB)} lab-ext-id ana,bo,gone\n`);
    const questions: string[] = [];
    const run = await cli(["delete", "--accounts-file", file], {
      confirm: async (question) => {
        questions.push(question);
        return false;
      },
    });
    assert.equal(run.code, EXIT.declined, run.stderr);
    assert.deepEqual(questions, ["Delete 3 IAM user(s) in 2 account(s) and everything that hangs on them? [y/N] "]);
    assert.match(
      run.stderr,
      new RegExp(`3 IAM user\\(s\\) in 2 account\\(s\\) to delete \\(${SALES}: 1, ${LAB}: 2\\); 1 not found \\(already gone\\)`),
    );
    assert.match(run.stderr, /not confirmed: nothing changed/);
    assert.equal(emulator.log.filter((e) => e.mutating).length, 0);
  });

  it("--allowed-account-id refuses the accounts it does not name, without a call to them; plan --json names them", async () => {
    await start();
    emulator.account(SALES).seed({ users: [{ userName: "ana", accessKeys: 1 }] });
    emulator.account(LAB).seed({ users: [{ userName: "ana", accessKeys: 1 }] });
    const file = accountsFile(`${SALES} ${role(SALES)}\n${LAB} ${role(LAB)} lab-ext-id\n`);
    const run = await cli(["plan", "ana", "--accounts-file", file, "--allowed-account-id", SALES, "--json"]);
    assert.equal(run.code, EXIT.failed, run.stderr);
    const lines = run.lines();
    assert.deepEqual(
      lines.filter((l) => l.type === "user").map((l) => [l.accountId, l.userName, l.outcome]),
      [[SALES, "ana", "planned"]],
    );
    const refused = lines.find((l) => l.type === "account" && l.outcome === "refused")!;
    assert.equal(refused.accountId, LAB);
    assert.match(String(refused.error), new RegExp(`AWS account ${LAB} is not among --allowed-account-id ${SALES}`));
    assert.deepEqual(lines.at(-1)!.refusedAccounts, [LAB]);
    assert.equal(emulator.sts.sessions.filter((s) => s.accountId === LAB).length, 0, "its role was not even assumed");
    assert.equal(emulator.log.filter((e) => e.accountId === LAB).length, 0);
  });

  it("--all --inactive-for selects in every account: plan keeps the active apart, delete removes only the idle (exit 0)", async () => {
    await start();
    const DAY = 86_400_000;
    const ago = (days: number) => new Date(Date.now() - days * DAY);
    const idle = (userName: string) => ({ userName, createDate: ago(400), accessKeys: 1, accessKeysLastUsed: [{ date: ago(120) }] });
    emulator.account(SALES).seed({
      users: [idle("sales-idle"), { userName: "sales-busy", createDate: ago(400), accessKeys: 1, accessKeysLastUsed: [{ date: ago(2) }] }],
    });
    emulator.account(LAB).seed({ users: [idle("lab-idle"), idle("lab-spared")] });
    const busyBefore = emulator.account(SALES).snapshotUser("sales-busy");
    const spared = emulator.account(LAB).snapshotUser("lab-spared");
    const file = accountsFile(`${SALES} ${role(SALES)}\n${LAB} ${role(LAB)} lab-ext-id\n`);
    const selection = ["--all", "--inactive-for", "30d", "--exclude", "lab-spared", "--accounts-file", file];

    const plan = await cli(["plan", ...selection, "--markdown"]);
    assert.equal(plan.code, EXIT.ok, plan.stderr);
    assert.match(plan.stderr, new RegExp(`^account ${SALES}: --all: 1 of 2 user\\(s\\) selected, 1 kept as active within 30d$`, "m"));
    assert.match(plan.stderr, new RegExp(`^account ${LAB}: --all: 1 of 2 user\\(s\\) selected$`, "m"));
    const salesTable = plan.stdout.slice(plan.stdout.indexOf(`#### Account ${SALES}`), plan.stdout.indexOf(`#### Account ${LAB}`));
    assert.match(salesTable, /sales-idle/);
    assert.match(salesTable, /sales-busy.*active 2 days ago: access key AKIA/s, "the kept user is named in its account's table");
    assert.ok(!plan.stdout.includes("lab-spared"), "--exclude applies in every account");

    const run = await cli(["delete", ...selection, "--yes", "--json"]);
    assert.equal(run.code, EXIT.ok, run.stderr);
    const lines = run.lines();
    assert.deepEqual(
      lines
        .filter((l) => l.type === "user")
        .map((l) => `${l.accountId}/${l.userName}:${l.outcome}`)
        .sort(),
      // The kept user has a line of its own, as with one account: outcome skipped-active, nothing removed.
      [`${SALES}/sales-busy:skipped-active`, `${SALES}/sales-idle:deleted`, `${LAB}/lab-idle:deleted`],
    );
    for (const l of lines.filter((l) => l.type === "user"))
      assert.ok((l.activity as { lastActivity?: unknown }).lastActivity, "each user's activity goes with its line");
    const kept = lines.filter((l) => l.outcome === "skipped-active");
    assert.deepEqual(
      kept.map((l) => [l.accountId, l.userName, l.outcome]),
      [[SALES, "sales-busy", "skipped-active"]],
    );
    assert.deepEqual(emulator.account(SALES).snapshotUser("sales-busy"), busyBefore);
    assert.deepEqual(emulator.account(LAB).snapshotUser("lab-spared"), spared);
    assert.equal(lines.at(-1)!.kept, 1);
    assert.deepEqual(
      lines.filter((l) => l.type === "account").map((l) => [l.accountId, l.deleted, l.kept]),
      [
        [SALES, 1, 1],
        [LAB, 1, undefined],
      ],
    );
  });

  it("named users: the guards and --record apply in every account; a kept user is untouched (exit 3)", async () => {
    await start();
    const DAY = 86_400_000;
    const ago = (days: number) => new Date(Date.now() - days * DAY);
    emulator.account(SALES).seed({
      users: [
        { userName: "ana", createDate: ago(400), accessKeys: 1, accessKeysLastUsed: [{ date: ago(120) }], sshKeys: 1 },
        { userName: "bo", createDate: ago(400), accessKeys: 1, accessKeysLastUsed: [{ date: ago(1) }] },
      ],
    });
    emulator
      .account(LAB)
      .seed({ users: [{ userName: "ana", createDate: ago(400), accessKeys: 1, accessKeysLastUsed: [{ date: ago(90) }] }] });
    const boBefore = emulator.account(SALES).snapshotUser("bo");
    const records = fs.mkdtempSync(path.join(dir, "records-"));
    const file = accountsFile(`${SALES} ${role(SALES)} - ana,bo\n${LAB} ${role(LAB)} lab-ext-id ana\n`);
    const run = await cli(["delete", "--accounts-file", file, "--inactive-for", "30d", "--record", records, "--yes", "--json"]);
    assert.equal(run.code, EXIT.skipped, run.stderr);
    const users = run.lines().filter((l) => l.type === "user");
    assert.deepEqual(users.map((l) => `${l.accountId}/${l.userName}:${l.outcome}`).sort(), [
      `${SALES}/ana:deleted`,
      `${SALES}/bo:skipped-active`,
      `${LAB}/ana:deleted`,
    ]);
    assert.deepEqual(emulator.account(SALES).snapshotUser("bo"), boBefore);
    // One record per deleted user, under its own account; none for the kept user.
    const written = fs.readdirSync(records).flatMap((account) => fs.readdirSync(path.join(records, account)).map((f) => `${account}/${f}`));
    const ids = users.filter((l) => l.outcome === "deleted").map((l) => `${l.accountId}/${l.userId}.json`);
    assert.deepEqual(written.sort(), ids.sort());
    const salesAna = JSON.parse(
      fs.readFileSync(
        path.join(records, `${SALES}/${users.find((l) => l.accountId === SALES && l.userName === "ana")!.userId}.json`),
        "utf8",
      ),
    );
    assert.equal(salesAna.accountId, SALES);
    assert.equal(salesAna.items.sshPublicKeys.length, 1);

    // --disabled-for: a user never disabled is kept, in whichever account it is.
    emulator.account(LAB).seed({ users: [{ userName: "cy", accessKeys: 1 }] });
    const cyBefore = emulator.account(LAB).snapshotUser("cy");
    const guarded = await cli([
      "delete",
      "cy",
      "--role-name",
      "Decommission",
      "--account",
      LAB,
      "--disabled-for",
      "30d",
      "--yes",
      "--json",
    ]);
    // LAB's role needs its external id: --role-name gives none, so the account is refused before anything is read.
    assert.equal(guarded.code, EXIT.failed, guarded.stderr);
    const labFile = accountsFile(`${LAB} ${role(LAB)} lab-ext-id cy\n`);
    const kept = await cli(["delete", "--accounts-file", labFile, "--disabled-for", "30d", "--yes", "--json"]);
    assert.equal(kept.code, EXIT.skipped, kept.stderr);
    assert.equal(kept.lines().find((l) => l.type === "user")!.outcome, "skipped-not-disabled");
    assert.deepEqual(emulator.account(LAB).snapshotUser("cy"), cyBefore);
  });

  it("bad usage with several accounts changes nothing (exit 2): --all beside a users column, a plan file", async () => {
    await start();
    emulator.account(SALES).seed({ users: [{ userName: "ana", accessKeys: 1 }] });
    const withUsers = accountsFile(`${SALES} ${role(SALES)} - ana\n`);
    const plain = accountsFile(`${SALES} ${role(SALES)}\n`);
    for (const [argv, message] of [
      [["delete", "--all", "--accounts-file", withUsers, "--yes"], /lists users, and --all selects them: one or the other/],
      [["delete", "--plan", "plan.json", "--accounts-file", plain, "--yes"], /--plan holds one account's plan/],
      [["plan", "ana", "--out", "plan.json", "--accounts-file", plain], /--out holds one account's plan/],
      [["disable", "ana", "--accounts-file", plain, "--yes"], /disable runs in one account/],
    ] as const) {
      const run = await cli([...argv]);
      assert.equal(run.code, EXIT.usage, `${argv.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
    assert.deepEqual(emulator.log, [], "not one request");
  });

  it("refuses a malformed accounts file with its line, before any call (exit 2)", async () => {
    await start();
    const cases: Array<[string, RegExp]> = [
      [`# header\n12345 ${role(SALES)}\n`, /line 2: the account id must be 12 digits; got "12345"/],
      [`${SALES} not-an-arn\n`, /line 1: the role must be an IAM role ARN/],
      [`${SALES} ${role(SALES)} x\n`, /line 1: the external id must be 2 to 1224/],
      [`${SALES} ${role(SALES)} - ana,bad name\n`, /line 1: 5 fields/],
      [`${SALES} ${role(SALES)} - ana,b!d\n`, /line 1: user name/],
      [
        `${SALES} ${role(SALES)} - ana\n\n${SALES} ${role(SALES)} - bo\n`,
        /line 3: account 222222222222 is listed twice \(first at .* line 1\)/,
      ],
      [`${SALES} ${role(SALES)}\n`, /line 1: account 222222222222 has no users/],
      [`${SALES} -\n`, /line 1: no role ARN, and no --role-name/],
      ["# nothing\n", /no accounts listed/],
    ];
    for (const [text, message] of cases) {
      const run = await cli(["delete", "--accounts-file", accountsFile(text), "--yes"]);
      assert.equal(run.code, EXIT.usage, text);
      assert.match(run.stderr, message, text);
    }
    for (const [argv, message] of [
      [["delete", "a", "--account", SALES, "--yes"], /--account needs --role-name/],
      [["delete", "a", "--role-name", "R", "--yes"], /--role-name needs the accounts/],
      [["delete", "a", "--role-name", "R", "--account", "12", "--yes"], /--account needs a 12-digit/],
      [["delete", "a", "--role-name", "R", "--account", SALES, "--role-arn", role(SALES), "--yes"], /--role-arn is one account's role/],
      [["delete", "a", "--role-name", "R", "--account", SALES, "--account-concurrency", "0", "--yes"], /--account-concurrency needs/],
      [["delete", "a", "--account-concurrency", "2", "--yes"], /--account-concurrency applies to several accounts/],
    ] as const) {
      const run = await cli([...argv]);
      assert.equal(run.code, EXIT.usage, argv.join(" "));
      assert.match(run.stderr, message);
    }
    assert.equal(emulator.requestCount, 0, "nothing was called");
  });

  it("parses the file's forms: tabs, comments, '-' fields, --role-name for lines without a role, partitions", () => {
    const entries = accountsFromText(
      `${SALES}\t-\n${LAB} ${role(LAB)} ext-1 a,b,a # two users\n`,
      "f",
      "Cleanup",
      partitionOf("cn-north-1"),
    );
    assert.deepEqual(entries, [
      { accountId: SALES, roleArn: `arn:aws-cn:iam::${SALES}:role/Cleanup`, userNames: [], source: "f line 1" },
      { accountId: LAB, roleArn: role(LAB), externalId: "ext-1", userNames: ["a", "b"], source: "f line 2" },
    ]);
    assert.equal(partitionOf("us-gov-west-1"), "aws-us-gov");
    assert.equal(partitionOf(undefined), "aws");
    assert.throws(() => accountsFromText("x", "f", undefined, "aws"), UsageError);
  });

  it("renews each account's session before it expires: a run across several expiries meets no ExpiredToken", async () => {
    // Sessions of 20 s on the emulator's clock, which moves 50 ms with every request: a session lasts 400 requests,
    // and is renewed a quarter of its life (100 requests) before its end, more than the requests in flight at once
    // (two users at a time per account, each at most its nine listings at once).
    const clock = new ManualClock();
    await start({
      clock: () => clock.now(),
      sessionDurationSeconds: 20,
      hooks: [{ afterRequests: 1, every: true, run: () => clock.advance(50) }],
    });
    const names = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const seedUsers = names.map((userName) => ({ userName, accessKeys: 2, groups: ["team"], inlinePolicies: ["p"], sshKeys: 1 }));
    emulator.account(SALES).seed({ users: seedUsers });
    emulator.account(LAB).seed({ users: seedUsers });
    const file = accountsFile(`${SALES} ${role(SALES)}\n${LAB} ${role(LAB)} lab-ext-id\n`);
    const namesFile = path.join(dir, "names.txt");
    fs.writeFileSync(namesFile, `${names.join("\n")}\n`);
    const run = await cli(["delete", "--from-file", namesFile, "--accounts-file", file, "--yes", "--concurrency", "2"], {
      clock: { now: () => clock.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    });
    assert.equal(run.code, EXIT.ok, run.stderr);
    for (const account of [SALES, LAB])
      for (const name of names) assert.equal(emulator.account(account).userExists(name), false, `${account}/${name}`);
    assert.deepEqual(
      emulator.log.filter((e) => e.errorCode === "ExpiredToken"),
      [],
      "no request was signed with an expired session",
    );
    for (const account of [SALES, LAB]) {
      const sessions = emulator.sts.sessions.filter((s) => s.accountId === account);
      assert.ok(sessions.length >= 3, `${account}: the run crossed several expiries (${sessions.length} sessions)`);
      assert.ok(sessions.length <= 8, `${account}: renewed as sessions near their end, not at every call (${sessions.length} sessions)`);
      const used = new Set(emulator.log.filter((e) => e.accountId === account).map((e) => e.accessKeyId));
      assert.ok(sessions.filter((s) => used.has(s.accessKeyId)).length >= 3, "and signed with each renewed session");
    }
  });
});
