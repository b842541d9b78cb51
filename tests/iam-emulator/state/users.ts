// Users: create, rename or move, tag, permissions boundary, and delete (which every other area
// feeds: DeleteUser refuses while anything remains, and a user removed out of band takes it all).

import { OrderedIndex } from "../paging";
import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchEntity } from "../protocol";
import { MfaState } from "./mfa";
import type { DependencyCounts, ManagedPolicyRecord, UserRecord } from "./records";
import { DEPENDENCY_ORDER, LIMITS, validateName, validatePath, validateTags } from "./rules";

export class UserState extends MfaState {
  createUser(
    name: string,
    opts: { path?: string; tags?: Record<string, string> | Array<[string, string]>; permissionsBoundary?: string } = {},
  ): UserRecord {
    validateName(name, "userName", 64);
    const path = opts.path ?? "/";
    validatePath(path);
    if (this.userExists(name)) throw entityAlreadyExists(`User with name ${name} already exists.`);
    const tags = Array.isArray(opts.tags) ? opts.tags : Object.entries(opts.tags ?? {});
    validateTags(tags);
    if (tags.length > LIMITS.tagsPerResource) throw limitExceeded(`Cannot exceed quota for TagsPerUser: ${LIMITS.tagsPerResource}`);
    let boundary: ManagedPolicyRecord | undefined;
    if (opts.permissionsBoundary) boundary = this.requirePolicy(opts.permissionsBoundary);
    const user: UserRecord = {
      userName: name,
      userId: this.ids.id("AIDA", 17),
      path,
      arn: this.userArn(name, path),
      createDate: this.now(),
      tags: new Map(tags),
      permissionsBoundary: boundary?.arn,
      accessKeys: new OrderedIndex(),
      sshPublicKeys: new OrderedIndex(),
      signingCertificates: new OrderedIndex(),
      serviceCredentials: new OrderedIndex(),
      mfaDevices: new OrderedIndex(),
      groups: new OrderedIndex(),
      inlinePolicies: new OrderedIndex(),
      attachedPolicies: new OrderedIndex(),
      lastRemoval: new Map(),
    };
    if (boundary) boundary.permissionsBoundaryUsageCount++;
    this.users.set(name.toLowerCase(), user, this.nextSeq());
    this.usersById.set(user.userId, user);
    return user;
  }

  /** UpdateUser: rename and/or move; the UserId (and everything hanging on the user) stays. */
  updateUser(name: string, changes: { newUserName?: string; newPath?: string }): UserRecord {
    const user = this.requireUser(name);
    if (changes.newPath !== undefined) validatePath(changes.newPath, "newPath");
    const newName = changes.newUserName;
    if (newName !== undefined) {
      validateName(newName, "newUserName", 64);
      const other = this.getUser(newName);
      if (other && other !== user) throw entityAlreadyExists(`User with name ${newName} already exists.`);
      this.users.rekey(user.userName.toLowerCase(), newName.toLowerCase());
      user.userName = newName;
    }
    if (changes.newPath !== undefined) user.path = changes.newPath;
    user.arn = this.userArn(user.userName, user.path);
    return user;
  }

  dependencyCounts(userName: string): DependencyCounts {
    const u = this.requireUser(userName);
    return {
      loginProfile: u.loginProfile ? 1 : 0,
      accessKeys: u.accessKeys.size,
      mfaDevices: u.mfaDevices.size,
      signingCertificates: u.signingCertificates.size,
      sshPublicKeys: u.sshPublicKeys.size,
      serviceSpecificCredentials: u.serviceCredentials.size,
      groupMemberships: u.groups.size,
      managedPolicies: u.attachedPolicies.size,
      inlinePolicies: u.inlinePolicies.size,
    };
  }

  /** DeleteUser: refuses with DeleteConflict while any of the nine dependency kinds remains (or was removed too recently). */
  deleteUser(name: string): void {
    const user = this.requireUser(name);
    const counts = this.dependencyCounts(name);
    const now = this.clock();
    for (const { kind, message } of DEPENDENCY_ORDER) {
      if (counts[kind] > 0) throw deleteConflict(message);
      const removedAt = user.lastRemoval.get(kind);
      if (this.consistencyDelayMs > 0 && removedAt !== undefined && now - removedAt < this.consistencyDelayMs) {
        throw deleteConflict(message);
      }
    }
    this.dropUser(user);
  }

  /** Someone else deletes the user out of band: every dependency goes, then the user. */
  removeUserCompletely(name: string): void {
    const user = this.requireUser(name);
    user.loginProfile = undefined;
    for (const k of user.accessKeys.toArray()) this.accessKeyOwners.delete(k.accessKeyId);
    for (const k of user.sshPublicKeys.toArray()) this.sshKeyIds.delete(k.sshPublicKeyId);
    for (const c of user.signingCertificates.toArray()) this.certificateIds.delete(c.certificateId);
    for (const c of user.serviceCredentials.toArray()) this.credentialIds.delete(c.serviceSpecificCredentialId);
    for (const m of user.mfaDevices.toArray()) this.deactivateMfaDevice(user.userName, m.serialNumber);
    for (const g of user.groups.toArray()) g.members.delete(user.userId);
    for (const p of user.attachedPolicies.toArray()) p.attachmentCount--;
    this.dropUser(user);
  }

  private dropUser(user: UserRecord): void {
    if (user.permissionsBoundary) {
      const b = this.policies.get(user.permissionsBoundary);
      if (b) b.permissionsBoundaryUsageCount--;
    }
    this.users.delete(user.userName.toLowerCase());
    this.usersById.delete(user.userId);
  }

  tagUser(userName: string, tags: Array<[string, string]>): void {
    const user = this.requireUser(userName);
    validateTags(tags);
    const merged = new Map(user.tags);
    for (const [k, v] of tags) merged.set(k, v);
    if (merged.size > LIMITS.tagsPerResource) throw limitExceeded(`Cannot exceed quota for TagsPerUser: ${LIMITS.tagsPerResource}`);
    user.tags = merged;
  }

  untagUser(userName: string, keys: string[]): void {
    const user = this.requireUser(userName);
    for (const k of keys) user.tags.delete(k);
  }

  putUserPermissionsBoundary(userName: string, policyArn: string): void {
    const user = this.requireUser(userName);
    const policy = this.requirePolicy(policyArn);
    if (user.permissionsBoundary) {
      const old = this.policies.get(user.permissionsBoundary);
      if (old) old.permissionsBoundaryUsageCount--;
    }
    user.permissionsBoundary = policy.arn;
    policy.permissionsBoundaryUsageCount++;
  }

  deleteUserPermissionsBoundary(userName: string): void {
    const user = this.requireUser(userName);
    if (!user.permissionsBoundary) throw noSuchEntity(`The user with name ${userName} does not have a permissions boundary.`);
    const old = this.policies.get(user.permissionsBoundary);
    if (old) old.permissionsBoundaryUsageCount--;
    user.permissionsBoundary = undefined;
  }
}
