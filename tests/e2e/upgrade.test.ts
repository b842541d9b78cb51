/**
 * Upgrades reach existing stacks: Pulumi runs a dynamic resource's delete with the provider stored in the stack's
 * state, and the one this package stores loads `iam-user-teardown/provider-methods` from the installed package at each
 * call. Here a stack is created with one copy of the package installed beside the program; the copy's teardown is
 * then changed on disk (as `npm install` of a new version would), and `pulumi destroy` runs the changed code.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/pulumi/toolchain";
import {
  assertNoTrace,
  assertOk,
  declareUsers,
  type EmulatedStack,
  emulatedStack,
  printed,
  seedBystander,
  summaryLine,
  USERS_PROGRAM,
} from "./support";

const ERIN = { name: "erin", userName: "e2e-erin", tags: { team: "billing" } };
const PROVIDER_DIR = path.join(REPO_ROOT, "provider");

describe("e2e: pulumi destroy runs the installed teardown, not a copy frozen into the stack", function () {
  this.timeout(120_000);

  let s: EmulatedStack;
  let installed: string;
  let markerFile: string;
  let storedProvider: string;
  let erinId: string;

  before(async function () {
    this.timeout(60_000);
    s = await emulatedStack(this, { workspace: { projectName: "upgrade", program: { "index.ts": USERS_PROGRAM } } });
    seedBystander(s.emulator);
    installed = await installPackageCopy(s.ws.programDir);
    markerFile = path.join(s.ws.root, "teardown-v2.log");
    await declareUsers(s.ws, [ERIN]);
  });

  after(async () => {
    await s?.dispose();
  });

  it("pulumi up creates the stack with the package installed as a directory in node_modules, as npm installs it", async () => {
    assertOk(await s.ws.up());
    erinId = s.emulator.state.getUser(ERIN.userName)!.userId;
    const erin = (await s.ws.resources()).find((r) => r.id === ERIN.userName)!;
    storedProvider = erin.inputs!.__provider as string;
    assert.ok(storedProvider.includes('"iam-user-teardown/provider-methods"'), "the stored provider loads the package by name");
    assert.doesNotMatch(storedProvider, /require\("iam-user-teardown\/dist/, "only public subpaths of the package are required");
    for (const engineCode of ["DeleteVirtualMFADevice", "DeactivateMFADevice", "teardownUser"]) {
      assert.ok(!storedProvider.includes(engineCode), `no teardown code (${engineCode}) is frozen into the stack`);
    }
    s.emulator.state.createAccessKey(ERIN.userName);
    s.emulator.state.enableMfaDevice(ERIN.userName, s.emulator.state.createVirtualMfaDevice(`${ERIN.userName}-phone`).serialNumber);
  });

  it("after the installed package changes, pulumi destroy runs the new teardown", async () => {
    // "Version 2": the same package, whose remove records that it ran and says so in the log.
    const methods = path.join(installed, "dist", "provider-methods.js");
    await fs.promises.appendFile(
      methods,
      `
;(() => {
  const previousRemove = exports.remove;
  exports.remove = async function (id, ...rest) {
    require("fs").appendFileSync(${JSON.stringify(markerFile)}, "teardown v2 removed " + id + "\\n");
    console.error("iam-user-teardown: teardown v2 running for " + id);
    return previousRemove(id, ...rest);
  };
})();
`,
    );
    const destroy = assertOk(await s.ws.destroy());
    const text = printed(destroy);
    assert.strictEqual(fs.readFileSync(markerFile, "utf8"), `teardown v2 removed ${ERIN.userName}\n`);
    assert.match(text, /iam-user-teardown: teardown v2 running for e2e-erin/);
    assert.match(summaryLine(text, ERIN.userName) ?? "", / deleted: removed 1 access key, 1 MFA device \(1 virtual\)/, text);
    assertNoTrace(s.emulator, {
      userName: ERIN.userName,
      userId: erinId,
      virtualMfaSerials: [s.emulator.state.virtualMfaSerial(`${ERIN.userName}-phone`)],
    });
    assert.deepStrictEqual(await s.ws.resources(), []);
  });

  it("the provider that ran was the one stored at up, unchanged", async () => {
    const history = await s.ws.runOk(["stack", "history", "--json", "--show-secrets"]);
    assert.strictEqual((JSON.parse(history.stdout) as unknown[]).length, 2, "one up, one destroy: no update re-stored the provider");
    assert.ok(!storedProvider.includes("teardown v2"));
  });
});

/**
 * Replaces the program's node_modules link with a directory that links every package of the repository except
 * iam-user-teardown, which is a copy of provider/ (package.json, dist, policy) the test can change.
 */
async function installPackageCopy(programDir: string): Promise<string> {
  const modules = path.join(programDir, "node_modules");
  const repoModules = path.join(REPO_ROOT, "node_modules");
  await fs.promises.rm(modules);
  await fs.promises.mkdir(modules);
  for (const entry of await fs.promises.readdir(repoModules)) {
    if (entry === "iam-user-teardown") continue;
    await fs.promises.symlink(path.join(repoModules, entry), path.join(modules, entry));
  }
  const copy = path.join(modules, "iam-user-teardown");
  await fs.promises.mkdir(copy);
  for (const item of ["package.json", "dist", "iam-user-teardown-policy.json"]) {
    await fs.promises.cp(path.join(PROVIDER_DIR, item), path.join(copy, item), { recursive: true });
  }
  return copy;
}
