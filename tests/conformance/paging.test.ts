// Paging (MaxItems / IsTruncated / Marker) of every List call, walked on both servers.
//
// AWS reference: with n items and MaxItems k, ceil(n/k) pages of k (the last possibly fewer),
// IsTruncated true with a Marker on every page but the last, every item exactly once.

import { strict as assert } from "node:assert";
import * as I from "@aws-sdk/client-iam";
import { CERT, POLICY_DOC, SSH_KEY } from "../emulator/support";
import type { DifferenceId } from "./differences";
import { freshTargets, observedDifferences, reportDifferences, type Target, useConformance } from "./harness";

const CODE = { AuthenticationCode1: "123456", AuthenticationCode2: "654321" };
const U = "pager";

interface Page {
  count: number;
  truncated: boolean;
  marker: boolean;
}

interface ListCase {
  name: string;
  total: number;
  call: (t: Target, maxItems: number, marker?: string) => unknown;
  items: (out: Record<string, unknown>) => string[];
  /** Items are ids the server generates: compare counts, not names, across servers. */
  generatedIds?: boolean;
  motoDiffers?: DifferenceId;
}

const names =
  <T>(key: string, pick: (x: T) => string | undefined) =>
  (o: Record<string, unknown>) =>
    ((o[key] as T[] | undefined) ?? []).map((x) => pick(x) ?? "");

const LISTS: ListCase[] = [
  {
    name: "ListUsers",
    total: 3,
    call: (_t, MaxItems, Marker) => new I.ListUsersCommand({ PathPrefix: "/paging/", MaxItems, Marker }),
    items: names<I.User>("Users", (u) => u.UserName),
    motoDiffers: "ignores-maxitems",
  },
  {
    name: "ListGroups",
    total: 3,
    call: (_t, MaxItems, Marker) => new I.ListGroupsCommand({ PathPrefix: "/paging/", MaxItems, Marker }),
    items: names<I.Group>("Groups", (g) => g.GroupName),
    motoDiffers: "ignores-maxitems",
  },
  {
    name: "GetGroup",
    total: 3,
    call: (_t, MaxItems, Marker) => new I.GetGroupCommand({ GroupName: "pg1", MaxItems, Marker }),
    items: names<I.User>("Users", (u) => u.UserName),
    motoDiffers: "ignores-maxitems",
  },
  {
    name: "ListGroupsForUser",
    total: 3,
    call: (_t, MaxItems, Marker) => new I.ListGroupsForUserCommand({ UserName: U, MaxItems, Marker }),
    items: names<I.Group>("Groups", (g) => g.GroupName),
    motoDiffers: "ignores-maxitems",
  },
  {
    name: "ListAttachedUserPolicies",
    total: 3,
    call: (_t, MaxItems, Marker) => new I.ListAttachedUserPoliciesCommand({ UserName: U, MaxItems, Marker }),
    items: names<I.AttachedPolicy>("AttachedPolicies", (p) => p.PolicyName),
    motoDiffers: "empty-last-page",
  },
  {
    name: "ListPolicies (Local)",
    total: 3,
    call: (_t, MaxItems, Marker) => new I.ListPoliciesCommand({ Scope: "Local", MaxItems, Marker }),
    items: names<I.Policy>("Policies", (p) => p.PolicyName),
    motoDiffers: "empty-last-page",
  },
  {
    name: "ListUserPolicies",
    total: 3,
    call: (_t, MaxItems, Marker) => new I.ListUserPoliciesCommand({ UserName: U, MaxItems, Marker }),
    items: (o) => (o.PolicyNames as string[]) ?? [],
    motoDiffers: "ignores-maxitems",
  },
  {
    name: "ListAccessKeys",
    total: 2,
    call: (_t, MaxItems, Marker) => new I.ListAccessKeysCommand({ UserName: U, MaxItems, Marker }),
    items: names<I.AccessKeyMetadata>("AccessKeyMetadata", (k) => k.AccessKeyId),
    generatedIds: true,
    motoDiffers: "ignores-maxitems",
  },
  {
    name: "ListSSHPublicKeys",
    total: 3,
    call: (_t, MaxItems, Marker) => new I.ListSSHPublicKeysCommand({ UserName: U, MaxItems, Marker }),
    items: names<I.SSHPublicKeyMetadata>("SSHPublicKeys", (k) => k.SSHPublicKeyId),
    generatedIds: true,
    motoDiffers: "ignores-maxitems",
  },
  {
    name: "ListSigningCertificates",
    total: 2,
    call: (_t, MaxItems, Marker) => new I.ListSigningCertificatesCommand({ UserName: U, MaxItems, Marker }),
    items: names<I.SigningCertificate>("Certificates", (c) => c.CertificateId),
    generatedIds: true,
    motoDiffers: "ignores-maxitems",
  },
  {
    name: "ListMFADevices",
    total: 3,
    call: (_t, MaxItems, Marker) => new I.ListMFADevicesCommand({ UserName: U, MaxItems, Marker }),
    items: names<I.MFADevice>("MFADevices", (d) => d.SerialNumber),
    motoDiffers: "ignores-maxitems",
  },
  {
    name: "ListVirtualMFADevices",
    total: 3,
    call: (_t, MaxItems, Marker) => new I.ListVirtualMFADevicesCommand({ MaxItems, Marker }),
    items: names<I.VirtualMFADevice>("VirtualMFADevices", (d) => d.SerialNumber),
    motoDiffers: "empty-last-page",
  },
  {
    name: "ListUserTags",
    total: 3,
    call: (_t, MaxItems, Marker) => new I.ListUserTagsCommand({ UserName: U, MaxItems, Marker }),
    items: names<I.Tag>("Tags", (x) => x.Key),
    motoDiffers: "ignores-maxitems",
  },
];

