import { ListGroupsForUserCommand, type ListGroupsForUserCommandOutput, RemoveUserFromGroupCommand } from "@aws-sdk/client-iam";
import { listUserPages } from "../paging";
import { defineKind } from "../types";

/** The user's memberships; the groups themselves are never touched. */
export const groupMemberships = defineKind({
  id: "groupMemberships",
  singular: "membership of group",
  title: "group memberships",
  namedByUserOnly: true,
  listActions: ["ListGroupsForUser"],
  async list(ctx, userName) {
    const groups = await listUserPages(
      ctx,
      userName,
      (input) => new ListGroupsForUserCommand(input),
      (page: ListGroupsForUserCommandOutput) => page.Groups,
    );
    return groups.map((g) => ({ kind: "groupMemberships", id: g.GroupName! }));
  },
  removalActions: () => ["RemoveUserFromGroup"],
  async remove(ctx, userName, item) {
    await ctx.send(new RemoveUserFromGroupCommand({ UserName: userName, GroupName: item.id }));
  },
});
