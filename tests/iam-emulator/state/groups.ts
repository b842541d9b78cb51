// Groups and group membership.

import { OrderedIndex } from "../paging";
import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchEntity } from "../protocol";
import { PolicyState } from "./policies";
import type { GroupRecord } from "./records";
import { LIMITS, validateName, validatePath } from "./rules";

export class GroupState extends PolicyState {
  getGroup(name: string): GroupRecord | undefined {
    return this.groups.get(name.toLowerCase());
  }

  requireGroup(name: string): GroupRecord {
    const g = this.getGroup(name);
    if (!g) throw noSuchEntity(`The group with name ${name} cannot be found.`);
    return g;
  }

  createGroup(name: string, path = "/"): GroupRecord {
    validateName(name, "groupName", 128);
    validatePath(path);
    if (this.getGroup(name)) throw entityAlreadyExists(`Group with name ${name} already exists.`);
    const group: GroupRecord = {
      groupName: name,
      groupId: this.ids.id("AGPA", 17),
      path,
      arn: `arn:aws:iam::${this.accountId}:group${path}${name}`,
      createDate: this.now(),
      members: new OrderedIndex(),
    };
    this.groups.set(name.toLowerCase(), group, this.nextSeq());
    return group;
  }

  /** Deletes a group; IAM refuses one that still has members. */
  deleteGroup(name: string): void {
    const group = this.requireGroup(name);
    if (group.members.size > 0) throw deleteConflict("Cannot delete entity, must remove users from group first.");
    this.groups.delete(name.toLowerCase());
  }

  /** Adds a membership. The group is created when missing unless `createMissingGroup` is false (the AddUserToGroup action). */
  addUserToGroup(userName: string, groupName: string, opts: { createMissingGroup?: boolean } = {}): void {
    const user = this.requireUser(userName);
    let group = this.getGroup(groupName);
    if (!group) {
      if (opts.createMissingGroup === false) throw noSuchEntity(`The group with name ${groupName} cannot be found.`);
      group = this.createGroup(groupName);
    }
    if (group.members.has(user.userId)) return;
    if (user.groups.size >= LIMITS.groupsPerUser) throw limitExceeded(`Cannot exceed quota for GroupsPerUser: ${LIMITS.groupsPerUser}`);
    user.groups.set(group.groupName.toLowerCase(), group, this.nextSeq());
    group.members.set(user.userId, user, this.nextSeq());
  }

  removeUserFromGroup(userName: string, groupName: string): void {
    const group = this.requireGroup(groupName);
    const user = this.requireUser(userName);
    if (!group.members.has(user.userId)) {
      throw noSuchEntity(`The user with name ${userName} cannot be found in group ${groupName}.`);
    }
    group.members.delete(user.userId);
    user.groups.delete(group.groupName.toLowerCase());
    this.noteRemoval(user, "groupMemberships");
  }
}
