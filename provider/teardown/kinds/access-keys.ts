import {
  DeleteAccessKeyCommand,
  ListAccessKeysCommand,
  type ListAccessKeysCommandOutput,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { listUserPages } from "../paging";
import { defineKind } from "../types";

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
    return keys.map((k) => ({ kind: "accessKeys", id: k.AccessKeyId!, status: k.Status }));
  },
  removalActions: () => ["DeleteAccessKey"],
  async remove(ctx, userName, item) {
    await ctx.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: item.id }));
  },
  statusSwitch: {
    action: "UpdateAccessKey",
    async set(ctx, userName, item, status) {
      await ctx.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: item.id, Status: status }));
    },
  },
});
