import { DeleteUserPolicyCommand, ListUserPoliciesCommand, type ListUserPoliciesCommandOutput } from "@aws-sdk/client-iam";
import { listUserPages } from "../paging";
import { defineKind } from "../types";

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
});
