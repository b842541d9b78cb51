import { strict as assert } from "node:assert";
import {
  GetGroupCommand,
  type IAMClient,
  ListServiceSpecificCredentialsCommand,
  ListUsersCommand,
  paginateGetGroup,
  paginateListAccessKeys,
  paginateListAttachedUserPolicies,
  paginateListGroups,
  paginateListGroupsForUser,
  paginateListMFADevices,
  paginateListPolicies,
  paginateListSigningCertificates,
  paginateListSSHPublicKeys,
  paginateListUserPolicies,
  paginateListUsers,
  paginateListUserTags,
  paginateListVirtualMFADevices,
} from "@aws-sdk/client-iam";
import { sdkClientFor, useEmulator } from "../helpers/iam";
import type { Emulator } from "../iam-emulator";
import { expectIamError } from "./support";

/** Walks an SDK paginator, returning the items and the number of pages. */
async function walk<P>(it: AsyncIterable<P>, items: (p: P) => unknown[] | undefined): Promise<{ items: unknown[]; pages: number }> {
  const all: unknown[] = [];
  let pages = 0;
  for await (const p of it) {
    pages++;
    all.push(...(items(p) ?? []));
  }
  return { items: all, pages };
}

describe("emulator: paging of every List call (maxPageSize 1)", () => {
  const env = useEmulator({ maxPageSize: 1 }, "sdk");
  let iam: IAMClient;
  before(() => {
    iam = env.client;
    env.emulator.seed({
      users: [
        {
          userName: "pages",
          tags: { a: "1", b: "2", c: "3" },
          accessKeys: 2,
          sshKeys: 3,
          signingCertificates: 2,
          serviceCredentials: ["codecommit.amazonaws.com", "cassandra.amazonaws.com", "bedrock.amazonaws.com"],
          virtualMfa: ["pages-1", "pages-2"],
          hardwareMfa: ["GAHT00000042"],
          fidoMfa: 2,
          groups: ["g1", "g2", "g3"],
          inlinePolicies: ["i1", "i2", "i3"],
          managedPolicies: ["m1", "m2", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
        },
        { userName: "pages-2", groups: ["g1"] },
        { userName: "pages-3", groups: ["g1"] },
      ],
    });
  });

  const cfg = () => ({ client: iam });

  const cases: Array<[string, () => Promise<{ items: unknown[]; pages: number }>, number]> = [
    ["ListUsers", () => walk(paginateListUsers(cfg(), {}), (p) => p.Users), 3],
    ["ListGroups", () => walk(paginateListGroups(cfg(), {}), (p) => p.Groups), 3],
    ["GetGroup", () => walk(paginateGetGroup(cfg(), { GroupName: "g1" }), (p) => p.Users), 3],
    ["ListGroupsForUser", () => walk(paginateListGroupsForUser(cfg(), { UserName: "pages" }), (p) => p.Groups), 3],
    ["ListAttachedUserPolicies", () => walk(paginateListAttachedUserPolicies(cfg(), { UserName: "pages" }), (p) => p.AttachedPolicies), 3],
    ["ListPolicies (Local)", () => walk(paginateListPolicies(cfg(), { Scope: "Local" }), (p) => p.Policies), 2],
    ["ListUserPolicies", () => walk(paginateListUserPolicies(cfg(), { UserName: "pages" }), (p) => p.PolicyNames), 3],
    ["ListAccessKeys", () => walk(paginateListAccessKeys(cfg(), { UserName: "pages" }), (p) => p.AccessKeyMetadata), 2],
    ["ListSSHPublicKeys", () => walk(paginateListSSHPublicKeys(cfg(), { UserName: "pages" }), (p) => p.SSHPublicKeys), 3],
    ["ListSigningCertificates", () => walk(paginateListSigningCertificates(cfg(), { UserName: "pages" }), (p) => p.Certificates), 2],
    ["ListMFADevices", () => walk(paginateListMFADevices(cfg(), { UserName: "pages" }), (p) => p.MFADevices), 5],
    ["ListVirtualMFADevices", () => walk(paginateListVirtualMFADevices(cfg(), {}), (p) => p.VirtualMFADevices), 2],
    ["ListUserTags", () => walk(paginateListUserTags(cfg(), { UserName: "pages" }), (p) => p.Tags), 3],
    [
      "ListServiceSpecificCredentials",
      async () => {
        const items: unknown[] = [];
        let pages = 0;
        let Marker: string | undefined;
        do {
          const p = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: "pages", Marker }));
          pages++;
          items.push(...p.ServiceSpecificCredentials!);
          Marker = p.IsTruncated ? p.Marker : undefined;
        } while (Marker);
        return { items, pages };
      },
      3,
    ],
  ];

  for (const [name, run, expected] of cases) {
    it(`${name}: one item a page, every item once, no empty last page`, async () => {
      const { items, pages } = await run();
      assert.equal(items.length, expected);
      assert.equal(new Set(items.map((i) => JSON.stringify(i))).size, expected);
      assert.equal(pages, expected);
    });
  }

  it("answers IsTruncated with a Marker on every page but the last", async () => {
    const first = await iam.send(new ListUsersCommand({}));
    assert.equal(first.IsTruncated, true);
    assert.ok(first.Marker);
    const second = await iam.send(new ListUsersCommand({ Marker: first.Marker }));
    const third = await iam.send(new ListUsersCommand({ Marker: second.Marker }));
    assert.equal(third.IsTruncated, false);
    assert.equal(third.Marker, undefined);
  });
});

