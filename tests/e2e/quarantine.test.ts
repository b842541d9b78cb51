/**
 * Decommission in two steps through the real Pulumi CLI, on the emulator and on moto (behind the front that answers
 * ListServiceSpecificCredentials, which moto does not implement): `disabled: true` shows as an update in the preview
 * and disables the user on `pulumi up`; the CLI's `enable` restores it and the next `pulumi refresh` shows it enabled;
 * a disabled user is destroyed in one pass. Everything is observed through the SDK, as on any IAM.
 */
import * as assert from "node:assert";
import {
  CreateAccessKeyCommand,
  GetUserCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListUserPoliciesCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { isNoSuchEntity } from "../../provider/aws/errors";
import { runCli } from "../../provider/cli";
import { QUARANTINE_POLICY_NAME } from "../../provider/teardown/quarantine";
import { packageClientFor, pointIamEndpointAt } from "../helpers/iam";
import { acquireMoto, motoUnavailableReason, releaseMoto, startMotoFront } from "../helpers/moto";
import { requirePulumiToolchain } from "../helpers/pulumi/toolchain";
import { PulumiWorkspace } from "../helpers/pulumi/workspace";
import { startEmulator } from "../iam-emulator";
import { assertOk, iamEndpointEnv, printed, RESOURCE_TYPE } from "./support";

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { IamUserTeardown } from "iam-user-teardown";

const config = new pulumi.Config();
const user = new IamUserTeardown("kim", { userName: "e2e-kim", tags: { team: "platform" }, disabled: config.getObject<boolean>("disabled") });
export const userId = user.userId;
export const disabledSince = user.disabledSince;
`;

interface Backend {
  name: string;
  endpoint: string;
  stop(): Promise<void>;
}

const backends: Array<{ name: string; start: (ctx: Mocha.Context) => Promise<Backend> }> = [
  {
    name: "the emulator",
    start: async () => {
      const emulator = await startEmulator({ port: 0 });
      return { name: "emulator", endpoint: emulator.endpoint, stop: () => emulator.stop() };
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
        stop: async () => {
          await front.stop();
          releaseMoto();
        },
      };
    },
  },
];

for (const { name, start } of backends) {
  describe(`e2e: disable first, delete later, through the Pulumi CLI, on ${name}`, function () {
    this.timeout(180_000);

    let backend: Backend;
    let ws: PulumiWorkspace;
    let iam: IAMClient;
    let activeKey: string;
    let inactiveKey: string;

    before(async function () {
      this.timeout(90_000);
      const toolchain = requirePulumiToolchain(this);
      backend = await start(this);
      iam = packageClientFor(backend.endpoint);
      ws = await PulumiWorkspace.create({
        toolchain,
        projectName: `quarantine-${backend.name}`,
        program: { "index.ts": PROGRAM },
        env: iamEndpointEnv(backend.endpoint),
      });
      await ws.stackInit("e2e");
    });
    after(async () => {
      await ws?.dispose();
      await backend?.stop();
    });

    const statuses = async () =>
      ((await iam.send(new ListAccessKeysCommand({ UserName: "e2e-kim" }))).AccessKeyMetadata ?? [])
        .map((k) => [k.AccessKeyId, k.Status])
        .sort(([a], [b]) => (a === activeKey ? -1 : b === activeKey ? 1 : 0));
    const inline = async () => (await iam.send(new ListUserPoliciesCommand({ UserName: "e2e-kim" }))).PolicyNames ?? [];
    const recorded = async () => (await ws.resources()).find((r) => r.type === RESOURCE_TYPE)!.outputs as Record<string, unknown>;

    it("pulumi up creates the user; it gets two access keys, one of them Inactive", async () => {
      assertOk(await ws.up());
      activeKey = (await iam.send(new CreateAccessKeyCommand({ UserName: "e2e-kim" }))).AccessKey!.AccessKeyId!;
      inactiveKey = (await iam.send(new CreateAccessKeyCommand({ UserName: "e2e-kim" }))).AccessKey!.AccessKeyId!;
      await iam.send(new UpdateAccessKeyCommand({ UserName: "e2e-kim", AccessKeyId: inactiveKey, Status: "Inactive" }));
    });

    it("disabled: true shows as an update of disabled in the preview, and pulumi up disables the user, logging each key", async () => {
      await ws.configSet("disabled", "true");
      const preview = assertOk(await ws.preview(["--diff"]));
      // An update in place, never a replacement. Pulumi renders the input itself: "+ disabled: true" the first time it
      // is declared, "~ disabled: true => false" once it was.
      assert.match(preview.stdout, /~ 1 to update/, printed(preview));
      assert.match(preview.stdout, /[~+] disabled\s*: true/, printed(preview));
      assert.doesNotMatch(preview.stdout, /replace/, printed(preview));
      assert.deepStrictEqual(await statuses(), [
        [activeKey, "Active"],
        [inactiveKey, "Inactive"],
      ]);
      const up = assertOk(await ws.up());
      assert.match(printed(up), new RegExp(`deactivated access key ${activeKey}`), printed(up));
      assert.deepStrictEqual(await statuses(), [
        [activeKey, "Inactive"],
        [inactiveKey, "Inactive"],
      ]);
      assert.deepStrictEqual(await inline(), [QUARANTINE_POLICY_NAME]);
      assert.match(String((await ws.outputs()).disabledSince), /^\d{4}-\d\d-\d\dT/);
      assert.deepStrictEqual((await recorded()).tags, { team: "platform" }, "the record's tags are not the resource's");
    });

    it("the CLI's enable restores exactly the key that was Active, and the next pulumi refresh shows the user enabled", async () => {
      const restore = pointIamEndpointAt(backend.endpoint);
      try {
        let err = "";
        const code = await runCli(["enable", "e2e-kim", "--yes"], { stdout: () => undefined, stderr: (t) => (err += t) });
        assert.strictEqual(code, 0, err);
      } finally {
        restore();
      }
      assert.deepStrictEqual(await statuses(), [
        [activeKey, "Active"],
        [inactiveKey, "Inactive"],
      ]);
      assert.deepStrictEqual(await inline(), []);
      assert.ok((await recorded()).disabledSince, "before the refresh the stack still says disabled");
      assertOk(await ws.refresh());
      assert.strictEqual((await recorded()).disabledSince, undefined, "the refresh shows the user enabled");
    });

    it("a disabled user is destroyed in one pass", async () => {
      assertOk(await ws.up());
      assert.ok((await recorded()).disabledSince, "disabled again, as the program declares");
      assertOk(await ws.destroy());
      assert.deepStrictEqual(await ws.resources(), []);
      await assert.rejects(iam.send(new GetUserCommand({ UserName: "e2e-kim" })), (err) => isNoSuchEntity(err));
    });
  });
}
