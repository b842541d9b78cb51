// Users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser, tags, permissions boundary.

import { decodeMarker, encodeMarker, pageSize } from "../paging";
import { list, memberList, memberStructs, requireParam, validationError } from "../protocol";
import { validateName, validatePath } from "../state";
import { type ActionContext, type ActionTable, pageOf, param, targetUser, userXml } from "./common";

function tagPairs(ctx: ActionContext): Array<[string, string]> {
  return memberStructs(ctx.params, "Tags").map((t) => {
    if (t.Key === undefined)
      throw validationError(
        "1 validation error detected: Value null at 'tags.member.key' failed to satisfy constraint: Member must not be null",
      );
    return [t.Key, t.Value ?? ""];
  });
}

function namedUser(ctx: ActionContext) {
  const name = requireParam(ctx.params, "UserName");
  validateName(name, "userName", 64);
  ctx.userName = name;
  const user = ctx.state.requireUser(name);
  ctx.userName = user.userName;
  ctx.resource = user.arn;
  return user;
}

export const userActions: ActionTable = {
  CreateUser(ctx) {
    const name = requireParam(ctx.params, "UserName");
    ctx.userName = name;
    const user = ctx.state.createUser(name, {
      path: param(ctx, "Path"),
      tags: tagPairs(ctx),
      permissionsBoundary: param(ctx, "PermissionsBoundary"),
    });
    ctx.resource = user.arn;
    return { User: userXml(ctx.state, user, true) };
  },

  GetUser(ctx) {
    const user = targetUser(ctx);
    ctx.resource = user.arn;
    return { User: userXml(ctx.state, user, true) };
  },

  ListUsers(ctx) {
    const prefix = param(ctx, "PathPrefix");
    if (prefix !== undefined && !prefix.startsWith("/")) validatePath(prefix, "pathPrefix");
    const page = pageOf(ctx, ctx.state.users, (u) => userXml(ctx.state, u, false), prefix ? (u) => u.path.startsWith(prefix) : undefined);
    return { Users: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  UpdateUser(ctx) {
    const user = namedUser(ctx);
    ctx.state.updateUser(user.userName, { newUserName: param(ctx, "NewUserName"), newPath: param(ctx, "NewPath") });
    return undefined;
  },

  DeleteUser(ctx) {
    const user = namedUser(ctx);
    ctx.state.deleteUser(user.userName);
    return undefined;
  },

  TagUser(ctx) {
    const user = namedUser(ctx);
    const tags = tagPairs(ctx);
    if (tags.length === 0)
      throw validationError("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
    ctx.state.tagUser(user.userName, tags);
    return undefined;
  },

  UntagUser(ctx) {
    const user = namedUser(ctx);
    ctx.state.untagUser(user.userName, memberList(ctx.params, "TagKeys"));
    return undefined;
  },

  ListUserTags(ctx) {
    const user = namedUser(ctx);
    // Tags live in a Map, not an ordered index: page them by position (there are at most 50).
    const all = [...user.tags.entries()];
    const size = pageSize(ctx.params, ctx.pageCap);
    const start = decodeMarker(ctx.params.Marker);
    const slice = all.slice(start, start + size);
    const truncated = start + size < all.length;
    return {
      Tags: list(slice.map(([Key, Value]) => ({ Key, Value }))),
      IsTruncated: truncated,
      Marker: truncated ? encodeMarker(start + size) : undefined,
    };
  },

  PutUserPermissionsBoundary(ctx) {
    const user = namedUser(ctx);
    const arn = requireParam(ctx.params, "PermissionsBoundary");
    ctx.state.putUserPermissionsBoundary(user.userName, arn);
    return undefined;
  },

  DeleteUserPermissionsBoundary(ctx) {
    const user = namedUser(ctx);
    ctx.state.deleteUserPermissionsBoundary(user.userName);
    return undefined;
  },
};
