/**
 * Least privilege: everything the package does (teardowns of every shape, the resource's create, update, read and
 * delete, the CLI) runs against an emulator enforcing the shipped policy, and the IAM actions it called, read from
 * the request logs whether they succeeded or not, must be exactly the policy's actions: none missing, none unused.
 * The README's permissions table must list the same actions.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../../provider/cli";
import * as methods from "../../provider/provider-methods";
import { pointIamEndpointAt } from "../helpers/iam";
import type { Emulator } from "../iam-emulator";
import { mulberry32 } from "../iam-emulator/prng";
import {
  BYSTANDER,
  countSchedule,
  engineKey,
  freshClients,
  hostileEmulator,
  policyActions,
  Scenario,
  seededEveryKind,
  TARGET,
  TargetWatch,
} from "./support";

const README = path.resolve(__dirname, "../../README.md");

/** The package's calls in an emulator's log, and whether the policy refused any of them. */
function actionsOf(emulator: Emulator): { actions: Set<string>; denied: string[] } {
  const mine = emulator.log.filter((e) => e.accessKeyId === engineKey());
  return { actions: new Set(mine.map((e) => e.action)), denied: mine.filter((e) => e.errorCode === "AccessDenied").map((e) => e.action) };
}

async function withEndpoint<T>(emulator: Emulator, run: () => Promise<T>): Promise<T> {
  const restoreEndpoint = pointIamEndpointAt(emulator.endpoint);
  try {
    return await run();
  } finally {
    restoreEndpoint();
    freshClients();
  }
}

