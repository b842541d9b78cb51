import {
  DeleteUserPolicyCommand,
  GetUserPolicyCommand,
  type GetUserPolicyCommandOutput,
  ListUserPoliciesCommand,
  type ListUserPoliciesCommandOutput,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { listUserPages } from "../paging";
import { defineKind } from "../types";
import { readForRecord } from "./listed";

/** IAM answers policy documents URL-encoded (RFC 3986); the record holds the JSON itself, or the text if it is not JSON. */
function decodePolicyDocument(encoded: string): unknown {
  const text = decodeURIComponent(encoded);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const inlinePolicies = defineKind({
  id: "inlinePolicies",
  singular: "inline policy",
  title: "inline policies",
  namedByUserOnly: true,
  listActions: ["ListUserPolicies"],
  async list(ctx, userName) {
    const names = await listUserPages(
      ctx,
      userName,
      (input) => new ListUserPoliciesCommand(input),
      (page: ListUserPoliciesCommandOutput) => page.PolicyNames,
    );
    return names.map((name) => ({ kind: "inlinePolicies", id: name }));
  },
  removalActions: () => ["DeleteUserPolicy"],
  async remove(ctx, userName, item) {
    await ctx.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: item.id }));
  },
  // The document exists nowhere else once the policy is deleted: the record is the only copy.
  recordActions: ["GetUserPolicy"],
  recordItems: (ctx, userName, items) =>
    Promise.all(
      items.map(async (item) => {
        const read = await readForRecord(async () => {
          const out = await ctx.send<GetUserPolicyCommandOutput>(new GetUserPolicyCommand({ UserName: userName, PolicyName: item.id }));
          return { document: decodePolicyDocument(out.PolicyDocument!) };
        });
        return { id: item.id, ...read };
      }),
    ),
  restore: {
    actions: ["PutUserPolicy"],
    async recreate(ctx, userName, entry) {
      if (entry.document === undefined) return { id: entry.id, outcome: "missing", detail: "the record holds no document for it" };
      const document = typeof entry.document === "string" ? entry.document : JSON.stringify(entry.document);
      await ctx.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: entry.id, PolicyDocument: document }));
      return { id: entry.id, outcome: "recreated" };
    },
  },
});
