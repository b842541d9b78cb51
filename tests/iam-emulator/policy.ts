// Identity-policy enforcement for the emulator's caller: action (and resource) allow-lists with
// wildcards, explicit Deny over Allow, default deny. No conditions, principals or NotAction: this
// is enough to prove a tool needs exactly the IAM actions it claims.

import { IamError, type Params } from "./protocol";
import type { IamState, UserRecord } from "./state";

export interface PolicyStatement {
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource?: string | string[];
}

export interface CallerPolicy {
  Version?: string;
  Statement: PolicyStatement[];
}

function globToRegExp(glob: string, caseInsensitive: boolean): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, caseInsensitive ? "i" : "");
}

const asArray = (v: string | string[] | undefined, dflt: string[]): string[] => (v === undefined ? dflt : Array.isArray(v) ? v : [v]);

/** Normalizes 'DeleteUser' and 'iam:DeleteUser' to 'iam:DeleteUser'. */
export function qualifiedAction(action: string): string {
  return action.includes(":") ? action : `iam:${action}`;
}

export function actionMatches(patterns: string[] | undefined, action: string): boolean {
  if (!patterns) return true;
  const q = qualifiedAction(action);
  return patterns.some((p) => globToRegExp(qualifiedAction(p), true).test(q));
}

export type Decision = "allow" | "implicitDeny" | "explicitDeny";

export function evaluate(policy: CallerPolicy, action: string, resource: string): Decision {
  const q = qualifiedAction(action);
  let allowed = false;
  for (const st of policy.Statement) {
    const actionHit = asArray(st.Action, []).some((a) => globToRegExp(a, true).test(q));
    if (!actionHit) continue;
    const resourceHit = asArray(st.Resource, ["*"]).some((r) => globToRegExp(r, false).test(resource));
    if (!resourceHit) continue;
    if (st.Effect === "Deny") return "explicitDeny";
    allowed = true;
  }
  return allowed ? "allow" : "implicitDeny";
}

/** The ARN IAM authorizes a call against, derived from its parameters. */
export function resourceArnFor(action: string, params: Params, state: IamState, callerUserName?: string): string {
  const acct = state.accountId;
  if (action === "CreateVirtualMFADevice" && params.VirtualMFADeviceName) {
    return state.virtualMfaSerial(params.VirtualMFADeviceName, params.Path || "/");
  }
  if (action === "DeleteVirtualMFADevice" && params.SerialNumber) return params.SerialNumber;
  if (action === "CreatePolicy" && params.PolicyName) return state.customerPolicyArn(params.PolicyName, params.Path || "/");
  if (action === "GetPolicy" && params.PolicyArn) return params.PolicyArn;
  // The service last-accessed job is authorized on its entity; a key's last use on the key's user, which IAM finds
  // from the key id alone.
  if (action === "GenerateServiceLastAccessedDetails" && params.Arn) return params.Arn;
  if (action === "GetAccessKeyLastUsed" && params.AccessKeyId) return state.userForAccessKey(params.AccessKeyId)?.arn ?? "*";
  if ((action === "CreateGroup" || action === "GetGroup") && params.GroupName) {
    const g = state.getGroup(params.GroupName);
    return g ? g.arn : `arn:aws:iam::${acct}:group${params.Path || "/"}${params.GroupName}`;
  }
  const userName = params.UserName || callerUserName;
  if (userName) {
    const u = state.getUser(userName);
    return u ? u.arn : state.userArn(userName, action === "CreateUser" ? params.Path || "/" : "/");
  }
  if (action === "ListUsers") return `arn:aws:iam::${acct}:user/`;
  if (action === "ListGroups") return `arn:aws:iam::${acct}:group/`;
  if (action === "ListVirtualMFADevices") return `arn:aws:iam::${acct}:mfa/`;
  if (action === "ListPolicies") return `arn:aws:iam::${acct}:policy/`;
  return "*";
}

export function accessDenied(callerArn: string, action: string, resource: string, decision: Decision): IamError {
  const q = qualifiedAction(action);
  const why =
    decision === "explicitDeny"
      ? "with an explicit deny in an identity-based policy"
      : `because no identity-based policy allows the ${q} action`;
  return new IamError("AccessDenied", 403, `User: ${callerArn} is not authorized to perform: ${q} on resource: ${resource} ${why}`);
}

/**
 * The statements of a user's own identity policies: its inline policies and the managed policies attached to it.
 * Statements the emulator cannot evaluate (NotAction, NotResource, Condition) are left out: no decision rests on them.
 */
function userStatements(user: UserRecord): PolicyStatement[] {
  const documents = [...user.inlinePolicies.values()]
    .map((p) => p.document)
    .concat([...user.attachedPolicies.values()].map((p) => p.document));
  const statements: PolicyStatement[] = [];
  for (const doc of documents) {
    let parsed: { Statement?: unknown };
    try {
      parsed = JSON.parse(doc);
    } catch {
      continue;
    }
    const st = parsed.Statement;
    for (const s of (Array.isArray(st) ? st : [st]) as Array<Record<string, unknown>>) {
      if (!s || typeof s !== "object" || "NotAction" in s || "NotResource" in s || "Condition" in s) continue;
      statements.push(s as unknown as PolicyStatement);
    }
  }
  return statements;
}

/**
 * A request signed with an emulated user's own access key: an Inactive key authenticates nothing (403
 * InvalidClientTokenId, as AWS answers), and an explicit Deny in the user's own policies refuses the call (403
 * AccessDenied). Only explicit Deny is enforced for users: allowing is left to the emulator's `policy` option, so
 * seeded users need no Allow to make calls.
 */
export function authorizeUserCaller(
  state: IamState,
  caller: UserRecord,
  accessKeyId: string,
  action: string,
  params: Params,
): IamError | undefined {
  if (state.accessKeyRecord(accessKeyId)?.status !== "Active") {
    return new IamError("InvalidClientTokenId", 403, "The security token included in the request is invalid.");
  }
  const resource = resourceArnFor(action, params, state, caller.userName);
  const decision = evaluate({ Statement: userStatements(caller).filter((s) => s.Effect === "Deny") }, action, resource);
  return decision === "explicitDeny" ? accessDenied(caller.arn, action, resource, decision) : undefined;
}