async function walk(t: Target, c: ListCase, maxItems: number): Promise<{ pages: Page[]; items: string[] }> {
  const pages: Page[] = [];
  const items: string[] = [];
  let marker: string | undefined;
  do {
    const out = (await t.iam.send(c.call(t, maxItems, marker) as never)) as unknown as Record<string, unknown>;
    const got = c.items(out);
    items.push(...got);
    pages.push({ count: got.length, truncated: out.IsTruncated === true, marker: typeof out.Marker === "string" && out.Marker !== "" });
    marker = out.IsTruncated === true ? (out.Marker as string) : undefined;
    assert.ok(pages.length <= 10, `${t.name} ${c.name}: the walk does not end`);
  } while (marker);
  return { pages, items };
}

function awsPages(total: number, k: number): Page[] {
  const pages: Page[] = [];
  for (let left = total; left > 0; left -= k) pages.push({ count: Math.min(k, left), truncated: left > k, marker: left > k });
  return pages;
}

async function populate(t: Target): Promise<void> {
  const s = (cmd: unknown) => t.iam.send(cmd as never);
  for (const u of [U, "pager-b", "pager-c"]) await s(new I.CreateUserCommand({ UserName: u, Path: "/paging/" }));
  for (const g of ["pg1", "pg2", "pg3"]) {
    await s(new I.CreateGroupCommand({ GroupName: g, Path: "/paging/" }));
    await s(new I.AddUserToGroupCommand({ GroupName: g, UserName: U }));
  }
  await s(new I.AddUserToGroupCommand({ GroupName: "pg1", UserName: "pager-b" }));
  await s(new I.AddUserToGroupCommand({ GroupName: "pg1", UserName: "pager-c" }));
  for (const p of ["pp1", "pp2", "pp3"]) {
    await s(new I.CreatePolicyCommand({ PolicyName: p, PolicyDocument: POLICY_DOC }));
    await s(new I.AttachUserPolicyCommand({ UserName: U, PolicyArn: `arn:aws:iam::${t.accountId}:policy/${p}` }));
    await s(new I.PutUserPolicyCommand({ UserName: U, PolicyName: `inline-${p}`, PolicyDocument: POLICY_DOC }));
  }
  for (let i = 0; i < 2; i++) await s(new I.CreateAccessKeyCommand({ UserName: U }));
  for (let i = 1; i <= 3; i++) await s(new I.UploadSSHPublicKeyCommand({ UserName: U, SSHPublicKeyBody: SSH_KEY(20 + i) }));
  for (let i = 1; i <= 2; i++) await s(new I.UploadSigningCertificateCommand({ UserName: U, CertificateBody: CERT(i) }));
  for (let i = 1; i <= 3; i++) {
    const d = (await s(
      new I.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `pager-mfa-${i}` }),
    )) as I.CreateVirtualMFADeviceResponse;
    await s(new I.EnableMFADeviceCommand({ UserName: U, SerialNumber: d.VirtualMFADevice!.SerialNumber, ...CODE }));
  }
  await s(
    new I.TagUserCommand({
      UserName: U,
      Tags: [
        { Key: "a", Value: "1" },
        { Key: "b", Value: "2" },
        { Key: "c", Value: "3" },
      ],
    }),
  );
}

describe("conformance (moto vs emulator): paging of every List call", function () {
  this.timeout(60_000);
  const servers = useConformance();
  reportDifferences();
  let env: Awaited<ReturnType<typeof freshTargets>> | undefined;

  before(async () => {
    env = await freshTargets(servers);
    for (const t of env.targets) await populate(t);
  });
  after(async () => {
    await env?.close();
  });

  for (const c of LISTS) {
    it(`${c.name}: walks with MaxItems 1 and 2, every item once, IsTruncated/Marker as AWS`, async () => {
      const [moto, emulator] = env!.targets;
      const everything: Record<string, string[]> = {};
      const motoPages: string[] = [];
      let motoAsAws = true;
      for (const t of [moto, emulator]) {
        for (const k of [1, 2]) {
          const { pages, items } = await walk(t, c, k);
          assert.equal(new Set(items).size, c.total, `${t.name} ${c.name} MaxItems ${k}: every item once (got ${items.join(", ")})`);
          everything[t.name] = items;
          const expected = awsPages(c.total, k);
          if (t.name === "emulator" || !c.motoDiffers) {
            assert.deepEqual(pages, expected, `${t.name} ${c.name} MaxItems ${k}`);
          } else {
            motoPages.push(`MaxItems ${k}: ${pages.map((p) => `${p.count}${p.truncated ? "+" : ""}`).join(" ")}`);
            motoAsAws &&= JSON.stringify(pages) === JSON.stringify(expected);
          }
        }
      }
      if (c.motoDiffers) observedDifferences.push({ id: c.motoDiffers, step: c.name, moto: motoPages.join("; "), agreed: motoAsAws });
      // The items the scenario created must be the same on both servers (ids the servers generate are compared by count).
      const comparable = (xs: string[]) => (c.generatedIds ? [xs.length] : xs.map((x) => x.replace(/\d{12}/, "ACCOUNT")).sort());
      assert.deepEqual(comparable(everything.emulator), comparable(everything.moto), `${c.name}: the same items on both servers`);
    });
  }
});
