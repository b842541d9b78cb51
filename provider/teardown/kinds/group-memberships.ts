import { ListGroupsForUserCommand, RemoveUserFromGroupCommand, type ListGroupsForUserCommandOutput } from "@aws-sdk/client-iam";
import { listAllPages } from "../paging";
import type { DependencyKind } from "../types";

/** The user's memberships; the groups themselves are never touched. */
export const groupMemberships: DependencyKind = {
  id: "groupMemberships",
  title: "group memberships",
  listActions: ["ListGroupsForUser"],
  async list(ctx, userName) {
    const groups = await listAllPages(
      (Marker) => ctx.send<ListGroupsForUserCommandOutput>(new ListGroupsForUserCommand({ UserName: userName, Marker, MaxItems: ctx.pageSize })),
      (page) => page.Groups,
    );
    return groups.map((g) => ({ kind: "groupMemberships", id: g.GroupName! }));
  },
  removalActions: () => ["RemoveUserFromGroup"],
  async remove(ctx, userName, item) {
    await ctx.send(new RemoveUserFromGroupCommand({ UserName: userName, GroupName: item.id }));
  },
};
