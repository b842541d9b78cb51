/**
 * The identity promise outside delete, through the real Pulumi CLI, on the emulator and on moto: a stranger under a
 * reused name is never updated nor deleted, an adopted user's undeclared settings (a permissions boundary, a path, its
 * own tags) are never changed, and a new userName renames the user in place, its credentials kept.
 */
import * as assert from "node:assert";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteUserCommand,
  GetUserCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  UpdateUserCommand,
} from "@aws-sdk/client-iam";
import { packageClientFor } from "../helpers/iam";
import { acquireMoto, motoUnavailableReason, releaseMoto, startMotoFront } from "../helpers/moto";
import { requirePulumiToolchain } from "../helpers/pulumi/toolchain";
import { PulumiWorkspace } from "../helpers/pulumi/workspace";
import { startEmulator } from "../iam-emulator";
import { assertOk, iamEndpointEnv, printed } from "./support";

/** A program that declares the resources listed in its stack config, each with exactly the arguments given there. */
const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { IamUserTeardown, type IamUserTeardownArgs } from "iam-user-teardown";

const declared = new pulumi.Config().requireObject<Array<{ name: string; args: IamUserTeardownArgs }>>("users");
const users = declared.map((u) => new IamUserTeardown(u.name, u.args));
export const userIds = pulumi.all(Object.fromEntries(users.map((u, i) => [declared[i].name, u.userId])));
export const userNames = pulumi.all(Object.fromEntries(users.map((u, i) => [declared[i].name, u.userName])));
`;

const BOUNDARY = "arn:aws:iam::aws:policy/PowerUserAccess";

interface Backend {
  name: string;
  endpoint: string;
  /** Whether it keeps a user's permissions boundary (moto does not implement user boundaries). */
  boundaries: boolean;
  /** The IAM calls that changed something since the last clear, where the backend logs them. */
  mutatingCalls?: () => string[];
  clearLog?: () => void;
  stop(): Promise<void>;
}

const backends: Array<{ name: string; start: (ctx: Mocha.Context) => Promise<Backend> }> = [
  {
    name: "the emulator",
    start: async () => {
      const emulator = await startEmulator({ port: 0 });
      return {
        name: "emulator",
        endpoint: emulator.endpoint,
        boundaries: true,
        mutatingCalls: () => emulator.log.filter((e) => e.mutating).map((e) => e.action),
        clearLog: () => emulator.clearLog(),
        stop: () => emulator.stop(),
      };
    },
  },
  {
    name: "moto",
    start: async (ctx) => {
      const reason = motoUnavailableReason();
      if (reason) {
        if (process.env.REQUIRE_MOTO === "1") throw new Error(`REQUIRE_MOTO=1 but ${reason}`);
        console.log(`      skipped on moto: ${reason}`);
        ctx.skip();
      }
      const moto = await acquireMoto();
      await moto.reset();
      const front = await startMotoFront(moto.endpoint);
      return {
        name: "moto",
        endpoint: front.endpoint,
        boundaries: false,
        stop: async () => {
          await front.stop();
          releaseMoto();
        },
      };
    },
  },
];

for (const { name, start } of backends) {
  describe(`e2e: the recorded UserId and the declared settings in every method, through the Pulumi CLI, on ${name}`, function () {
    this.timeout(180_000);

    let backend: Backend;
    let ws: PulumiWorkspace;
    let iam: IAMClient;
    const declared: Record<string, Record<string, unknown>> = {};

    async function declare(resource: string, args: Record<string, unknown> | undefined): Promise<void> {
      if (args) declared[resource] = args;
      else delete declared[resource];
      await ws.configSet("users", JSON.stringify(Object.entries(declared).map(([n, a]) => ({ name: n, args: a }))));
    }
    const getUser = async (userName: string) => {
      try {
        return (await iam.send(new GetUserCommand({ UserName: userName }))).User;
      } catch {
        return undefined;
      }
    };
    const tagsOf = async (userName: string) =>
      Object.fromEntries(((await iam.send(new ListUserTagsCommand({ UserName: userName }))).Tags ?? []).map((t) => [t.Key, t.Value]));
    /** What an outside observer can see of a user: whom it is and every setting this resource could change. */
    const observe = async (userName: string) => {
      const u = await getUser(userName);
      return u && { userId: u.UserId, path: u.Path, boundary: u.PermissionsBoundary?.PermissionsBoundaryArn, tags: await tagsOf(userName) };
    };

    before(async function () {
      this.timeout(90_000);
      const toolchain = requirePulumiToolchain(this);
      backend = await start(this);
      iam = packageClientFor(backend.endpoint);
      ws = await PulumiWorkspace.create({
        toolchain,
        projectName: `identity-${backend.name}`,
        program: { "index.ts": PROGRAM },
        env: iamEndpointEnv(backend.endpoint),
      });
      await ws.stackInit("e2e");
    });

    after(async () => {
      await ws?.dispose();
      await backend?.stop();
    });

    it("name reuse: pulumi up refuses the stranger, naming both UserIds; pulumi destroy leaves it untouched", async () => {
      await declare("reuse", { userName: "e2e-reuse", tags: { team: "a" } });
      assertOk(await ws.up());
      const recorded = (await ws.outputs()).userIds as Record<string, string>;
      // Out of band: the user is deleted and someone else creates a user under the same name.
      await iam.send(new DeleteUserCommand({ UserName: "e2e-reuse" }));
      await iam.send(new CreateUserCommand({ UserName: "e2e-reuse", Path: "/other/", Tags: [{ Key: "team", Value: "theirs" }] }));
      const stranger = await observe("e2e-reuse");
      await declare("reuse", { userName: "e2e-reuse", tags: { team: "b" } });
      const up = await ws.up();
      assert.notStrictEqual(up.code, 0, printed(up));
      const text = printed(up);
      assert.ok(text.includes(`different user (UserId ${stranger!.userId})`), text);
      assert.ok(text.includes(`${recorded.reuse} no longer exists`), text);
      assert.match(text, /Nothing was changed/);
      assert.deepStrictEqual(await observe("e2e-reuse"), stranger, "the stranger is not retagged");
      assert.strictEqual(((await ws.outputs()).userIds as Record<string, string>).reuse, recorded.reuse, "its UserId is never recorded");

      await declare("reuse", undefined);
      const destroy = assertOk(await ws.up());
      assert.ok(printed(destroy).includes(`UserId ${stranger!.userId}), which is left untouched`), printed(destroy));
      assert.deepStrictEqual(await observe("e2e-reuse"), stranger, "the stranger is not deleted");
    });

    it("refresh: follows the recorded user renamed out of band, never records the stranger under its old name", async () => {
      await declare("refreshed", { userName: "e2e-refresh" });
      assertOk(await ws.up());
      const userId = ((await ws.outputs()).userIds as Record<string, string>).refreshed;
      await iam.send(new UpdateUserCommand({ UserName: "e2e-refresh", NewUserName: "e2e-refresh-moved" }));
      await iam.send(new CreateUserCommand({ UserName: "e2e-refresh", Tags: [{ Key: "team", Value: "theirs" }] }));
      const stranger = await observe("e2e-refresh");
      assertOk(await ws.refresh());
      const recorded = (await ws.exportStack()).deployment.resources!.find((r) => r.urn.endsWith("::refreshed"))!;
      assert.deepStrictEqual([recorded.outputs!.userName, recorded.outputs!.userId], ["e2e-refresh-moved", userId]);
      // The recorded user deleted out of band: a refresh drops it from the stack, and the stranger stays as it was.
      await iam.send(new DeleteUserCommand({ UserName: "e2e-refresh-moved" }));
      assertOk(await ws.refresh());
      const resources = (await ws.exportStack()).deployment.resources!;
      assert.ok(!resources.some((r) => r.urn.endsWith("::refreshed")), "out of the stack");
      assert.deepStrictEqual(await observe("e2e-refresh"), stranger);
      await declare("refreshed", undefined);
    });

    it("adoption: pulumi preview shows no change and pulumi up changes nothing the program does not declare", async () => {
      await iam.send(
        new CreateUserCommand({
          UserName: "e2e-adoptee",
          Path: "/ci/",
          PermissionsBoundary: backend.boundaries ? BOUNDARY : undefined,
          Tags: [{ Key: "abac", Value: "prod" }],
        }),
      );
      await iam.send(new CreateAccessKeyCommand({ UserName: "e2e-adoptee" }));
      await iam.send(new CreateUserCommand({ UserName: "e2e-owned", PermissionsBoundary: backend.boundaries ? BOUNDARY : undefined }));
      const before = { adoptee: await observe("e2e-adoptee"), owned: await observe("e2e-owned") };
      if (backend.boundaries) assert.strictEqual(before.adoptee!.boundary, BOUNDARY);
      await declare("adoptee", { userName: "e2e-adoptee", adopt: true, adoptUserId: before.adoptee!.userId, tags: { owner: "ops" } });
      // Companion mode beside the user's own resource, which manages the boundary.
      await declare("owned-companion", { userName: "e2e-owned", deleteUser: false });
      assertOk(await ws.up());
      const adopted = { ...before.adoptee!, tags: { ...before.adoptee!.tags, owner: "ops" } };
      assert.deepStrictEqual(await observe("e2e-adoptee"), adopted, "only the declared tag was added");
      assert.deepStrictEqual(await observe("e2e-owned"), before.owned);

      backend.clearLog?.();
      const preview = assertOk(await ws.preview(["--diff"]));
      assert.match(preview.stdout, /\d+ unchanged/);
      assert.doesNotMatch(preview.stdout, /to update|to replace|to delete|to create/, preview.stdout);
      const up = assertOk(await ws.up());
      assert.doesNotMatch(up.stdout, /updated|replaced|deleted|created/, up.stdout);
      assert.deepStrictEqual(await observe("e2e-adoptee"), adopted);
      assert.deepStrictEqual(await observe("e2e-owned"), before.owned);
      if (backend.mutatingCalls) assert.deepStrictEqual(backend.mutatingCalls(), [], "no IAM call that changes anything");

      // A declared tag changed: only that tag changes, the boundary and the path stay.
      await declare("adoptee", { userName: "e2e-adoptee", adopt: true, adoptUserId: before.adoptee!.userId, tags: { owner: "platform" } });
      assertOk(await ws.up());
      assert.deepStrictEqual(await observe("e2e-adoptee"), { ...adopted, tags: { ...adopted.tags, owner: "platform" } });
    });

    it("rename: a new userName is an update in place, the UserId and the access key kept", async () => {
      await declare("renamed", { userName: "e2e-rename" });
      assertOk(await ws.up());
      const userId = ((await ws.outputs()).userIds as Record<string, string>).renamed;
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "e2e-rename" }))).AccessKey!.AccessKeyId!;
      await declare("renamed", { userName: "e2e-rename-2" });
      const preview = assertOk(await ws.preview(["--diff"]));
      assert.match(preview.stdout, /~ 1 to update/);
      assert.doesNotMatch(preview.stdout, /to replace|to delete|to create/, preview.stdout);
      assert.match(preview.stdout, /~ userName\s*: "e2e-rename" => "e2e-rename-2"/, preview.stdout);
      assertOk(await ws.up());
      assert.strictEqual(await getUser("e2e-rename"), undefined);
      assert.strictEqual((await getUser("e2e-rename-2"))?.UserId, userId, "the same user");
      const keys = (await iam.send(new ListAccessKeysCommand({ UserName: "e2e-rename-2" }))).AccessKeyMetadata ?? [];
      assert.deepStrictEqual(
        keys.map((k) => k.AccessKeyId),
        [key],
      );
      const outputs = await ws.outputs();
      assert.strictEqual((outputs.userIds as Record<string, string>).renamed, userId);
      assert.strictEqual((outputs.userNames as Record<string, string>).renamed, "e2e-rename-2");

      // And the destroy that follows tears the renamed user down, key and all; the companion keeps its user.
      const destroy = assertOk(await ws.destroy());
      assert.ok(printed(destroy).includes(`IAM user e2e-rename-2 (${userId}) deleted`), printed(destroy));
      assert.strictEqual(await getUser("e2e-rename-2"), undefined);
      assert.ok(await getUser("e2e-owned"), "companion mode keeps the user");
    });
  });
}
