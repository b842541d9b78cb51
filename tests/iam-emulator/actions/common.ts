// What every action handler gets, and the XML shapes shared between actions.

import { type OrderedIndex, paginate } from "../paging";
import { list, type Params, validationError, type XmlObject } from "../protocol";
import { type IamState, type ManagedPolicyRecord, type UserRecord, validateName } from "../state";

export interface ActionContext {
  action: string;
  params: Params;
  state: IamState;
  /** The access key id from the Authorization header. */
  callerAccessKeyId?: string;
  /** The emulator's maxPageSize option. */
  pageCap?: number;
  /** Set by handlers for the request log: the user the call touches. */
  userName?: string;
  /** Set by handlers for the request log: the item the call touches (ARN or id). */
  resource?: string;
}

export type ActionHandler = (ctx: ActionContext) => XmlObject | undefined;
export type ActionTable = Record<string, ActionHandler>;

/**
 * The user a call is about: UserName when given, else the caller. Callers whose access key
 * does not belong to an emulated user are treated as non-user principals (a role), for which
 * AWS answers ValidationError.
 */
export function targetUser(ctx: ActionContext): UserRecord {
  const name = ctx.params.UserName;
  if (name !== undefined && name !== "") {
    validateName(name, "userName", 64);
    ctx.userName = name;
    const u = ctx.state.requireUser(name);
    ctx.userName = u.userName;
    return u;
  }
  const caller = ctx.callerAccessKeyId ? ctx.state.userForAccessKey(ctx.callerAccessKeyId) : undefined;
  if (!caller) throw validationError("Must specify userName when calling with non-User credentials");
  ctx.userName = caller.userName;
  return caller;
}

/** Paging over an ordered collection, mapping each item to its XML shape. */
export function pageOf<T>(
  ctx: ActionContext,
  index: OrderedIndex<T>,
  render: (t: T) => XmlObject | string,
  filter?: (t: T) => boolean,
): { items: ReturnType<typeof list>; IsTruncated: boolean; Marker?: string } {
  const page = paginate(index, ctx.params, ctx.pageCap, filter);
  return { items: list(page.items.map(render)), IsTruncated: page.IsTruncated, Marker: page.Marker };
}

export function tagsXml(tags: Map<string, string>): ReturnType<typeof list> | undefined {
  if (tags.size === 0) return undefined;
  return list([...tags.entries()].map(([Key, Value]) => ({ Key, Value })));
}

/** The User structure; `full` adds what GetUser/CreateUser return (boundary, tags) and ListUsers leaves out. */
export function userXml(state: IamState, u: UserRecord, full: boolean): XmlObject {
  return {
    Path: u.path,
    UserName: u.userName,
    UserId: u.userId,
    Arn: u.arn,
    CreateDate: u.createDate,
    PasswordLastUsed: state.activity.passwordLastUsed(u),
    PermissionsBoundary:
      full && u.permissionsBoundary
        ? { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: u.permissionsBoundary }
        : undefined,
    Tags: full ? tagsXml(u.tags) : undefined,
  };
}

export function policyXml(p: ManagedPolicyRecord): XmlObject {
  return {
    PolicyName: p.policyName,
    PolicyId: p.policyId,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: "v1",
    AttachmentCount: p.attachmentCount,
    PermissionsBoundaryUsageCount: p.permissionsBoundaryUsageCount,
    IsAttachable: true,
    Description: p.description,
    CreateDate: p.createDate,
    UpdateDate: p.updateDate,
  };
}

export function param(ctx: ActionContext, name: string): string | undefined {
  const v = ctx.params[name];
  return v === undefined || v === "" ? undefined : v;
}

export function boolParam(ctx: ActionContext, name: string): boolean | undefined {
  const v = param(ctx, name);
  if (v === undefined) return undefined;
  if (v !== "true" && v !== "false") {
    throw validationError(`1 validation error detected: Value '${v}' at '${name}' failed to satisfy constraint: Member must be a boolean`);
  }
  return v === "true";
}