describe("hostile: least privilege (the shipped policy, enforced)", () => {
  const called = new Set<string>();
  const denied: string[] = [];
  const note = (emulator: Emulator) => {
    const seen = actionsOf(emulator);
    for (const a of seen.actions) called.add(a);
    denied.push(...seen.denied);
  };
  afterEach(freshClients);

  it("a teardown of every dependency kind and MFA kind", async () => {
    const sc = await Scenario.start({ seed: 1500 });
    try {
      assert.equal((await sc.teardown()).outcome, "deleted");
      sc.assertClean("every kind under the shipped policy");
      note(sc.emulator);
    } finally {
      await sc.stop();
    }
  });

  it("a teardown of a user renamed since it was recorded, and one that finds a recorded virtual device unassigned", async () => {
    const sc = await Scenario.start({ seed: 1501 });
    try {
      const virtual = sc.mfaSerials.find((m) => m.kind === "virtual")!.serial;
      sc.state.deactivateMfaDevice(TARGET, virtual);
      sc.state.updateUser(TARGET, { newUserName: "target-moved" });
      sc.watch.addName("target-moved");
      const report = await sc.teardown({ knownVirtualMfaSerials: [virtual] });
      assert.equal(report.renamedFrom, TARGET);
      sc.assertClean("renamed, with a recorded orphan");
      note(sc.emulator);
    } finally {
      await sc.stop();
    }
  });

  it("companion mode", async () => {
    const sc = await Scenario.start({ seed: 1502 });
    try {
      assert.equal((await sc.teardown({ deleteUser: false })).outcome, "cleared");
      sc.assertClean("companion mode", { userGone: false });
      note(sc.emulator);
    } finally {
      await sc.stop();
    }
  });

  it("the resource's create (new and adopted), update (path, tags, boundary set and removed), read and delete", async () => {
    const watch = new TargetWatch(["carol", "dave"]);
    const emulator = await hostileEmulator({ seed: 1503 }, watch);
    try {
      emulator.seed({ users: [{ userName: "dave", tags: { old: "1" }, accessKeys: 1 }, seededEveryKind(BYSTANDER, mulberry32(1503))] });
      await withEndpoint(emulator, async () => {
        const inputs = { userName: "carol", path: "/team/", tags: { a: "1", b: "2" }, deleteUser: true, adopt: false };
        const created = await methods.create(inputs);
        const boundary = "arn:aws:iam::aws:policy/PowerUserAccess";
        const updated = await methods.update("carol", created.outs, {
          ...inputs,
          path: "/moved/",
          tags: { a: "1", c: "3" },
          permissionsBoundary: boundary,
        });
        const unbounded = await methods.update("carol", updated.outs, { ...inputs, path: "/moved/", tags: { a: "1", c: "3" } });
        emulator.state.createAccessKey("carol");
        const read = await methods.read("carol", unbounded.outs);
        assert.equal(read.props!.inventory?.accessKeys?.split(", ").length, 1);
        await methods.remove("carol", read.props!, undefined, () => undefined);
        assert.equal(emulator.state.userExists("carol"), false);
        const adopted = await methods.create({ userName: "dave", adopt: true, deleteUser: true, tags: { owner: "ops" } });
        await methods.remove("dave", adopted.outs, undefined, () => undefined);
        assert.equal(emulator.state.userExists("dave"), false);
      });
      note(emulator);
      countSchedule(true);
    } finally {
      await emulator.stop();
    }
  });

  it("the CLI's plan and delete (with a record before removal)", async () => {
    const watch = new TargetWatch(["erin"]);
    const emulator = await hostileEmulator({ seed: 1504 }, watch);
    try {
      const seeded = emulator.seed({ users: [seededEveryKind("erin", mulberry32(1504))] }).users.erin;
      for (const m of seeded.mfaSerials) if (m.kind === "virtual") watch.serials.add(m.serial);
      const io = { stdout: () => undefined, stderr: () => undefined };
      await withEndpoint(emulator, async () => {
        assert.equal(await runCli(["plan", "erin", "--json"], io), 0);
        const recordDir = fs.mkdtempSync(path.join(os.tmpdir(), "least-privilege-records-"));
        assert.equal(await runCli(["delete", "erin", "--yes", "--json", "--record", recordDir], io), 0);
        assert.equal(fs.readdirSync(recordDir, { recursive: true }).filter((f) => String(f).endsWith(".json")).length, 1);
      });
      assert.equal(emulator.state.userExists("erin"), false);
      note(emulator);
      countSchedule(true);
    } finally {
      await emulator.stop();
    }
  });

  it("the CLI's disable and enable (the deny-all inline, and AWSDenyAll when the inline quota is full) and delete --disabled-for", async () => {
    const emulator = await hostileEmulator({ seed: 1505 });
    try {
      emulator.seed({ users: [seededEveryKind("fay", mulberry32(1505)), { userName: "gil", accessKeys: 1 }] });
      const filling = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${"g".repeat(1920)}` }],
      });
      emulator.state.putUserPolicy("gil", "big", filling);
      const io = { stdout: () => undefined, stderr: () => undefined };
      await withEndpoint(emulator, async () => {
        assert.equal(await runCli(["disable", "fay", "gil", "--yes"], io), 0);
        assert.ok(emulator.state.getUser("gil")!.attachedPolicies.has("arn:aws:iam::aws:policy/AWSDenyAll"));
        assert.equal(await runCli(["enable", "fay", "gil", "--yes"], io), 0);
        assert.equal(await runCli(["disable", "fay", "--yes"], io), 0);
        assert.equal(await runCli(["delete", "fay", "--disabled-for", "30d", "--yes"], io), 3);
      });
      note(emulator);
    } finally {
      await emulator.stop();
    }
  });

  it("the actions called are exactly the shipped policy's: none missing, none unused", () => {
    assert.deepEqual(denied, [], "nothing the package called was refused by the shipped policy");
    const granted = policyActions();
    assert.deepEqual([...called].sort(), granted, "called (left) versus granted (right)");
  });

  it("the README's permissions table lists exactly the shipped policy's actions", () => {
    const text = fs.readFileSync(README, "utf8");
    const section = text.slice(text.indexOf("## IAM permissions"), text.indexOf("\n## ", text.indexOf("## IAM permissions") + 1));
    const table = section.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| for") && !l.startsWith("|---"));
    const listed = table.flatMap((row) => [...row.split("|")[2].matchAll(/`(\w+)`/g)].map((m) => m[1]));
    assert.deepEqual([...new Set(listed)].sort(), policyActions());
    assert.equal(listed.length, new Set(listed).size, "no action listed twice");
  });
});
