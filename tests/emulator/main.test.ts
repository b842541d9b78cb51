import { strict as assert } from "node:assert";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { ListMFADevicesCommand, ListUsersCommand } from "@aws-sdk/client-iam";
import { sdkClientFor } from "../helpers/iam";

const ROOT = path.resolve(__dirname, "..", "..");

/** Starts `tests/iam-emulator/main.ts` the way `npm run emulator` does, resolving once it prints its endpoint. */
function startMain(args: string[]): Promise<{ child: ChildProcess; endpoint: string; output: () => string }> {
  const child = spawn(process.execPath, ["-r", "ts-node/register", "tests/iam-emulator/main.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no endpoint printed:\n${out}`)), 20_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /AWS_ENDPOINT_URL_IAM=(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, endpoint: m[1], output: () => out });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before printing an endpoint:\n${out}`));
    });
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("emulator: npm run emulator (main.ts)", function () {
  this.timeout(30_000);

  it("prints the endpoint and how to use it, seeds the demo user, and stops cleanly on SIGTERM", async () => {
    const { child, endpoint, output } = await startMain(["--seed-demo", "--max-page-size", "2"]);
    try {
      assert.match(output(), /IAM emulator listening on http:\/\/127\.0\.0\.1:\d+/);
      const iam = sdkClientFor(endpoint);
      const users = await iam.send(new ListUsersCommand({}));
      assert.deepEqual(
        users.Users?.map((u) => u.UserName),
        ["demo-user"],
      );
      const mfa = await iam.send(new ListMFADevicesCommand({ UserName: "demo-user" }));
      assert.equal(mfa.MFADevices?.length, 2, "first page of three devices, capped at 2");
      assert.equal(mfa.IsTruncated, true);
      iam.destroy();
    } finally {
      const exited = exitCode(child);
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    }
    assert.match(output(), /SIGTERM: stopping/);
  });

  it("rejects an unknown flag with exit code 2", async () => {
    const child = spawn(process.execPath, ["-r", "ts-node/register", "tests/iam-emulator/main.ts", "--bogus"], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" },
      stdio: "ignore",
    });
    assert.equal(await exitCode(child), 2);
  });
});
