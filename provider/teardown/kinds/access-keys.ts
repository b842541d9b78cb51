import { DeleteAccessKeyCommand, ListAccessKeysCommand, type ListAccessKeysCommandOutput } from "@aws-sdk/client-iam";
import { listAllPages } from "../paging";
import type { DependencyKind } from "../types";

export const accessKeys: DependencyKind = {
  id: "accessKeys",
  title: "access keys",
  listActions: ["ListAccessKeys"],
  async list(ctx, userName) {
    const keys = await listAllPages(
      (Marker) => ctx.send<ListAccessKeysCommandOutput>(new ListAccessKeysCommand({ UserName: userName, Marker, MaxItems: ctx.pageSize })),
      (page) => page.AccessKeyMetadata,
    );
    return keys.map((k) => ({ kind: "accessKeys", id: k.AccessKeyId! }));
  },
  removalActions: () => ["DeleteAccessKey"],
  async remove(ctx, userName, item) {
    await ctx.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: item.id }));
  },
};
