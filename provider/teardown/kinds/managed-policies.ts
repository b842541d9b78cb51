import {
  DetachUserPolicyCommand,
  ListAttachedUserPoliciesCommand,
  type ListAttachedUserPoliciesCommandOutput,
} from "@aws-sdk/client-iam";
import { listAllPages } from "../paging";
import type { DependencyKind } from "../types";

/** Attachments of managed policies; the policies themselves are never touched. */
export const managedPolicies: DependencyKind = {
  id: "managedPolicies",
  title: "attached managed policies",
  listActions: ["ListAttachedUserPolicies"],
  async list(ctx, userName) {
    const attached = await listAllPages(
      (Marker) =>
        ctx.send<ListAttachedUserPoliciesCommandOutput>(new ListAttachedUserPoliciesCommand({ UserName: userName, Marker, MaxItems: ctx.pageSize })),
      (page) => page.AttachedPolicies,
    );
    return attached.map((p) => ({ kind: "managedPolicies", id: p.PolicyArn! }));
  },
  removalActions: () => ["DetachUserPolicy"],
  async remove(ctx, userName, item) {
    await ctx.send(new DetachUserPolicyCommand({ UserName: userName, PolicyArn: item.id }));
  },
};
