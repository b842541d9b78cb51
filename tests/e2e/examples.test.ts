/**
 * The programs users start from run as they are, in place, through the real Pulumi CLI against the emulator: the root
 * Pulumi.yaml (which runs examples/declare-users) and examples/declare-users with its own Pulumi.yaml. They resolve
 * `iam-user-teardown` through the workspace link in the repository's node_modules. The stack's config file and the
 * backend live in a temporary workspace, so nothing is written into the repository.
 * (examples/decommission-account runs in decommission.test.ts; examples/companion-aws-user needs the @pulumi/aws plugin
 * and runs under mocks in companion-example.test.ts. Every example is type-checked by `npm run typecheck`.)
 */
import * as assert from "node:assert";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/pulumi/toolchain";
import {
  assertNoTrace,
  assertOk,
  type EmulatedStack,
  emulatedStack,
  inPlace,
  mutatingCalls,
  printed,
  seedBystander,
  summaryLine,
} from "./support";

const cases = [
  { title: "the root Pulumi.yaml", dir: REPO_ROOT, project: "iam-user-teardown", team: undefined },
  { title: "examples/declare-users", dir: path.join(REPO_ROOT, "examples", "declare-users"), project: "declare-users", team: "qa" },
];

for (const c of cases) {
  describe(`e2e: ${c.title} runs in place through pulumi up and destroy`, function () {
    this.timeout(120_000);

    let s: EmulatedStack;
    let program: ReturnType<typeof inPlace>;
    const team = c.team ?? "platform";
    const names = ["ana", "bruno", "chen"].map((n) => `${team}-${n}`);
    let userIds: string[] = [];

    before(async function () {
      this.timeout(60_000);
      s = await emulatedStack(this, { workspace: { projectName: c.project } });
      program = inPlace(s, c.dir);
      seedBystander(s.emulator);
      if (c.team) await s.ws.configSet("team", c.team);
    });

    after(async () => {
      await s?.dispose();
    });

    it("pulumi up creates the three users; a second up changes nothing", async () => {
      const up = assertOk(await program.up());
      assert.match(up.stdout, /\+ 4 created/);
      for (const name of names) {
        const user = s.emulator.state.getUser(name);
        assert.ok(user, `${name} exists`);
        assert.strictEqual(user.path, `/${team}/`);
        assert.deepStrictEqual(Object.fromEntries(user.tags), { team, "managed-by": "pulumi" });
      }
      userIds = names.map((n) => s.emulator.state.getUser(n)!.userId);
      assert.deepStrictEqual((await s.ws.outputs()).userIds, userIds);

      s.emulator.clearLog();
      const again = assertOk(await program.up());
      assert.match(again.stdout, /4 unchanged/);
      assert.deepStrictEqual(mutatingCalls(s.emulator), []);
    });

    it("pulumi destroy tears the users down, one summary line each", async () => {
      s.emulator.state.createAccessKey(names[0]);
      s.emulator.state.addUserToGroup(names[1], "developers");
      const destroy = assertOk(await program.destroy());
      const text = printed(destroy);
      assert.match(summaryLine(text, names[0]) ?? "", / deleted: removed 1 access key;/, text);
      assert.match(summaryLine(text, names[1]) ?? "", / deleted: removed 1 membership of group;/, text);
      assert.match(summaryLine(text, names[2]) ?? "", / deleted: removed nothing;/, text);
      names.forEach((name, i) => assertNoTrace(s.emulator, { userName: name, userId: userIds[i] }));
      assert.ok(s.emulator.state.userExists("bystander"));
    });
  });
}
