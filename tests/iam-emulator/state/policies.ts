// Managed policies (customer and AWS managed) and their attachments, and inline user policies.

import { entityAlreadyExists, limitExceeded, noSuchEntity } from "../protocol";
import { Account, type IamStateOptions } from "./account";
import type { InlinePolicyRecord, ManagedPolicyRecord } from "./records";
import {
  AWS_MANAGED_POLICIES,
  checkPolicyDocument,
  DEFAULT_POLICY_DOCUMENT,
  inlinePolicySize,
  LIMITS,
  validateName,
  validatePath,
} from "./rules";

export class PolicyState extends Account {
  /** Managed policies attachable to one user: AWS's default 10, or the account's raised quota. */
  readonly attachedPoliciesPerUserQuota: number;

  constructor(options: IamStateOptions = {}) {
    super(options);
    this.attachedPoliciesPerUserQuota = options.attachedPoliciesPerUserQuota ?? LIMITS.managedPoliciesPerUser;
    // Every account holds the well-known AWS managed policies, with the same ids for the same seed.
    const epoch = new Date("2015-02-06T18:40:00Z");
    for (const [name, path, document] of AWS_MANAGED_POLICIES) {
      const arn = `arn:aws:iam::aws:policy${path}${name}`;
      this.policies.set(
        arn,
        {
          policyName: name,
          policyId: this.ids.id("ANPA", 17),
          arn,
          path,
          document: document ?? DEFAULT_POLICY_DOCUMENT,
          awsManaged: true,
          createDate: epoch,
          updateDate: epoch,
          attachmentCount: 0,
          permissionsBoundaryUsageCount: 0,
        },
        this.nextSeq(),
      );
    }
  }

  customerPolicyArn(name: string, path = "/"): string {
    return `arn:aws:iam::${this.accountId}:policy${path}${name}`;
  }

  getPolicy(arn: string): ManagedPolicyRecord | undefined {
    return this.policies.get(arn);
  }

  /** A policy by ARN, or a customer managed policy by name. */
  requirePolicy(arnOrName: string): ManagedPolicyRecord {
    const arn = arnOrName.startsWith("arn:") ? arnOrName : this.customerPolicyArn(arnOrName);
    const p = this.policies.get(arn);
    if (!p) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
    return p;
  }

  createPolicy(name: string, opts: { path?: string; document?: string; description?: string } = {}): ManagedPolicyRecord {
    validateName(name, "policyName", 128);
    const path = opts.path ?? "/";
    validatePath(path);
    const document = opts.document ?? DEFAULT_POLICY_DOCUMENT;
    checkPolicyDocument(document);
    const arn = this.customerPolicyArn(name, path);
    for (const p of this.policies.values()) {
      if (!p.awsManaged && p.policyName.toLowerCase() === name.toLowerCase()) {
        throw entityAlreadyExists(`A policy called ${name} already exists. Duplicate names are not allowed.`);
      }
    }
    const now = this.now();
    const policy: ManagedPolicyRecord = {
      policyName: name,
      policyId: this.ids.id("ANPA", 17),
      arn,
      path,
      document,
      description: opts.description,
      awsManaged: false,
      createDate: now,
      updateDate: now,
      attachmentCount: 0,
      permissionsBoundaryUsageCount: 0,
    };
    this.policies.set(arn, policy, this.nextSeq());
    return policy;
  }

  attachUserPolicy(userName: string, policyArnOrName: string): void {
    const user = this.requireUser(userName);
    const policy = this.requirePolicy(policyArnOrName);
    if (user.attachedPolicies.has(policy.arn)) return;
    if (user.attachedPolicies.size >= this.attachedPoliciesPerUserQuota) {
      throw limitExceeded(`Cannot exceed quota for PoliciesPerUser: ${this.attachedPoliciesPerUserQuota}`);
    }
    user.attachedPolicies.set(policy.arn, policy, this.nextSeq());
    policy.attachmentCount++;
  }

  detachUserPolicy(userName: string, policyArn: string): void {
    const user = this.requireUser(userName);
    const policy = user.attachedPolicies.get(policyArn);
    if (!policy) throw noSuchEntity(`Policy ${policyArn} was not found.`);
    user.attachedPolicies.delete(policyArn);
    policy.attachmentCount--;
    this.noteRemoval(user, "managedPolicies");
  }

  // ----- inline policies -----------------------------------------------------------------------

  putUserPolicy(userName: string, policyName: string, document: string): void {
    const user = this.requireUser(userName);
    validateName(policyName, "policyName", 128);
    checkPolicyDocument(document);
    let total = inlinePolicySize(document);
    for (const p of user.inlinePolicies.values()) {
      if (p.policyName !== policyName) total += inlinePolicySize(p.document);
    }
    if (total > LIMITS.inlinePolicyCharactersPerUser) {
      // AWS's own words say bytes; what it counts is characters, whitespace left out.
      throw limitExceeded(`Maximum policy size of ${LIMITS.inlinePolicyCharactersPerUser} bytes exceeded for user ${user.userName}`);
    }
    const existing = user.inlinePolicies.get(policyName);
    if (existing) existing.document = document;
    else user.inlinePolicies.set(policyName, { policyName, document }, this.nextSeq());
  }

  getUserPolicy(userName: string, policyName: string): InlinePolicyRecord {
    const user = this.requireUser(userName);
    const p = user.inlinePolicies.get(policyName);
    if (!p) throw noSuchEntity(`The user policy with name ${policyName} cannot be found.`);
    return p;
  }

  deleteUserPolicy(userName: string, policyName: string): void {
    const user = this.requireUser(userName);
    if (!user.inlinePolicies.delete(policyName)) throw noSuchEntity(`The user policy with name ${policyName} cannot be found.`);
    this.noteRemoval(user, "inlinePolicies");
  }
}
