import { DetachUserPolicyCommand, ListAttachedUserPoliciesCommand, type ListAttachedUserPoliciesCommandOutput } from "@aws-sdk/client-iam";
import { listUserPages } from "../paging";
import { defineKind } from "../types";

/** Attachments of managed policies; the policies themselves are never touched. */
export const managedPolicies = defineKind({
  id: "managedPolicies",
  singular: "attached managed policy",
  title: "attached managed policies",
  namedByUserOnly: true,
  listActions: ["ListAttachedUserPolicies"],
  async list(ctx, userName) {
    const attached = await listUserPages(
      ctx,
      userName,
      (input) => new ListAttachedUserPoliciesCommand(input),
      (page: ListAttachedUserPoliciesCommandOutput) => page.AttachedPolicies,
    );
    return attached.map((p) => ({ kind: "managedPolicies", id: p.PolicyArn! }));
  },
  removalActions: () => ["DetachUserPolicy"],
  async remove(ctx, userName, item) {
    await ctx.send(new DetachUserPolicyCommand({ UserName: userName, PolicyArn: item.id }));
  },
});
