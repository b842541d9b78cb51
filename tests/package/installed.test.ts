/**
 * The package as a user gets it: the tarball `npm pack` writes, installed with npm into a fresh Pulumi program that
 * depends on the current @pulumi/pulumi. npm must leave one copy of the SDK in the program (the package takes it as a
 * peer), and `pulumi up` and `pulumi destroy` must work through the installed copy, against the IAM emulator.
 */
import * as assert from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import {
  assertNoTrace,
  assertOk,
  type EmulatedStack,
  emulatedStack,
  giveEveryKind,
  printed,
  seedBystander,
  summaryLine,
} from "../e2e/support";
import { REPO_ROOT } from "../helpers/pulumi/toolchain";
import { npmPack } from "./pack";

const run = promisify(execFile);

const USER_NAME = "e2e-packed";

const PROGRAM = `
const { IamUserTeardown } = require("iam-user-teardown");

const user = new IamUserTeardown("packed", { userName: "${USER_NAME}", tags: { installedFrom: "tarball" } });

exports.userId = user.userId;
// Where the program found the package and the SDK: the test checks they are the program's own copies.
exports.packageJson = require.resolve("iam-user-teardown/package.json");
exports.sdk = require.resolve("@pulumi/pulumi");
`;

/** Every directory in the tree that holds a copy of the named package, relative to root. */
function copiesOf(root: string, name: string, rel = ""): string[] {
  const modules = path.join(root, rel, "node_modules");
  if (!fs.existsSync(modules)) return [];
  const found: string[] = [];
  const visit = (dir: string, relDir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === ".bin") continue;
      const childRel = `${relDir}/${entry.name}`;
      if (entry.name.startsWith("@")) {
        visit(path.join(dir, entry.name), childRel);
        continue;
      }
      const pkgName = childRel.replace(/^.*?node_modules\//, "");
      if (pkgName === name) found.push(childRel);
      found.push(...copiesOf(root, name, childRel));
    }
  };
  visit(modules, rel ? `${rel}/node_modules` : "node_modules");
  return found;
}

/** The environment for npm: without the npm_* variables a surrounding `npm test` sets (its prefix, workspace, ...). */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

describe("package: the packed tarball installed into a fresh Pulumi program", function () {
  this.timeout(240_000);

  let s: EmulatedStack;
  let sdkVersion: string;

  before(async function () {
    this.timeout(600_000);
    s = await emulatedStack(this, { workspace: { projectName: "packed", program: { "index.js": PROGRAM } } });
    seedBystander(s.emulator);
    const { tarball } = await npmPack(s.ws.root);
    sdkVersion = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")).version;
    // A program of its own: its own node_modules instead of the repository's, as after `npm install`.
    await fs.promises.rm(path.join(s.ws.programDir, "node_modules"));
    await s.ws.writeProgram({
      "package.json": JSON.stringify(
        {
          name: "packed",
          private: true,
          main: "index.js",
          dependencies: { "@pulumi/pulumi": `^${sdkVersion}`, "iam-user-teardown": `file:${tarball}` },
        },
        null,
        2,
      ),
    });
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
      cwd: s.ws.programDir,
      env: npmEnv(),
      maxBuffer: 16 * 1024 * 1024,
    });
  });

  after(async () => {
    await s?.dispose();
  });

  it("npm installs one copy of @pulumi/pulumi, the program's, and the package as files (not a link to the repository)", () => {
    assert.deepStrictEqual(copiesOf(s.ws.programDir, "@pulumi/pulumi"), ["node_modules/@pulumi/pulumi"]);
    const installed = path.join(s.ws.programDir, "node_modules", "iam-user-teardown");
    assert.ok(!fs.lstatSync(installed).isSymbolicLink(), "iam-user-teardown is installed from the tarball");
    assert.deepStrictEqual(copiesOf(s.ws.programDir, "iam-user-teardown"), ["node_modules/iam-user-teardown"]);
    const sdk = JSON.parse(fs.readFileSync(path.join(s.ws.programDir, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"));
    assert.ok(
      sdk.version.split(".")[0] === "3" && Number(sdk.version.split(".")[1]) >= Number(sdkVersion.split(".")[1]),
      `SDK ${sdk.version}`,
    );
  });

  it("pulumi up creates the user through the installed package", async () => {
    assertOk(await s.ws.up());
    const outputs = await s.ws.outputs();
    const programDir = fs.realpathSync(s.ws.programDir);
    assert.strictEqual(outputs.packageJson, path.join(programDir, "node_modules", "iam-user-teardown", "package.json"));
    assert.strictEqual(outputs.sdk, path.join(programDir, "node_modules", "@pulumi", "pulumi", "index.js"));
    const user = s.emulator.state.getUser(USER_NAME);
    assert.ok(user, `${USER_NAME} exists after up`);
    assert.strictEqual(outputs.userId, user.userId);
  });

  it("pulumi destroy tears the user down, with everything on it, in one run", async () => {
    const userId = s.emulator.state.getUser(USER_NAME)!.userId;
    const given = await giveEveryKind(s.emulator, s.iam, USER_NAME);
    const r = assertOk(await s.ws.destroy());
    assert.ok(summaryLine(printed(r), USER_NAME), `a summary line for ${USER_NAME}\n${printed(r)}`);
    assertNoTrace(s.emulator, {
      userName: USER_NAME,
      userId,
      accessKeyIds: given.accessKeyIds,
      virtualMfaSerials: [given.virtualMfaSerial],
    });
    assert.ok(s.emulator.state.userExists("bystander"), "the bystander is untouched");
  });
});
