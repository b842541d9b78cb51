import {
  AttachUserPolicyCommand,
  DetachUserPolicyCommand,
  ListAttachedUserPoliciesCommand,
  type ListAttachedUserPoliciesCommandOutput,
} from "@aws-sdk/client-iam";
import { listUserPages } from "../paging";
import { defineKind } from "../types";
import { attachExisting, ListedDetails } from "./listed";

const listed = new ListedDetails<{ policyName?: string }>();

/** Attachments of managed policies; the policies themselves are never touched. */
export const managedPolicies = defineKind({
  id: "managedPolicies",
  singular: "attached managed policy",
  title: "attached managed policies",
  tallies: [{ singular: "managed policy", plural: "managed policies" }],
  namedByUserOnly: true,
  listActions: ["ListAttachedUserPolicies"],
  async list(ctx, userName) {
    const attached = await listUserPages(
      ctx,
      userName,
      (input) => new ListAttachedUserPoliciesCommand(input),
      (page: ListAttachedUserPoliciesCommandOutput) => page.AttachedPolicies,
    );
    return attached.map((p) => listed.keep({ kind: "managedPolicies", id: p.PolicyArn! }, { policyName: p.PolicyName }));
  },
  removalActions: () => ["DetachUserPolicy"],
  async remove(ctx, userName, item) {
    await ctx.send(new DetachUserPolicyCommand({ UserName: userName, PolicyArn: item.id }));
  },
  recordItems: async (_ctx, _userName, items) => items.map((item) => ({ id: item.id, ...listed.of(item) })),
  restore: {
    actions: ["AttachUserPolicy"],
    // A policy deleted since is named as missing: a restore never creates a policy.
    recreate: (ctx, userName, entry) =>
      attachExisting(entry.id, "managed policy", () => ctx.send(new AttachUserPolicyCommand({ UserName: userName, PolicyArn: entry.id }))),
  },
});
