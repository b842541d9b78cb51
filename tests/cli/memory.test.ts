import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { User } from "@aws-sdk/client-iam";
import { EXIT } from "../../provider/cli";
import { deleteFleet, findTargets, planFleet, type UserGuard, type UserResult } from "../../provider/cli/fleet";
import { countOutcomes, renderSummary } from "../../provider/cli/output";
import { listAccountUsers } from "../../provider/teardown/identity";
import { everyKind, pointIamEndpointAt, useEmulator } from "../helpers/iam";

const BIN = path.resolve(__dirname, "../../provider/bin/iam-user-teardown.js");
const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, "0")}`);

describe("fleet runs keep nothing per user beyond what the summary names", () => {
  const env = useEmulator();

  it("a delete keeps only the failed and the guarded users' results; every other user is counted, its result handed on", async () => {
    const users = names("many", 24);
    env.emulator.seed({ users: users.map((u) => everyKind(u)) });
    const targets = await findTargets(env.client, users, 4);
    const guard: UserGuard = async (user) => {
      if (user.UserName === "many-003") throw new Error("cannot tell");
      return user.UserName === "many-007" ? { outcome: "skipped-active", reason: "active yesterday" } : undefined;
    };
    const handedOn: UserResult[] = [];
    const run = await deleteFleet({
      client: env.client,
      userNames: users,
      concurrency: 5,
      interrupt: new AbortController().signal,
      targets,
      keepUser: false,
      guards: [guard],
      onResult: (r) => handedOn.push(r),
    });
    assert.equal(handedOn.length, 24, "every user's result reaches onResult (the JSON line, the progress line)");
    assert.equal(handedOn.filter((r) => r.report !== undefined).length, 22, "the deleted users' reports are handed on");
    assert.deepEqual(run.results.map((r) => [r.userName, r.outcome]).sort(), [
      ["many-003", "failed"],
      ["many-007", "skipped-active"],
    ]);
    assert.deepEqual(run.finished, { deleted: 22, failed: 1, "skipped-active": 1 });
    const counts = countOutcomes(run);
    assert.deepEqual(counts, { deleted: 22, cleared: 0, "already-gone": 0, failed: 1, interrupted: 0, "skipped-active": 1 });
    assert.equal(
      renderSummary(24, counts, run),
      "24 user(s): 22 deleted, 1 failed, 1 skipped-active\n  failed: many-003: cannot tell\n  skipped-active: many-007: active yesterday\n",
    );
    for (const u of users) assert.equal(env.emulator.state.userExists(u), u === "many-003" || u === "many-007", u);
  });

  it("an interrupt leaves the users not started by name, in order, and counts the finished ones", async () => {
    await env.fresh();
    const users = names("stop", 10);
    env.emulator.seed({ users: users.map((u) => everyKind(u)) });
    const targets = await findTargets(env.client, users, 4);
    const interrupt = new AbortController();
    const run = await deleteFleet({
      client: env.client,
      userNames: users,
      concurrency: 2,
      interrupt: interrupt.signal,
      targets,
      keepUser: false,
      onResult: () => interrupt.abort(),
    });
    // Both workers were under way when the first finished: they finish; nothing after them starts.
    assert.deepEqual(run.finished, { deleted: 2 });
    assert.deepEqual(run.notStarted, users.slice(2));
    assert.deepEqual(run.results, []);
  });

  it("a plan keeps the users it could not read, and every plan only when asked (--markdown reports them all)", async () => {
    await env.fresh();
    env.emulator.seed({ users: ["p-1", "p-2"].map((u) => everyKind(u)) });
    const common = {
      client: env.client,
      userNames: ["p-1", "p-2", "p-absent"],
      concurrency: 2,
      keepUser: false,
      onResult: () => undefined,
    };
    const counted = await planFleet({ ...common, interrupt: new AbortController().signal });
    assert.deepEqual(counted.finished, { planned: 2, "already-gone": 1 });
    assert.deepEqual(counted.results, []);
    const kept = await planFleet({ ...common, interrupt: new AbortController().signal, keepPlans: true });
    assert.deepEqual(kept.results.map((r) => r.userName).sort(), ["p-1", "p-2", "p-absent"]);
  });

  it("the walk that finds the users keeps only the names asked for, and counts every page", async () => {
    await env.fresh({ maxPageSize: 3 });
    env.emulator.seed({ users: names("acct", 10).map((userName) => ({ userName })) });
    const send = <O>(command: unknown) => env.client.send(command as never) as Promise<O>;
    const { users, pages } = await listAccountUsers(send, 3, (u: User) => u.UserName === "acct-007");
    assert.deepEqual(
      users.map((u) => u.UserName),
      ["acct-007"],
    );
    assert.equal(pages, 4);
    const all = await listAccountUsers(send, 3);
    assert.equal(all.users.length, 10);
  });
});

describe("the CLI's launcher starts node with its memory option", () => {
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "launcher-"))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Runs the bin with a preload that writes, at exit, the options node was started with and the process id. */
  function launch(argv: string[], nodeOptions?: string) {
    const report = path.join(tmp, `started-${Math.random().toString(36).slice(2)}.json`);
    const preload = path.join(tmp, "report-start.js");
    fs.writeFileSync(
      preload,
      `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(report)}, JSON.stringify({ execArgv: process.execArgv, pid: process.pid })));\n`,
    );
    const envVars: NodeJS.ProcessEnv = { ...process.env };
    if (nodeOptions === undefined) delete envVars.NODE_OPTIONS;
    else envVars.NODE_OPTIONS = nodeOptions;
    return new Promise<{ code: number | null; stdout: string; pid?: number; started: { execArgv: string[]; pid: number } }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, ["--require", preload, BIN, ...argv], { env: envVars, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.on("error", reject);
        child.on("close", (code) =>
          resolve({
            code,
            stdout,
            pid: child.pid,
            started: JSON.parse(fs.readFileSync(report, "utf8")) as { execArgv: string[]; pid: number },
          }),
        );
      },
    );
  }

  const replaces = typeof (process as { execve?: unknown }).execve === "function" && process.platform !== "win32";

  it("the same process, its own options kept, --max-semi-space-size=16 added once; the output unchanged", async function () {
    if (!replaces) this.skip();
    const r = await launch(["--version"]);
    assert.equal(r.code, EXIT.ok);
    assert.match(r.stdout, /^iam-user-teardown \S+\n$/);
    assert.equal(r.started.pid, r.pid, "replaced in place, not a child process");
    assert.deepEqual(
      r.started.execArgv.filter((a) => /semi-space/.test(a)),
      ["--max-semi-space-size=16"],
    );
    assert.ok(r.started.execArgv.includes("--require"), "node's own options are kept");
  });

  it("a semi-space option already given (NODE_OPTIONS) is left alone", async () => {
    const r = await launch(["--version"], "--max-semi-space-size=8");
    assert.equal(r.code, EXIT.ok);
    assert.deepEqual(
      r.started.execArgv.filter((a) => /semi-space/.test(a)),
      [],
    );
  });
});

describe("the bin after its launcher replaced itself reads the names from standard input", () => {
  const env = useEmulator();
  let restore: () => void = () => undefined;
  afterEach(() => restore());

  it("delete --from-file - --yes --json: every user gone, one JSON line each and the summary", async () => {
    env.emulator.seed({ users: ["in-1", "in-2"].map((u) => everyKind(u)) });
    restore = pointIamEndpointAt(env.emulator.endpoint);
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, "delete", "--from-file", "-", "--yes", "--json"], {
        env: process.env,
        stdio: ["pipe", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.on("error", reject);
      child.on("close", (c) => resolve({ code: c, stdout: out }));
      child.stdin.end("in-1\nin-2\n");
    });
    assert.equal(code, EXIT.ok);
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((l) => [l.type, l.outcome ?? l.deleted]),
      [
        ["user", "deleted"],
        ["user", "deleted"],
        ["summary", 2],
      ],
    );
    for (const u of ["in-1", "in-2"]) assert.equal(env.emulator.state.userExists(u), false);
  });
});
