import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import * as path from "node:path";
import { resetIamClients } from "../../provider/aws/client";
import { EXIT } from "../../provider/cli";
import { pointIamEndpointAt } from "../helpers/iam";
import { type Emulator, startEmulator } from "../iam-emulator";

const BIN = path.resolve(__dirname, "../../provider/bin/iam-user-teardown.js");
const DRIVER = path.join(__dirname, "pty-driver.py");
const QUESTION = String.raw`\[y/N\] `;
const CTRL_C = "\x03";
const CTRL_D = "\x04";

interface TerminalRun {
  code: number;
  /** What the terminal showed: standard error (unless piped) and the echo of what was typed. */
  terminal: string;
  stdout: string;
  /** Standard error when it is a pipe (stderrPipe). */
  stderr: string;
  timedOut: boolean;
  stepsLeft: number;
}

/**
 * Runs the installed bin with standard input on a pseudo-terminal (its controlling terminal, so Ctrl-C there is what it
 * is at a shell), standard output a pipe; standard error on the terminal too unless `stderrPipe`. Each step waits for
 * its text to appear, then types.
 */
function atTerminal(argv: string[], steps: Array<{ waitFor: string; send: string }>, stderrPipe = false): Promise<TerminalRun> {
  const spec = { argv: [process.execPath, BIN, ...argv], steps, stderrPipe, timeoutS: 60 };
  return new Promise((resolve, reject) => {
    const driver = spawn("python3", [DRIVER, JSON.stringify(spec)], { env: process.env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    driver.stdout.on("data", (d) => (out += d));
    driver.on("error", reject);
    driver.on("close", () => {
      const run = JSON.parse(out) as TerminalRun;
      assert.equal(run.timedOut, false, `the command did not finish: ${JSON.stringify(run)}`);
      assert.equal(run.stepsLeft, 0, `not everything was typed: ${JSON.stringify(run)}`);
      resolve(run);
    });
  });
}

describe("the CLI at a terminal (pseudo-terminal)", function () {
  this.timeout(90_000);
  let emulator: Emulator;
  let restoreEndpoint: () => void = () => undefined;

  before(async function () {
    const python = spawnSync("python3", ["-c", "import pty, termios, fcntl"], { encoding: "utf8" });
    if (python.status !== 0 || process.platform === "win32") {
      console.log(`      skipped: these tests need python3 with its pty module (${python.error?.message ?? python.stderr.trim()})`);
      this.skip();
    }
    emulator = await startEmulator({ port: 0 });
    resetIamClients();
    restoreEndpoint = pointIamEndpointAt(emulator.endpoint);
  });
  after(async () => {
    restoreEndpoint();
    await emulator?.stop();
    resetIamClients();
  });
  const seed = (userName: string) => emulator.seed({ users: [{ userName, accessKeys: 1, loginProfile: true }] });
  const mutatingCalls = () => emulator.log.filter((e) => e.mutating).map((e) => e.action);

  it("Ctrl-C at the question: exit 130, 'nothing changed', nothing that changes anything sent", async () => {
    seed("tty-ctrl-c");
    emulator.clearLog();
    const run = await atTerminal(["delete", "tty-ctrl-c"], [{ waitFor: QUESTION, send: CTRL_C }]);
    assert.equal(run.code, EXIT.interrupted, JSON.stringify(run));
    assert.match(run.terminal, /Delete 1 IAM user\(s\) in account \d{12} and everything that hangs on them\? \[y\/N\] /);
    assert.match(run.terminal, /\niam-user-teardown: interrupted: nothing changed\r?\n/);
    assert.equal(run.stdout, "");
    assert.deepEqual(mutatingCalls(), []);
    assert.equal(emulator.state.userExists("tty-ctrl-c"), true);
  });

  it("Ctrl-C at the question with standard error not a terminal (it arrives as SIGINT): the same, on standard error", async () => {
    seed("tty-sigint");
    emulator.clearLog();
    const run = await atTerminal(["delete", "tty-sigint"], [{ waitFor: QUESTION, send: CTRL_C }], true);
    assert.equal(run.code, EXIT.interrupted, JSON.stringify(run));
    assert.match(run.stderr, /^iam-user-teardown: interrupted: nothing changed$/m);
    assert.doesNotMatch(run.stderr, /finishing those under way/, "no user was under way");
    assert.deepEqual(mutatingCalls(), []);
    assert.equal(emulator.state.userExists("tty-sigint"), true);
  });

  it("end of input (Ctrl-D) at the question counts as no: exit 1, nothing changed", async () => {
    seed("tty-eof");
    emulator.clearLog();
    const run = await atTerminal(["delete", "tty-eof"], [{ waitFor: QUESTION, send: CTRL_D }], true);
    assert.equal(run.code, EXIT.declined, JSON.stringify(run));
    assert.match(run.stderr, /^iam-user-teardown: not confirmed: nothing changed$/m);
    assert.deepEqual(mutatingCalls(), []);
    assert.equal(emulator.state.userExists("tty-eof"), true);
  });

  it("'n' is no (exit 1, a script's `delete && next` stops); 'y' deletes (exit 0)", async () => {
    seed("tty-answer");
    emulator.clearLog();
    const no = await atTerminal(["delete", "tty-answer"], [{ waitFor: QUESTION, send: "n\r" }]);
    assert.equal(no.code, EXIT.declined, JSON.stringify(no));
    assert.notEqual(no.code, EXIT.ok);
    assert.match(no.terminal, /iam-user-teardown: not confirmed: nothing changed/);
    assert.deepEqual(mutatingCalls(), []);
    const yes = await atTerminal(["delete", "tty-answer"], [{ waitFor: QUESTION, send: "y\r" }]);
    assert.equal(yes.code, EXIT.ok, JSON.stringify(yes));
    assert.equal(emulator.state.userExists("tty-answer"), false);
  });

  it("--from-file - at a terminal says it reads the names until Ctrl-D, and reads them", async () => {
    seed("tty-listed");
    const run = await atTerminal(
      ["plan", "--from-file", "-", "--json"],
      [{ waitFor: "until Ctrl-D", send: `tty-listed\r${CTRL_D}` }],
      true,
    );
    assert.equal(run.code, EXIT.ok, JSON.stringify(run));
    assert.match(run.stderr, /^iam-user-teardown: reading user names from standard input, one a line, until Ctrl-D$/m);
    assert.equal(JSON.parse(run.stdout.split("\n")[0]).userName, "tty-listed");
  });

  it("Ctrl-C while the names are typed: exit 130, nothing changed; delete --from-file - at a terminal needs --yes", async () => {
    seed("tty-typing");
    emulator.clearLog();
    const run = await atTerminal(
      ["delete", "--from-file", "-", "--yes"],
      [{ waitFor: "until Ctrl-D", send: `tty-typing\r${CTRL_C}` }],
      true,
    );
    assert.equal(run.code, EXIT.interrupted, JSON.stringify(run));
    assert.match(run.stderr, /^iam-user-teardown: interrupted: nothing changed$/m);
    assert.equal(emulator.state.userExists("tty-typing"), true);
    const unasked = await atTerminal(["delete", "--from-file", "-"], []);
    assert.equal(unasked.code, EXIT.usage, JSON.stringify(unasked));
    assert.match(unasked.terminal, /cannot answer the question: pass --yes/);
    assert.deepEqual(emulator.log, [], "nothing was called");
  });
});
