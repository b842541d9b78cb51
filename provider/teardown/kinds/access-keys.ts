import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  type GetAccessKeyLastUsedCommandOutput,
  ListAccessKeysCommand,
  type ListAccessKeysCommandOutput,
} from "@aws-sdk/client-iam";
import { listUserPages } from "../paging";
import { defineKind } from "../types";
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
      listed.keep({ kind: "accessKeys", id: k.AccessKeyId! }, { status: k.Status, createDate: isoDate(k.CreateDate) }),
    );
  },
  removalActions: () => ["DeleteAccessKey"],
  async remove(ctx, userName, item) {
    await ctx.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: item.id }));
  },
  // When and where each key was last used tells whoever reads the record what a removal may have broken.
  recordActions: ["GetAccessKeyLastUsed"],
  recordItems: (ctx, _userName, items) =>
    Promise.all(
      items.map(async (item) => {
        const lastUsed = await readForRecord(async () => {
          const out = await ctx.send<GetAccessKeyLastUsedCommandOutput>(new GetAccessKeyLastUsedCommand({ AccessKeyId: item.id }));
          const used = out.AccessKeyLastUsed;
          return { date: isoDate(used?.LastUsedDate) ?? null, service: used?.ServiceName, region: used?.Region };
        });
        return { id: item.id, ...listed.of(item), lastUsed };
      }),
    ),
  cannotRestore: "a secret access key is never recorded: create a new key (CreateAccessKey) and replace the old one where it was used",
});