describe("emulator: MaxItems, Marker and the default page size", () => {
  const env = useEmulator({}, "sdk");
  let emu: Emulator;
  before(() => {
    emu = env.emulator;
    emu.seed({ users: Array.from({ length: 150 }, (_, i) => ({ userName: `u${String(i).padStart(3, "0")}` })), groups: ["big"] });
    for (let i = 0; i < 150; i++) emu.state.addUserToGroup(`u${String(i).padStart(3, "0")}`, "big");
  });

  it("pages 100 items by default, as AWS does", async () => {
    const out = await env.client.send(new ListUsersCommand({}));
    assert.equal(out.Users?.length, 100);
    assert.equal(out.IsTruncated, true);
    const rest = await env.client.send(new ListUsersCommand({ Marker: out.Marker }));
    assert.equal(rest.Users?.length, 50);
    assert.equal(rest.IsTruncated, false);
    const group = await env.client.send(new GetGroupCommand({ GroupName: "big" }));
    assert.equal(group.Users?.length, 100);
  });

  it("honours MaxItems 1..1000 and answers ValidationError outside that range", async () => {
    assert.equal((await env.client.send(new ListUsersCommand({ MaxItems: 7 }))).Users?.length, 7);
    assert.equal((await env.client.send(new ListUsersCommand({ MaxItems: 1000 }))).Users?.length, 150);
    await expectIamError(env.client.send(new ListUsersCommand({ MaxItems: 0 })), "ValidationError", 400);
    await expectIamError(env.client.send(new ListUsersCommand({ MaxItems: 1001 })), "ValidationError", 400);
  });

  it("rejects a Marker it did not issue", async () => {
    await expectIamError(env.client.send(new ListUsersCommand({ Marker: "not-a-marker" })), "ValidationError", 400);
  });

  it("keeps a page walk correct while items already listed are deleted (no item skipped)", async () => {
    const first = await env.client.send(new ListUsersCommand({ MaxItems: 10 }));
    for (const u of first.Users!) emu.state.removeUserCompletely(u.UserName!);
    const names: string[] = [];
    let marker = first.Marker;
    while (marker) {
      const page = await env.client.send(new ListUsersCommand({ MaxItems: 10, Marker: marker }));
      names.push(...page.Users!.map((u) => u.UserName!));
      marker = page.IsTruncated ? page.Marker : undefined;
    }
    assert.equal(names.length, 140);
    assert.equal(names[0], "u010");
  });

  it("with maxPageSize, a larger MaxItems is capped", async () => {
    const small = await (async () => {
      await env.fresh({ maxPageSize: 4 });
      env.emulator.seed({ users: Array.from({ length: 6 }, (_, i) => ({ userName: `cap${i}` })) });
      const c = sdkClientFor(env.emulator.endpoint);
      const out = await c.send(new ListUsersCommand({ MaxItems: 50 }));
      c.destroy();
      return out;
    })();
    assert.equal(small.Users?.length, 4);
    assert.equal(small.IsTruncated, true);
  });
});
