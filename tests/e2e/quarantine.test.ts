/**
 * Decommission in two steps through the real Pulumi CLI against the emulator: `disabled: true` shows as an update in
 * the preview and disables the user on `pulumi up`; the CLI's `enable` restores it and the next `pulumi refresh` shows
 * it enabled; a disabled user is destroyed in one pass.
 */
import * as assert from "node:assert";
import { CreateAccessKeyCommand, UpdateAccessKeyCommand } from "@aws-sdk/client-iam";
import { runCli } from "../../provider/cli";
import { QUARANTINE_POLICY_NAME } from "../../provider/teardown/quarantine";
import { pointIamEndpointAt } from "../helpers/iam";
import { assertNoTrace, assertOk, type EmulatedStack, emulatedStack, printed, RESOURCE_TYPE, seedBystander } from "./support";

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { IamUserTeardown } from "iam-user-teardown";

const config = new pulumi.Config();
const user = new IamUserTeardown("kim", { userName: "e2e-kim", tags: { team: "platform" }, disabled: config.getObject<boolean>("disabled") });
export const userId = user.userId;
export const disabledSince = user.disabledSince;
`;

describe("e2e: disable first, delete later, through the Pulumi CLI", function () {
  this.timeout(180_000);

  let s: EmulatedStack;
  let activeKey: string;
  let inactiveKey: string;
  let userId: string;

  before(async function () {
    this.timeout(60_000);
    s = await emulatedStack(this, { workspace: { projectName: "quarantine", program: { "index.ts": PROGRAM } } });
    seedBystander(s.emulator);
  });
  after(async () => {
    await s?.dispose();
  });

  const statuses = () =>
    s.emulator.state
      .getUser("e2e-kim")!
      .accessKeys.toArray()
      .map((k) => [k.accessKeyId, k.status]);
  const recorded = async () => (await s.ws.resources()).find((r) => r.type === RESOURCE_TYPE)!.outputs as Record<string, unknown>;

  it("pulumi up creates the user; it gets two access keys, one of them Inactive", async () => {
    assertOk(await s.ws.up());
    userId = (await s.ws.outputs()).userId as string;
    activeKey = (await s.iam.send(new CreateAccessKeyCommand({ UserName: "e2e-kim" }))).AccessKey!.AccessKeyId!;
    inactiveKey = (await s.iam.send(new CreateAccessKeyCommand({ UserName: "e2e-kim" }))).AccessKey!.AccessKeyId!;
    await s.iam.send(new UpdateAccessKeyCommand({ UserName: "e2e-kim", AccessKeyId: inactiveKey, Status: "Inactive" }));
  });

  it("disabled: true shows as an update of disabled in the preview, and pulumi up disables the user, logging each key", async () => {
    await s.ws.configSet("disabled", "true");
    const preview = assertOk(await s.ws.preview(["--diff"]));
    // An update in place, never a replacement. Pulumi renders the input itself: "+ disabled: true" the first time it is
    // declared, "~ disabled: true => false" once it was.
    assert.match(preview.stdout, /~ 1 to update/, printed(preview));
    assert.match(preview.stdout, /[~+] disabled\s*: true/, printed(preview));
    assert.doesNotMatch(preview.stdout, /replace/, printed(preview));
    assert.deepStrictEqual(statuses(), [
      [activeKey, "Active"],
      [inactiveKey, "Inactive"],
    ]);
    const up = assertOk(await s.ws.up());
    assert.match(printed(up), new RegExp(`deactivated access key ${activeKey}`), printed(up));
    assert.deepStrictEqual(statuses(), [
      [activeKey, "Inactive"],
      [inactiveKey, "Inactive"],
    ]);
    assert.ok(s.emulator.state.getUser("e2e-kim")!.inlinePolicies.has(QUARANTINE_POLICY_NAME));
    assert.match(String((await s.ws.outputs()).disabledSince), /^\d{4}-\d\d-\d\dT/);
    assert.deepStrictEqual((await recorded()).tags, { team: "platform" }, "the record's tags are not the resource's");
  });

  it("the CLI's enable restores exactly the key that was Active, and the next pulumi refresh shows the user enabled", async () => {
    const restore = pointIamEndpointAt(s.emulator.endpoint);
    try {
      let err = "";
      const code = await runCli(["enable", "e2e-kim", "--yes"], { stdout: () => undefined, stderr: (t) => (err += t) });
      assert.strictEqual(code, 0, err);
    } finally {
      restore();
    }
    assert.deepStrictEqual(statuses(), [
      [activeKey, "Active"],
      [inactiveKey, "Inactive"],
    ]);
    assert.ok(!s.emulator.state.getUser("e2e-kim")!.inlinePolicies.has(QUARANTINE_POLICY_NAME));
    assert.ok((await recorded()).disabledSince, "before the refresh the stack still says disabled");
    assertOk(await s.ws.refresh());
    assert.strictEqual((await recorded()).disabledSince, undefined, "the refresh shows the user enabled");
  });

  it("a disabled user is destroyed in one pass", async () => {
    assertOk(await s.ws.up());
    assert.ok((await recorded()).disabledSince, "disabled again, as the program declares");
    assertOk(await s.ws.destroy());
    assert.deepStrictEqual(await s.ws.resources(), []);
    assertNoTrace(s.emulator, { userName: "e2e-kim", userId });
  });
});
