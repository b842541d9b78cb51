import {
  AddUserToGroupCommand,
  ListGroupsForUserCommand,
  type ListGroupsForUserCommandOutput,
  RemoveUserFromGroupCommand,
} from "@aws-sdk/client-iam";
import { listUserPages } from "../paging";
import { defineKind } from "../types";
import { attachExisting, ListedDetails } from "./listed";

const listed = new ListedDetails<{ groupArn?: string }>();

/** The user's memberships; the groups themselves are never touched. */
export const groupMemberships = defineKind({
  id: "groupMemberships",
  singular: "membership of group",
  title: "group memberships",
  tallies: [{ singular: "group", plural: "groups" }],
  namedByUserOnly: true,
  listActions: ["ListGroupsForUser"],
  async list(ctx, userName) {
    const groups = await listUserPages(
      ctx,
      userName,
      (input) => new ListGroupsForUserCommand(input),
      (page: ListGroupsForUserCommandOutput) => page.Groups,
    );
    return groups.map((g) => listed.keep({ kind: "groupMemberships", id: g.GroupName! }, { groupArn: g.Arn }));
  },
  removalActions: () => ["RemoveUserFromGroup"],
  async remove(ctx, userName, item) {
    await ctx.send(new RemoveUserFromGroupCommand({ UserName: userName, GroupName: item.id }));
  },
  recordItems: async (_ctx, _userName, items) => items.map((item) => ({ id: item.id, ...listed.of(item) })),
  restore: {
    actions: ["AddUserToGroup"],
    // A group deleted since is named as missing: a restore never creates a group.
    recreate: (ctx, userName, entry) =>
      attachExisting(entry.id, "group", () => ctx.send(new AddUserToGroupCommand({ UserName: userName, GroupName: entry.id }))),
  },
});
