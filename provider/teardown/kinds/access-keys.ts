import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  type GetAccessKeyLastUsedCommandOutput,
  ListAccessKeysCommand,
  type ListAccessKeysCommandOutput,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { isNoSuchEntity } from "../../aws/errors";
import { listUserPages } from "../paging";
import { defineKind, type ItemLastUse, type KindContext } from "../types";
import { isoDate, ListedDetails, readForRecord } from "./listed";

const listed = new ListedDetails<{ status?: string; createDate?: string }>();

export const accessKeys = defineKind({
  id: "accessKeys",
  singular: "access key",
  title: "access keys",
  namedByUserOnly: false,
  listActions: ["ListAccessKeys"],
  async list(ctx, userName) {
    const keys = await listUserPages(
      ctx,
      userName,
      (input) => new ListAccessKeysCommand(input),
      (page: ListAccessKeysCommandOutput) => page.AccessKeyMetadata,
    );
    return keys.map((k) =>
      listed.keep({ kind: "accessKeys", id: k.AccessKeyId!, status: k.Status }, { status: k.Status, createDate: isoDate(k.CreateDate) }),
    );
  },
  removalActions: () => ["DeleteAccessKey"],
  async remove(ctx, userName, item) {
    await ctx.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: item.id }));
  },
  lastUseAction: "GetAccessKeyLastUsed",
  async lastUse(ctx, item) {
    try {
      return await readLastUse(ctx, item.id);
    } catch (err) {
      if (isNoSuchEntity(err)) return undefined; // deleted since it was listed
      throw err;
    }
  },
  statusSwitch: {
    action: "UpdateAccessKey",
    async set(ctx, userName, item, status) {
      await ctx.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: item.id, Status: status }));
    },
  },
  // When and where each key was last used tells whoever reads the record what a removal may have broken.
  recordActions: ["GetAccessKeyLastUsed"],
  recordItems: (ctx, _userName, items) =>
    Promise.all(
      items.map(async (item) => {
        const lastUsed = await readForRecord(async () => {
          const used = await readLastUse(ctx, item.id);
          return { date: isoDate(used.date) ?? null, service: used.service ?? null, region: used.region ?? null };
        });
        return { id: item.id, ...listed.of(item), lastUsed };
      }),
    ),
  cannotRestore: "a secret access key is never recorded: create a new key (CreateAccessKey) and replace the old one where it was used",
});

/** A key's last use as IAM reports it: a key never used has no date, and "N/A" for service and region. */
async function readLastUse(ctx: KindContext, accessKeyId: string): Promise<ItemLastUse> {
  const answer = await ctx.send<GetAccessKeyLastUsedCommandOutput>(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }));
  const used = answer.AccessKeyLastUsed;
  const known = (v: string | undefined) => (v === undefined || v === "N/A" ? undefined : v);
  return { date: used?.LastUsedDate, service: known(used?.ServiceName), region: known(used?.Region) };
}
