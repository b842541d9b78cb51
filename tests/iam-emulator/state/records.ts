// What the emulated account holds: one record type per thing IAM stores.

import type { OrderedIndex } from "../paging";

export type MfaKind = "virtual" | "hardware" | "fido";

export type DependencyKind =
  | "loginProfile"
  | "accessKeys"
  | "mfaDevices"
  | "signingCertificates"
  | "sshPublicKeys"
  | "serviceSpecificCredentials"
  | "groupMemberships"
  | "managedPolicies"
  | "inlinePolicies";

/** Per-kind counts; also indexable by a kind held in a string. */
export type DependencyCounts = Record<DependencyKind, number> & { [kind: string]: number };

export interface LoginProfileRecord {
  createDate: Date;
  passwordResetRequired: boolean;
  /** DeleteLoginProfile / UpdateLoginProfile answer EntityTemporarilyUnmodifiable until this time (ms). */
  unmodifiableUntil: number;
}

export interface AccessKeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  status: "Active" | "Inactive";
  createDate: Date;
}

export interface SshKeyRecord {
  sshPublicKeyId: string;
  body: string;
  fingerprint: string;
  status: "Active" | "Inactive";
  uploadDate: Date;
}

export interface SigningCertificateRecord {
  certificateId: string;
  body: string;
  status: "Active" | "Inactive";
  uploadDate: Date;
}

export interface ServiceCredentialRecord {
  serviceSpecificCredentialId: string;
  serviceName: string;
  serviceUserName?: string;
  servicePassword?: string;
  serviceCredentialAlias?: string;
  serviceCredentialSecret?: string;
  expirationDate?: Date;
  /** As set; a credential past its expirationDate reads Expired whatever this says (serviceCredentialStatus). */
  status: "Active" | "Inactive";
  createDate: Date;
}

export interface UserMfaRecord {
  serialNumber: string;
  kind: MfaKind;
  enableDate: Date;
}

export interface InlinePolicyRecord {
  policyName: string;
  document: string;
}

export interface UserRecord {
  userName: string;
  userId: string;
  path: string;
  arn: string;
  createDate: Date;
  tags: Map<string, string>;
  permissionsBoundary?: string;
  loginProfile?: LoginProfileRecord;
  accessKeys: OrderedIndex<AccessKeyRecord>;
  sshPublicKeys: OrderedIndex<SshKeyRecord>;
  signingCertificates: OrderedIndex<SigningCertificateRecord>;
  serviceCredentials: OrderedIndex<ServiceCredentialRecord>;
  mfaDevices: OrderedIndex<UserMfaRecord>;
  groups: OrderedIndex<GroupRecord>;
  inlinePolicies: OrderedIndex<InlinePolicyRecord>;
  attachedPolicies: OrderedIndex<ManagedPolicyRecord>;
  /** When each kind of dependency was last removed (ms), for eventual consistency of DeleteUser. */
  lastRemoval: Map<DependencyKind, number>;
}

export interface GroupRecord {
  groupName: string;
  groupId: string;
  path: string;
  arn: string;
  createDate: Date;
  /** Members keyed by UserId, so renaming a user keeps memberships. */
  members: OrderedIndex<UserRecord>;
}

export interface ManagedPolicyRecord {
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  document: string;
  description?: string;
  awsManaged: boolean;
  createDate: Date;
  updateDate: Date;
  attachmentCount: number;
  permissionsBoundaryUsageCount: number;
}

export interface VirtualMfaRecord {
  serialNumber: string;
  name: string;
  path: string;
  base32Seed: string;
  qrCodePng: Buffer;
  user?: UserRecord;
  enableDate?: Date;
  tags: Map<string, string>;
}
