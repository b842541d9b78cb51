import { DeleteUserPolicyCommand, ListUserPoliciesCommand, type ListUserPoliciesCommandOutput } from "@aws-sdk/client-iam";
import { listAllPages } from "../paging";
import type { DependencyKind } from "../types";

export const inlinePolicies: DependencyKind = {
  id: "inlinePolicies",
  title: "inline policies",
  listActions: ["ListUserPolicies"],
  async list(ctx, userName) {
    const names = await listAllPages(
      (Marker) => ctx.send<ListUserPoliciesCommandOutput>(new ListUserPoliciesCommand({ UserName: userName, Marker, MaxItems: ctx.pageSize })),
      (page) => page.PolicyNames,
    );
    return names.map((name) => ({ kind: "inlinePolicies", id: name }));
  },
  removalActions: () => ["DeleteUserPolicy"],
  async remove(ctx, userName, item) {
    await ctx.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: item.id }));
  },
};
