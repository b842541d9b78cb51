// Identity-policy enforcement for the emulator's caller: action (and resource) allow-lists with
// wildcards, explicit Deny over Allow, default deny. No conditions, principals or NotAction: this
// is enough to prove a tool needs exactly the IAM actions it claims.

import { IamError, type Params } from "./protocol";
import type { IamState } from "./state";

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
  // Authorized against the key's user, which IAM finds from the key id alone.
  if (action === "GetAccessKeyLastUsed" && params.AccessKeyId) {
    const owner = state.userForAccessKey(params.AccessKeyId);
    if (owner) return owner.arn;
  }
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
