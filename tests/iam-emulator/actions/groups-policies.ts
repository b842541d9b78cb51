// Groups and memberships, managed policies (AWS and customer) with attachments, inline user policies.

import { invalidInput, noSuchEntity, requireParam, validationError } from "../protocol";
import { type GroupRecord, type ManagedPolicyRecord, validateName, validatePath } from "../state";
import { type ActionContext, type ActionTable, boolParam, pageOf, param, policyXml, targetUser, userXml } from "./common";

function groupXml(g: GroupRecord) {
  return { Path: g.path, GroupName: g.groupName, GroupId: g.groupId, Arn: g.arn, CreateDate: g.createDate };
}

function namedGroup(ctx: ActionContext): GroupRecord {
  const name = requireParam(ctx.params, "GroupName");
  validateName(name, "groupName", 128);
  const g = ctx.state.requireGroup(name);
  ctx.resource = g.groupName;
  return g;
}

function policyArnParam(ctx: ActionContext): string {
  const arn = requireParam(ctx.params, "PolicyArn");
  if (!/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\//.test(arn)) throw invalidInput(`ARN ${arn} is not valid.`);
  ctx.resource = arn;
  return arn;
}

function pathPrefix(ctx: ActionContext): string | undefined {
  const prefix = param(ctx, "PathPrefix");
  if (prefix !== undefined && !prefix.startsWith("/")) validatePath(prefix, "pathPrefix");
  return prefix;
}

export const groupPolicyActions: ActionTable = {
  // ----- groups -----
  CreateGroup(ctx) {
    const name = requireParam(ctx.params, "GroupName");
    ctx.resource = name;
    const g = ctx.state.createGroup(name, param(ctx, "Path") ?? "/");
    return { Group: groupXml(g) };
  },

  GetGroup(ctx) {
    const g = namedGroup(ctx);
    const page = pageOf(ctx, g.members, (u) => userXml(ctx.state, u, false));
    return { Group: groupXml(g), Users: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  ListGroups(ctx) {
    const prefix = pathPrefix(ctx);
    const page = pageOf(ctx, ctx.state.groups, groupXml, prefix ? (g) => g.path.startsWith(prefix) : undefined);
    return { Groups: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  AddUserToGroup(ctx) {
    const groupName = requireParam(ctx.params, "GroupName");
    validateName(groupName, "groupName", 128);
    ctx.resource = groupName;
    const user = targetUserRequired(ctx);
    ctx.state.addUserToGroup(user, groupName, { createMissingGroup: false });
    return undefined;
  },

  RemoveUserFromGroup(ctx) {
    const groupName = requireParam(ctx.params, "GroupName");
    validateName(groupName, "groupName", 128);
    ctx.resource = groupName;
    const user = targetUserRequired(ctx);
    ctx.state.removeUserFromGroup(user, groupName);
    return undefined;
  },

  ListGroupsForUser(ctx) {
    const user = ctx.state.requireUser(targetUserRequired(ctx));
    const page = pageOf(ctx, user.groups, groupXml);
    return { Groups: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  // ----- managed policies -----
  CreatePolicy(ctx) {
    const name = requireParam(ctx.params, "PolicyName");
    const document = requireParam(ctx.params, "PolicyDocument");
    const p = ctx.state.createPolicy(name, { path: param(ctx, "Path"), document, description: param(ctx, "Description") });
    ctx.resource = p.arn;
    return { Policy: policyXml(p) };
  },

  GetPolicy(ctx) {
    const arn = policyArnParam(ctx);
    const p = ctx.state.getPolicy(arn);
    if (!p) throw noSuchEntity(`Policy ${arn} was not found.`);
    return { Policy: policyXml(p) };
  },

  ListPolicies(ctx) {
    const scope = param(ctx, "Scope") ?? "All";
    if (scope !== "All" && scope !== "AWS" && scope !== "Local") {
      throw validationError(
        `1 validation error detected: Value '${scope}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]`,
      );
    }
    const usage = param(ctx, "PolicyUsageFilter");
    if (usage !== undefined && usage !== "PermissionsPolicy" && usage !== "PermissionsBoundary") {
      throw validationError(
        `1 validation error detected: Value '${usage}' at 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]`,
      );
    }
    const onlyAttached = boolParam(ctx, "OnlyAttached") ?? false;
    const prefix = pathPrefix(ctx);
    const filter = (p: ManagedPolicyRecord): boolean => {
      if (scope === "AWS" && !p.awsManaged) return false;
      if (scope === "Local" && p.awsManaged) return false;
      if (prefix && !p.path.startsWith(prefix)) return false;
      if (onlyAttached || usage) {
        const asPolicy = p.attachmentCount > 0;
        const asBoundary = p.permissionsBoundaryUsageCount > 0;
        if (usage === "PermissionsPolicy" && onlyAttached && !asPolicy) return false;
        if (usage === "PermissionsBoundary" && onlyAttached && !asBoundary) return false;
        if (!usage && onlyAttached && !asPolicy && !asBoundary) return false;
      }
      return true;
    };
    const page = pageOf(ctx, ctx.state.policies, policyXml, filter);
    return { Policies: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  AttachUserPolicy(ctx) {
    const arn = policyArnParam(ctx);
    const user = targetUserRequired(ctx);
    ctx.state.attachUserPolicy(user, arn);
    return undefined;
  },

  DetachUserPolicy(ctx) {
    const arn = policyArnParam(ctx);
    const user = targetUserRequired(ctx);
    ctx.state.detachUserPolicy(user, arn);
    return undefined;
  },

  ListAttachedUserPolicies(ctx) {
    const user = ctx.state.requireUser(targetUserRequired(ctx));
    const prefix = pathPrefix(ctx);
    const page = pageOf(
      ctx,
      user.attachedPolicies,
      (p) => ({ PolicyName: p.policyName, PolicyArn: p.arn }),
      prefix ? (p) => p.path.startsWith(prefix) : undefined,
    );
    return { AttachedPolicies: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  // ----- inline user policies -----
  PutUserPolicy(ctx) {
    const name = requireParam(ctx.params, "PolicyName");
    const document = requireParam(ctx.params, "PolicyDocument");
    ctx.resource = name;
    const user = targetUserRequired(ctx);
    ctx.state.putUserPolicy(user, name, document);
    return undefined;
  },

  GetUserPolicy(ctx) {
    const name = requireParam(ctx.params, "PolicyName");
    ctx.resource = name;
    const user = targetUserRequired(ctx);
    const p = ctx.state.getUserPolicy(user, name);
    // IAM returns policy documents URL-encoded (RFC 3986).
    return { UserName: ctx.userName, PolicyName: p.policyName, PolicyDocument: encodeURIComponent(p.document) };
  },

  ListUserPolicies(ctx) {
    const user = ctx.state.requireUser(targetUserRequired(ctx));
    const page = pageOf(ctx, user.inlinePolicies, (p) => p.policyName);
    return { PolicyNames: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  DeleteUserPolicy(ctx) {
    const name = requireParam(ctx.params, "PolicyName");
    ctx.resource = name;
    const user = targetUserRequired(ctx);
    ctx.state.deleteUserPolicy(user, name);
    return undefined;
  },
};

/** For actions whose UserName is required by the API: the (validated, existing) user's name. */
function targetUserRequired(ctx: ActionContext): string {
  requireParam(ctx.params, "UserName");
  return targetUser(ctx).userName;
}
