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
  lastUseAction: "GetAccessKeyLastUsed",
  async lastUse(ctx, item) {
    let answer: GetAccessKeyLastUsedCommandOutput;
    try {
      answer = await ctx.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: item.id }));
    } catch (err) {
      if (isNoSuchEntity(err)) return undefined; // deleted since it was listed
      throw err;
    }
    const used = answer.AccessKeyLastUsed;
    // A key never used has no date, and "N/A" for service and region.
    const known = (v: string | undefined) => (v === undefined || v === "N/A" ? undefined : v);
    return { date: used?.LastUsedDate, service: known(used?.ServiceName), region: known(used?.Region) };
  },
  statusSwitch: {
    action: "UpdateAccessKey",
    async set(ctx, userName, item, status) {
      await ctx.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: item.id, Status: status }));
    },
  },
});
