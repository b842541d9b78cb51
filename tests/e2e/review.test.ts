/**
 * What a reviewer reads in a pull request, through the real Pulumi CLI: a refreshed user with 6 items in a few lines
 * of `pulumi preview --refresh --diff` (only the kinds that hold something, one line each, and a one-line summary), a
 * user with nothing as its summary alone (in `pulumi destroy --preview-only --refresh --diff --show-sames` too), and
 * which inputs an update changes in place (every one of them, a rename included).
 */

import * as assert from "node:assert";
import {
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import {
  assertOk,
  declareUsers,
  type EmulatedStack,
  emulatedStack,
  printed,
  resourceBlock,
  seedBystander,
  USERS_PROGRAM,
  type UserDecl,
} from "./support";

const ANA: UserDecl = { name: "ana", userName: "review-ana", path: "/platform/", tags: { team: "platform" } };
const BO: UserDecl = { name: "bo", userName: "review-bo" };
const CY: UserDecl = { name: "cy", userName: "review-cy" };
const SIX_ITEMS = "console password, 2 access keys, 1 virtual MFA device, 1 group, 1 inline policy";

describe("e2e: a reviewer reads each user at a glance", function () {
  this.timeout(180_000);

  let s: EmulatedStack;
  const items: string[] = [];

  before(async function () {
    this.timeout(90_000);
    s = await emulatedStack(this, { workspace: { projectName: "review", program: { "index.ts": USERS_PROGRAM } } });
    seedBystander(s.emulator);
    await declareUsers(s.ws, [ANA, BO, CY]);
    assertOk(await s.ws.up());
    // Out of band, as someone would in the console: 6 items on ana.
    const u = ANA.userName;
    await s.iam.send(new CreateLoginProfileCommand({ UserName: u, Password: "Review-password-0123456789!" }));
    for (let i = 0; i < 2; i++) items.push((await s.iam.send(new CreateAccessKeyCommand({ UserName: u }))).AccessKey!.AccessKeyId!);
    const device = (await s.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${u}-phone` }))).VirtualMFADevice!;
    await s.iam.send(
      new EnableMFADeviceCommand({
        UserName: u,
        SerialNumber: device.SerialNumber!,
        AuthenticationCode1: "123456",
        AuthenticationCode2: "654321",
      }),
    );
    items.push(`virtual ${device.SerialNumber!}`);
    await s.iam.send(new AddUserToGroupCommand({ UserName: u, GroupName: "developers" }));
    await s.iam.send(
      new PutUserPolicyCommand({
        UserName: u,
        PolicyName: "deploy",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }),
      }),
    );
    items.push("developers", "deploy");
  });

  after(async () => {
    await s?.dispose();
  });

  it("pulumi preview --refresh --diff shows a user with 6 items in at most 15 lines, each item once", async () => {
    const text = printed(assertOk(await s.ws.preview(["--refresh"])));
    const ana = resourceBlock(text, ANA.name, "(refresh)");
    assert.ok(ana, text);
    const lines = ana.split("\n").filter((l) => l.trim() !== "");
    assert.ok(lines.length <= 15, `${lines.length} lines:\n${ana}`);
    for (const item of items) assert.strictEqual(ana.split(item).length - 1, 1, `${item} once\n${ana}`);
    assert.match(ana, /\+ loginProfile\s*: "review-ana"/);
    assert.match(ana, new RegExp(`~ summary\\s*: "nothing" => "${SIX_ITEMS}"`));
    assert.doesNotMatch(ana, /count|total|sshPublicKeys|managedPolicies/, "no empty kind, no counts beside the summary");
    assert.strictEqual(resourceBlock(text, BO.name, "(refresh)"), "", "a user whose inventory did not change is not shown");
  });

  it("with --show-sames, a user with nothing shows only its summary", async () => {
    const text = printed(assertOk(await s.ws.preview(["--refresh", "--show-sames"])));
    const bo = resourceBlock(text, BO.name, "(refresh)");
    assert.match(bo, /summary\s*: "nothing"/, text);
    assert.doesNotMatch(bo, /inventory/, bo);
  });

  it("pulumi destroy --preview-only --refresh --diff --show-sames: the user with nothing is its summary, the other its items", async () => {
    const text = printed(
      assertOk(
        await s.ws.run(["destroy", "--preview-only", "--non-interactive", "--refresh", "--diff", "--show-sames"], {
          env: { PULUMI_SKIP_CONFIRMATIONS: undefined },
        }),
      ),
    );
    const bo = resourceBlock(text, BO.name, "(refresh)");
    assert.match(bo, /summary\s*: "nothing"/, text);
    assert.doesNotMatch(bo, /inventory/, bo);
    // The refreshed record, its delete and the summary: about a screen's tenth per user, not 50 lines.
    const boLines = [bo, resourceBlock(text, BO.name, "(delete)")]
      .join("\n")
      .split("\n")
      .filter((l) => l.trim() !== "");
    assert.ok(boLines.length <= 20, `${boLines.length} lines:\n${boLines.join("\n")}`);
    const ana = resourceBlock(text, ANA.name, "(refresh)");
    for (const item of items) assert.strictEqual(ana.split(item).length - 1, 1, `${item} once\n${ana}`);
    assert.ok(ana.includes(`"${SIX_ITEMS}"`), ana);
    assert.match(text, /- 4 to delete/);
  });

  it("an update says which inputs change in place, a rename among them: nothing is replaced", async () => {
    await declareUsers(s.ws, [{ ...ANA, path: "/security/", tags: { team: "security" } }, BO, { ...CY, userName: "review-cy-2" }]);
    const summary = printed(assertOk(await s.ws.run(["preview", "--non-interactive"])));
    assert.match(summary, /IamUserTeardown\s+ana\s+update\s+\[diff: ~path,tags\]/, summary);
    assert.match(summary, /IamUserTeardown\s+cy\s+update\s+\[diff: ~userName\]/, summary);
    const diff = printed(assertOk(await s.ws.preview()));
    assert.match(resourceBlock(diff, ANA.name, "(update)"), /~ path\s*: "\/platform\/" => "\/security\/"/);
    assert.match(resourceBlock(diff, CY.name, "(update)"), /userName\s*: "review-cy" => "review-cy-2"/);
    const { plan } = await s.ws.previewJson();
    const ops = Object.fromEntries(plan.steps!.filter((st) => /::(ana|cy)$/.test(st.urn)).map((st) => [st.urn.split("::").at(-1), st.op]));
    assert.deepStrictEqual(ops, { ana: "update", cy: "update" }, "path, tags and name all change in place");
  });
});
