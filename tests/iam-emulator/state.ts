// One AWS account's IAM state, with the rules IAM enforces on it.
//
// Every method is synchronous and throws IamError with the code, status and message AWS uses,
// so the same code serves the HTTP actions, seeding, and tests or hooks that change the
// account "out of band" (a person or a pipeline acting while a teardown runs).

import { X509Certificate, createHash } from 'node:crypto';
import { OrderedIndex } from './paging';
import {
  IamError,
  deleteConflict,
  entityAlreadyExists,
  invalidInput,
  limitExceeded,
  malformedPolicy,
  noSuchEntity,
  validationError,
} from './protocol';
import { IdGenerator, mulberry32 } from './prng';

// ---------------------------------------------------------------------------------------------
// Records

export type MfaKind = 'virtual' | 'hardware' | 'fido';

export type DependencyKind =
  | 'loginProfile'
  | 'accessKeys'
  | 'mfaDevices'
  | 'signingCertificates'
  | 'sshPublicKeys'
  | 'serviceSpecificCredentials'
  | 'groupMemberships'
  | 'managedPolicies'
  | 'inlinePolicies';

/** DeleteUser's checks, in the order it makes them, with AWS's DeleteConflict messages. */
export const DEPENDENCY_ORDER: ReadonlyArray<{ kind: DependencyKind; message: string }> = [
  { kind: 'loginProfile', message: 'Cannot delete entity, must delete login profile first.' },
  { kind: 'accessKeys', message: 'Cannot delete entity, must delete access keys first.' },
  { kind: 'mfaDevices', message: 'Cannot delete entity, must delete MFA device first.' },
  { kind: 'signingCertificates', message: 'Cannot delete entity, must delete certificates first.' },
  { kind: 'sshPublicKeys', message: 'Cannot delete entity, must remove referenced objects first.' },
  { kind: 'serviceSpecificCredentials', message: 'Cannot delete entity, must remove referenced objects first.' },
  { kind: 'groupMemberships', message: 'Cannot delete entity, must remove users from group first.' },
  { kind: 'managedPolicies', message: 'Cannot delete entity, must detach all policies first.' },
  { kind: 'inlinePolicies', message: 'Cannot delete entity, must delete policies first.' },
];

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
  status: 'Active' | 'Inactive';
  createDate: Date;
}

export interface SshKeyRecord {
  sshPublicKeyId: string;
  body: string;
  fingerprint: string;
  status: 'Active' | 'Inactive';
  uploadDate: Date;
}

export interface SigningCertificateRecord {
  certificateId: string;
  body: string;
  status: 'Active' | 'Inactive';
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
  status: 'Active' | 'Inactive';
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

// ---------------------------------------------------------------------------------------------
// Scenario seeding types (the emulator's public seeding interface)

export interface UserSeed {
  userName: string;
  path?: string;
  tags?: Record<string, string>;
  permissionsBoundary?: string;
  loginProfile?: boolean | { recent?: boolean };
  accessKeys?: number;
  sshKeys?: number;
  signingCertificates?: number;
  serviceCredentials?: string[];
  virtualMfa?: string[];
  hardwareMfa?: string[];
  fidoMfa?: number;
  groups?: string[];
  inlinePolicies?: string[];
  managedPolicies?: string[];
}

export interface Scenario {
  users?: UserSeed[];
  groups?: string[];
  managedPolicies?: string[];
  unassignedVirtualMfa?: string[];
}

export interface SeedResult {
  users: Record<
    string,
    { userId: string; arn: string; accessKeyIds: string[]; mfaSerials: { serial: string; kind: MfaKind }[] }
  >;
}

// ---------------------------------------------------------------------------------------------
// Limits and validation

export const LIMITS = {
  accessKeysPerUser: 2,
  sshPublicKeysPerUser: 5,
  signingCertificatesPerUser: 2,
  serviceCredentialsPerServicePerUser: 2,
  mfaDevicesPerUser: 8,
  managedPoliciesPerUser: 20,
  groupsPerUser: 10,
  tagsPerResource: 50,
  inlinePolicyBytesPerUser: 2048,
};

const NAME_RE = /^[\w+=,.@-]+$/;
const PATH_RE = /^(\/|\/[\u0021-\u007e]+\/)$/;

export function validateName(value: string, field: string, max: number): void {
  if (value.length < 1 || value.length > max) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have length ${value.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${max}`}`,
    );
  }
  if (!NAME_RE.test(value)) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
    );
  }
}

export function validatePath(value: string, field = 'path'): void {
  if (value.length > 512 || !PATH_RE.test(value)) {
    throw validationError(
      `The specified value for ${field} is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`,
    );
  }
}

function validateTags(tags: Array<[string, string]>): void {
  for (const [k, v] of tags) {
    if (k.length < 1 || k.length > 128) throw validationError(`1 validation error detected: Value '${k}' at 'tags.member.key' failed to satisfy constraint: Member must have length less than or equal to 128`);
    if (v.length > 256) throw validationError(`1 validation error detected: Value '${v}' at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`);
    if (k.toLowerCase().startsWith('aws:')) throw invalidInput('User tag keys cannot start with aws:');
  }
}

/** Well-known AWS managed policies (name and path) that exist in every emulated account. */
export const AWS_MANAGED_POLICIES: ReadonlyArray<[string, string]> = [
  ['AdministratorAccess', '/'],
  ['PowerUserAccess', '/'],
  ['ReadOnlyAccess', '/'],
  ['IAMFullAccess', '/'],
  ['IAMReadOnlyAccess', '/'],
  ['IAMUserChangePassword', '/'],
  ['IAMUserSSHKeys', '/'],
  ['IAMSelfManageServiceSpecificCredentials', '/'],
  ['SecurityAudit', '/'],
  ['AmazonS3FullAccess', '/'],
  ['AmazonS3ReadOnlyAccess', '/'],
  ['AmazonEC2FullAccess', '/'],
  ['AmazonEC2ReadOnlyAccess', '/'],
  ['AmazonDynamoDBReadOnlyAccess', '/'],
  ['AWSCodeCommitPowerUser', '/'],
  ['AWSCodeCommitReadOnly', '/'],
  ['AmazonKeyspacesReadOnlyAccess', '/'],
  ['AmazonBedrockLimitedAccess', '/'],
  ['CloudWatchReadOnlyAccess', '/'],
  ['AWSSupportAccess', '/'],
  ['ViewOnlyAccess', '/job-function/'],
  ['Billing', '/job-function/'],
  ['SystemAdministrator', '/job-function/'],
  ['DatabaseAdministrator', '/job-function/'],
  ['AWS_ConfigRole', '/service-role/'],
];

const DEFAULT_POLICY_DOCUMENT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }],
});

/** Services that accept service-specific credentials. */
export function isSupportedCredentialService(name: string): boolean {
  return /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com$/.test(name);
}

export function checkPolicyDocument(doc: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(doc);
  } catch {
    throw malformedPolicy('Syntax errors in policy.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw malformedPolicy('Syntax errors in policy.');
  const st = (parsed as Record<string, unknown>).Statement;
  if (st === undefined) throw malformedPolicy('Policy document must contain a Statement.');
  const statements = Array.isArray(st) ? st : [st];
  for (const s of statements) {
    if (typeof s !== 'object' || s === null) throw malformedPolicy('Syntax errors in policy.');
    const effect = (s as Record<string, unknown>).Effect;
    if (effect !== 'Allow' && effect !== 'Deny') throw malformedPolicy('Policy statement must contain a valid Effect (Allow or Deny).');
  }
}

/** An OpenSSH `ssh-rsa` public key line with a 2048-bit modulus made from `random` (256 bytes). */
export function makeSshPublicKeyBody(random: Buffer, comment = 'user@example'): string {
  const str = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const n = Buffer.concat([Buffer.from([0]), random.subarray(0, 256)]);
  n[1] |= 0x80;
  const blob = Buffer.concat([str(Buffer.from('ssh-rsa')), str(Buffer.from([1, 0, 1])), str(n)]);
  return `ssh-rsa ${blob.toString('base64')} ${comment}`;
}

/**
 * IAM accepts RSA keys of at least 2048 bits (and ED25519 / ECDSA keys) in OpenSSH or SSH2 format.
 * The check is structural: the base64 blob must name the same algorithm as the line and, for
 * RSA, carry a modulus of at least 2048 bits.
 */
export function checkSshPublicKey(body: string): void {
  const invalid = () => new IamError('InvalidPublicKey', 400, 'Public key is invalid.');
  if (body.startsWith('---- BEGIN SSH2 PUBLIC KEY')) return;
  const m = /^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp(?:256|384|521)) ([A-Za-z0-9+/]+={0,2})(?: .*)?$/.exec(body.trim());
  if (!m) throw invalid();
  const blob = Buffer.from(m[2], 'base64');
  const fields: Buffer[] = [];
  let at = 0;
  while (at + 4 <= blob.length && fields.length < 3) {
    const len = blob.readUInt32BE(at);
    if (at + 4 + len > blob.length) throw invalid();
    fields.push(blob.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  if (fields.length === 0 || fields[0].toString() !== m[1]) throw invalid();
  if (m[1] === 'ssh-rsa') {
    const n = fields[2];
    if (!n) throw invalid();
    let i = 0;
    while (i < n.length && n[i] === 0) i++;
    const bits = (n.length - i) * 8 - (i < n.length ? Math.clz32(n[i]) - 24 : 0);
    if (bits < 2048) throw new IamError('InvalidPublicKey', 400, 'Public key is invalid: RSA keys must be at least 2048 bits.');
  }
}

/** IAM parses signing certificates as X.509 (PEM). */
export function checkCertificate(body: string): void {
  try {
    new X509Certificate(body);
  } catch {
    throw new IamError('MalformedCertificate', 400, 'The certificate is malformed or not in PEM format.');
  }
}

// ---------------------------------------------------------------------------------------------
// The account

export interface IamStateOptions {
  accountId?: string;
  seed?: number;
  /** A removed dependency keeps blocking DeleteUser for this long (ms). */
  consistencyDelayMs?: number;
  /** DeleteLoginProfile answers EntityTemporarilyUnmodifiable this long (ms) after CreateLoginProfile. */
  loginProfileUnmodifiableMs?: number;
  /** Current time in ms; Date.now by default. */
  clock?: () => number;
}

const SAMPLE_CERT_PREFIX = '-----BEGIN CERTIFICATE-----\nMIIC';

export class IamState {
  readonly accountId: string;
  consistencyDelayMs: number;
  loginProfileUnmodifiableMs: number;
  readonly clock: () => number;

  readonly users = new OrderedIndex<UserRecord>();
  readonly groups = new OrderedIndex<GroupRecord>();
  readonly policies = new OrderedIndex<ManagedPolicyRecord>();
  readonly virtualMfaDevices = new OrderedIndex<VirtualMfaRecord>();

  private readonly usersById = new Map<string, UserRecord>();
  private readonly accessKeyOwners = new Map<string, UserRecord>();
  /** Every assigned MFA serial (any kind) to its user. */
  private readonly mfaOwners = new Map<string, UserRecord>();
  private readonly sshKeyIds = new Map<string, UserRecord>();
  private readonly certificateIds = new Map<string, UserRecord>();
  private readonly credentialIds = new Map<string, UserRecord>();
  private readonly ids: IdGenerator;
  private seqCounter = 0;

  constructor(options: IamStateOptions = {}) {
    this.accountId = options.accountId ?? '123456789012';
    this.consistencyDelayMs = options.consistencyDelayMs ?? 0;
    this.loginProfileUnmodifiableMs = options.loginProfileUnmodifiableMs ?? 0;
    this.clock = options.clock ?? Date.now;
    this.ids = new IdGenerator(mulberry32(((options.seed ?? 1) ^ 0x5bd1e995) >>> 0));
    const epoch = new Date('2015-02-06T18:40:00Z');
    for (const [name, path] of AWS_MANAGED_POLICIES) {
      const arn = `arn:aws:iam::aws:policy${path}${name}`;
      this.policies.set(
        arn,
        {
          policyName: name,
          policyId: this.ids.id('ANPA', 17),
          arn,
          path,
          document: DEFAULT_POLICY_DOCUMENT,
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

  nextSeq(): number {
    return ++this.seqCounter;
  }

  now(): Date {
    return new Date(this.clock());
  }

  // ----- users -------------------------------------------------------------------------------

  getUser(name: string): UserRecord | undefined {
    return this.users.get(name.toLowerCase());
  }

  userExists(name: string): boolean {
    return this.users.has(name.toLowerCase());
  }

  requireUser(name: string): UserRecord {
    const u = this.getUser(name);
    if (!u) throw noSuchEntity(`The user with name ${name} cannot be found.`);
    return u;
  }

  getUserById(userId: string): UserRecord | undefined {
    return this.usersById.get(userId);
  }

  /** The user owning an access key id, if the key belongs to an emulated user. */
  userForAccessKey(accessKeyId: string): UserRecord | undefined {
    return this.accessKeyOwners.get(accessKeyId);
  }

  userArn(name: string, path = '/'): string {
    return `arn:aws:iam::${this.accountId}:user${path}${name}`;
  }

  createUser(
    name: string,
    opts: { path?: string; tags?: Record<string, string> | Array<[string, string]>; permissionsBoundary?: string } = {},
  ): UserRecord {
    validateName(name, 'userName', 64);
    const path = opts.path ?? '/';
    validatePath(path);
    if (this.userExists(name)) throw entityAlreadyExists(`User with name ${name} already exists.`);
    const tags = Array.isArray(opts.tags) ? opts.tags : Object.entries(opts.tags ?? {});
    validateTags(tags);
    if (tags.length > LIMITS.tagsPerResource) throw limitExceeded(`Cannot exceed quota for TagsPerUser: ${LIMITS.tagsPerResource}`);
    let boundary: ManagedPolicyRecord | undefined;
    if (opts.permissionsBoundary) boundary = this.requirePolicy(opts.permissionsBoundary);
    const user: UserRecord = {
      userName: name,
      userId: this.ids.id('AIDA', 17),
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
    if (changes.newPath !== undefined) validatePath(changes.newPath, 'newPath');
    const newName = changes.newUserName;
    if (newName !== undefined) {
      validateName(newName, 'newUserName', 64);
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

  private noteRemoval(user: UserRecord, kind: DependencyKind): void {
    user.lastRemoval.set(kind, this.clock());
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

  // ----- groups ------------------------------------------------------------------------------

  getGroup(name: string): GroupRecord | undefined {
    return this.groups.get(name.toLowerCase());
  }

  requireGroup(name: string): GroupRecord {
    const g = this.getGroup(name);
    if (!g) throw noSuchEntity(`The group with name ${name} cannot be found.`);
    return g;
  }

  createGroup(name: string, path = '/'): GroupRecord {
    validateName(name, 'groupName', 128);
    validatePath(path);
    if (this.getGroup(name)) throw entityAlreadyExists(`Group with name ${name} already exists.`);
    const group: GroupRecord = {
      groupName: name,
      groupId: this.ids.id('AGPA', 17),
      path,
      arn: `arn:aws:iam::${this.accountId}:group${path}${name}`,
      createDate: this.now(),
      members: new OrderedIndex(),
    };
    this.groups.set(name.toLowerCase(), group, this.nextSeq());
    return group;
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
    this.noteRemoval(user, 'groupMemberships');
  }

  // ----- managed policies --------------------------------------------------------------------

  customerPolicyArn(name: string, path = '/'): string {
    return `arn:aws:iam::${this.accountId}:policy${path}${name}`;
  }

  getPolicy(arn: string): ManagedPolicyRecord | undefined {
    return this.policies.get(arn);
  }

  /** A policy by ARN, or a customer managed policy by name. */
  requirePolicy(arnOrName: string): ManagedPolicyRecord {
    const arn = arnOrName.startsWith('arn:') ? arnOrName : this.customerPolicyArn(arnOrName);
    const p = this.policies.get(arn);
    if (!p) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
    return p;
  }

  createPolicy(name: string, opts: { path?: string; document?: string; description?: string } = {}): ManagedPolicyRecord {
    validateName(name, 'policyName', 128);
    const path = opts.path ?? '/';
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
      policyId: this.ids.id('ANPA', 17),
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
    if (user.attachedPolicies.size >= LIMITS.managedPoliciesPerUser) {
      throw limitExceeded(`Cannot exceed quota for PoliciesPerUser: ${LIMITS.managedPoliciesPerUser}`);
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
    this.noteRemoval(user, 'managedPolicies');
  }

  // ----- inline policies ---------------------------------------------------------------------

  putUserPolicy(userName: string, policyName: string, document: string): void {
    const user = this.requireUser(userName);
    validateName(policyName, 'policyName', 128);
    checkPolicyDocument(document);
    let total = Buffer.byteLength(document.replace(/\s+/g, ''));
    for (const p of user.inlinePolicies.values()) {
      if (p.policyName !== policyName) total += Buffer.byteLength(p.document.replace(/\s+/g, ''));
    }
    if (total > LIMITS.inlinePolicyBytesPerUser) {
      throw limitExceeded(`Maximum policy size of ${LIMITS.inlinePolicyBytesPerUser} bytes exceeded for user ${user.userName}`);
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
    this.noteRemoval(user, 'inlinePolicies');
  }

  // ----- access keys -------------------------------------------------------------------------

  createAccessKey(userName: string): AccessKeyRecord & { userName: string } {
    const user = this.requireUser(userName);
    if (user.accessKeys.size >= LIMITS.accessKeysPerUser) {
      throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${LIMITS.accessKeysPerUser}`);
    }
    const key: AccessKeyRecord = {
      accessKeyId: this.ids.id('AKIA', 16),
      secretAccessKey: this.ids.secret(40),
      status: 'Active',
      createDate: this.now(),
    };
    user.accessKeys.set(key.accessKeyId, key, this.nextSeq());
    this.accessKeyOwners.set(key.accessKeyId, user);
    return { ...key, userName: user.userName };
  }

  private requireAccessKey(user: UserRecord, accessKeyId: string): AccessKeyRecord {
    const key = user.accessKeys.get(accessKeyId);
    if (!key) throw noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found.`);
    return key;
  }

  updateAccessKey(userName: string, accessKeyId: string, status: string): void {
    const user = this.requireUser(userName);
    if (status !== 'Active' && status !== 'Inactive') {
      throw validationError(`1 validation error detected: Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`);
    }
    this.requireAccessKey(user, accessKeyId).status = status;
  }

  deleteAccessKey(userName: string, accessKeyId: string): void {
    const user = this.requireUser(userName);
    this.requireAccessKey(user, accessKeyId);
    user.accessKeys.delete(accessKeyId);
    this.accessKeyOwners.delete(accessKeyId);
    this.noteRemoval(user, 'accessKeys');
  }

  // ----- login profile -----------------------------------------------------------------------

  /**
   * Gives the user a console password. `recent` (default true) opens the window in which
   * DeleteLoginProfile answers EntityTemporarilyUnmodifiable (loginProfileUnmodifiableMs).
   */
  createLoginProfile(userName: string, opts: { passwordResetRequired?: boolean; recent?: boolean } = {}): LoginProfileRecord {
    const user = this.requireUser(userName);
    if (user.loginProfile) throw entityAlreadyExists(`Login Profile for user ${user.userName} already exists.`);
    const recent = opts.recent ?? true;
    const now = this.clock();
    user.loginProfile = {
      createDate: new Date(recent ? now : now - 3_600_000),
      passwordResetRequired: opts.passwordResetRequired ?? false,
      unmodifiableUntil: recent ? now + this.loginProfileUnmodifiableMs : 0,
    };
    return user.loginProfile;
  }

  getLoginProfile(userName: string): LoginProfileRecord {
    const user = this.requireUser(userName);
    if (!user.loginProfile) throw noSuchEntity(`Login Profile for User ${user.userName} cannot be found.`);
    return user.loginProfile;
  }

  private checkLoginProfileModifiable(user: UserRecord, profile: LoginProfileRecord): void {
    if (this.clock() < profile.unmodifiableUntil) {
      throw new IamError(
        'EntityTemporarilyUnmodifiable',
        409,
        `Login Profile for User ${user.userName} cannot be modified while login profile is being created.`,
      );
    }
  }

  updateLoginProfile(userName: string, passwordResetRequired?: boolean): void {
    const user = this.requireUser(userName);
    const profile = this.getLoginProfile(userName);
    this.checkLoginProfileModifiable(user, profile);
    if (passwordResetRequired !== undefined) profile.passwordResetRequired = passwordResetRequired;
  }

  deleteLoginProfile(userName: string): void {
    const user = this.requireUser(userName);
    const profile = this.getLoginProfile(userName);
    this.checkLoginProfileModifiable(user, profile);
    user.loginProfile = undefined;
    this.noteRemoval(user, 'loginProfile');
  }

  // ----- SSH public keys ---------------------------------------------------------------------

  uploadSshPublicKey(userName: string, body?: string): SshKeyRecord {
    const user = this.requireUser(userName);
    const keyBody = body ?? makeSshPublicKeyBody(Buffer.from(this.ids.hex(512), 'hex'), `${user.userName}@example`);
    checkSshPublicKey(keyBody);
    for (const k of user.sshPublicKeys.values()) {
      if (k.body === keyBody) throw new IamError('DuplicateSSHPublicKey', 400, 'Public key already exists for this user.');
    }
    if (user.sshPublicKeys.size >= LIMITS.sshPublicKeysPerUser) {
      throw limitExceeded(`Cannot exceed quota for SSHPublicKeysPerUser: ${LIMITS.sshPublicKeysPerUser}`);
    }
    const md5 = createHash('md5').update(keyBody).digest('hex');
    const key: SshKeyRecord = {
      sshPublicKeyId: this.ids.id('APKA', 17),
      body: keyBody,
      fingerprint: md5.match(/../g)!.join(':'),
      status: 'Active',
      uploadDate: this.now(),
    };
    user.sshPublicKeys.set(key.sshPublicKeyId, key, this.nextSeq());
    this.sshKeyIds.set(key.sshPublicKeyId, user);
    return key;
  }

  getSshPublicKey(userName: string, id: string): SshKeyRecord {
    const user = this.requireUser(userName);
    const key = user.sshPublicKeys.get(id);
    if (!key) throw noSuchEntity(`The Public Key with id ${id} cannot be found.`);
    return key;
  }

  deleteSshPublicKey(userName: string, id: string): void {
    const user = this.requireUser(userName);
    this.getSshPublicKey(userName, id);
    user.sshPublicKeys.delete(id);
    this.sshKeyIds.delete(id);
    this.noteRemoval(user, 'sshPublicKeys');
  }

  // ----- signing certificates ----------------------------------------------------------------

  /**
   * Uploads a signing certificate. Bodies given here must parse as X.509; seeding (no body) uses a
   * placeholder PEM body, since generating real certificates for thousands of users would be slow.
   */
  uploadSigningCertificate(userName: string, body?: string): SigningCertificateRecord {
    const user = this.requireUser(userName);
    if (body !== undefined) checkCertificate(body);
    const certBody = body ?? `${SAMPLE_CERT_PREFIX}${this.ids.secret(200)}\n-----END CERTIFICATE-----`;
    for (const c of user.signingCertificates.values()) {
      if (c.body === certBody) throw new IamError('DuplicateCertificate', 409, 'The Certificate already exists.');
    }
    if (user.signingCertificates.size >= LIMITS.signingCertificatesPerUser) {
      throw limitExceeded(`Cannot exceed quota for SigningCertificatesPerUser: ${LIMITS.signingCertificatesPerUser}`);
    }
    const cert: SigningCertificateRecord = {
      certificateId: this.ids.id('', 32),
      body: certBody,
      status: 'Active',
      uploadDate: this.now(),
    };
    user.signingCertificates.set(cert.certificateId, cert, this.nextSeq());
    this.certificateIds.set(cert.certificateId, user);
    return cert;
  }

  deleteSigningCertificate(userName: string, certificateId: string): void {
    const user = this.requireUser(userName);
    if (!user.signingCertificates.has(certificateId)) {
      throw noSuchEntity(`The Certificate with id ${certificateId} cannot be found.`);
    }
    user.signingCertificates.delete(certificateId);
    this.certificateIds.delete(certificateId);
    this.noteRemoval(user, 'signingCertificates');
  }

  // ----- service-specific credentials --------------------------------------------------------

  createServiceSpecificCredential(userName: string, serviceName: string, credentialAgeDays?: number): ServiceCredentialRecord {
    const user = this.requireUser(userName);
    if (!isSupportedCredentialService(serviceName)) {
      throw new IamError('NotSupportedService', 404, `No such service ${serviceName} is supported for Service Specific Credentials`);
    }
    let sameService = 0;
    for (const c of user.serviceCredentials.values()) if (c.serviceName === serviceName) sameService++;
    if (sameService >= LIMITS.serviceCredentialsPerServicePerUser) {
      throw limitExceeded(`Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: ${LIMITS.serviceCredentialsPerServicePerUser}`);
    }
    const now = this.now();
    const cred: ServiceCredentialRecord = {
      serviceSpecificCredentialId: this.ids.id('ACCA', 17),
      serviceName,
      status: 'Active',
      createDate: now,
    };
    if (serviceName === 'bedrock.amazonaws.com') {
      cred.serviceCredentialAlias = `BedrockAPIKey-${this.ids.hex(4)}-at-${this.accountId}`;
      cred.serviceCredentialSecret = this.ids.secret(60);
      if (credentialAgeDays !== undefined) cred.expirationDate = new Date(now.getTime() + credentialAgeDays * 86_400_000);
    } else {
      cred.serviceUserName = `${user.userName}-at-${this.accountId}${sameService > 0 ? `-${sameService}` : ''}`;
      cred.servicePassword = this.ids.secret(44);
    }
    user.serviceCredentials.set(cred.serviceSpecificCredentialId, cred, this.nextSeq());
    this.credentialIds.set(cred.serviceSpecificCredentialId, user);
    return cred;
  }

  deleteServiceSpecificCredential(userName: string, id: string): void {
    const user = this.requireUser(userName);
    if (!user.serviceCredentials.has(id)) {
      throw noSuchEntity(`No such credential ${id} exists for user ${user.userName}.`);
    }
    user.serviceCredentials.delete(id);
    this.credentialIds.delete(id);
    this.noteRemoval(user, 'serviceSpecificCredentials');
  }

  // ----- MFA devices -------------------------------------------------------------------------

  virtualMfaSerial(name: string, path = '/'): string {
    return `arn:aws:iam::${this.accountId}:mfa${path}${name}`;
  }

  createVirtualMfaDevice(name: string, path = '/', tags: Array<[string, string]> = []): VirtualMfaRecord {
    validateName(name, 'virtualMFADeviceName', 226);
    validatePath(path);
    const serial = this.virtualMfaSerial(name, path);
    if (this.virtualMfaDevices.has(serial)) {
      throw entityAlreadyExists('MFADevice entity at the same path and name already exists.');
    }
    validateTags(tags);
    const device: VirtualMfaRecord = {
      serialNumber: serial,
      name,
      path,
      base32Seed: this.ids.id('', 64, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'),
      qrCodePng: Buffer.from(`\x89PNG\r\n\x1a\n${serial}`, 'latin1'),
      tags: new Map(tags),
    };
    this.virtualMfaDevices.set(serial, device, this.nextSeq());
    return device;
  }

  private assignMfa(user: UserRecord, serial: string, kind: MfaKind): UserMfaRecord {
    if (user.mfaDevices.size >= LIMITS.mfaDevicesPerUser) {
      throw limitExceeded(`Cannot exceed quota for MFADevicesPerUser: ${LIMITS.mfaDevicesPerUser}`);
    }
    const rec: UserMfaRecord = { serialNumber: serial, kind, enableDate: this.now() };
    user.mfaDevices.set(serial, rec, this.nextSeq());
    this.mfaOwners.set(serial, user);
    return rec;
  }

  /** EnableMFADevice for a virtual device of this account (the only kind the API can enable). */
  enableMfaDevice(userName: string, serialNumber: string): UserMfaRecord {
    const user = this.requireUser(userName);
    const device = this.virtualMfaDevices.get(serialNumber);
    if (!device) throw noSuchEntity(`VirtualMFADevice with serial number ${serialNumber} doesn't exist.`);
    if (device.user) throw entityAlreadyExists('MFA Device is already in use.');
    const rec = this.assignMfa(user, serialNumber, 'virtual');
    device.user = user;
    device.enableDate = rec.enableDate;
    return rec;
  }

  /** A FIDO security key registered for the user (no API can do this; seeding and tests only). */
  addFidoDevice(userName: string): string {
    const user = this.requireUser(userName);
    const serial = `arn:aws:iam::${this.accountId}:u2f/user/${user.userName}/fido-${this.ids.id('', 26, 'abcdefghijklmnopqrstuvwxyz234567')}`;
    this.assignMfa(user, serial, 'fido');
    return serial;
  }

  /** A hardware TOTP token (vendor serial) registered for the user (no API can do this; seeding and tests only). */
  addHardwareDevice(userName: string, serial?: string): string {
    const user = this.requireUser(userName);
    const s = serial ?? this.ids.id('GAHT', 8, '0123456789');
    if (this.mfaOwners.has(s)) throw entityAlreadyExists('MFA Device is already in use.');
    this.assignMfa(user, s, 'hardware');
    return s;
  }

  /** The user holding an MFA serial (any kind), if assigned. */
  mfaOwner(serialNumber: string): UserRecord | undefined {
    return this.mfaOwners.get(serialNumber);
  }

  /** DeactivateMFADevice: hardware and FIDO devices vanish; a virtual device stays in the account, unassigned. */
  deactivateMfaDevice(userName: string, serialNumber: string): void {
    const user = this.requireUser(userName);
    const rec = user.mfaDevices.get(serialNumber);
    if (!rec) throw noSuchEntity(`MFA Device with serial number ${serialNumber} does not exist.`);
    user.mfaDevices.delete(serialNumber);
    this.mfaOwners.delete(serialNumber);
    if (rec.kind === 'virtual') {
      const device = this.virtualMfaDevices.get(serialNumber);
      if (device) {
        device.user = undefined;
        device.enableDate = undefined;
      }
    }
    this.noteRemoval(user, 'mfaDevices');
  }

  /** DeleteVirtualMFADevice: NoSuchEntity for anything that is not a virtual device; DeleteConflict while assigned. */
  deleteVirtualMfaDevice(serialNumber: string): void {
    const device = this.virtualMfaDevices.get(serialNumber);
    if (!device) throw noSuchEntity(`VirtualMFADevice with serial number ${serialNumber} doesn't exist.`);
    if (device.user) throw deleteConflict('MFA VirtualDevice in use. Must deactivate first.');
    this.virtualMfaDevices.delete(serialNumber);
  }

  /** The user's MFA devices of every kind, in enable order. */
  mfaDevicesOf(userName: string): Array<{ serial: string; kind: MfaKind; enableDate: Date }> {
    return this.requireUser(userName)
      .mfaDevices.toArray()
      .map((m) => ({ serial: m.serialNumber, kind: m.kind, enableDate: m.enableDate }));
  }

  /** The account's virtual MFA devices (assigned or not), in creation order. */
  listVirtualMfaDevices(status: 'Assigned' | 'Unassigned' | 'Any' = 'Any'): Array<{ serial: string; userName?: string; enableDate?: Date }> {
    const out: Array<{ serial: string; userName?: string; enableDate?: Date }> = [];
    for (const d of this.virtualMfaDevices.values()) {
      if (status === 'Assigned' && !d.user) continue;
      if (status === 'Unassigned' && d.user) continue;
      out.push({ serial: d.serialNumber, userName: d.user?.userName, enableDate: d.enableDate });
    }
    return out;
  }

  // ----- seeding and snapshots ---------------------------------------------------------------

  seed(scenario: Scenario): SeedResult {
    for (const g of scenario.groups ?? []) if (!this.getGroup(g)) this.createGroup(g);
    for (const p of scenario.managedPolicies ?? []) if (!this.policies.has(this.customerPolicyArn(p))) this.createPolicy(p);
    for (const d of scenario.unassignedVirtualMfa ?? []) this.createVirtualMfaDevice(d);
    const result: SeedResult = { users: {} };
    for (const s of scenario.users ?? []) {
      if (s.permissionsBoundary && !s.permissionsBoundary.startsWith('arn:') && !this.policies.has(this.customerPolicyArn(s.permissionsBoundary))) {
        this.createPolicy(s.permissionsBoundary);
      }
      const user = this.createUser(s.userName, { path: s.path, tags: s.tags, permissionsBoundary: s.permissionsBoundary });
      if (s.loginProfile) {
        const recent = typeof s.loginProfile === 'object' && s.loginProfile.recent === true;
        this.createLoginProfile(user.userName, { recent });
      }
      const accessKeyIds: string[] = [];
      for (let i = 0; i < (s.accessKeys ?? 0); i++) accessKeyIds.push(this.createAccessKey(user.userName).accessKeyId);
      for (let i = 0; i < (s.sshKeys ?? 0); i++) this.uploadSshPublicKey(user.userName);
      for (let i = 0; i < (s.signingCertificates ?? 0); i++) this.uploadSigningCertificate(user.userName);
      for (const svc of s.serviceCredentials ?? []) this.createServiceSpecificCredential(user.userName, svc);
      const mfaSerials: { serial: string; kind: MfaKind }[] = [];
      for (const name of s.virtualMfa ?? []) {
        const d = this.createVirtualMfaDevice(name);
        this.enableMfaDevice(user.userName, d.serialNumber);
        mfaSerials.push({ serial: d.serialNumber, kind: 'virtual' });
      }
      for (const serial of s.hardwareMfa ?? []) mfaSerials.push({ serial: this.addHardwareDevice(user.userName, serial), kind: 'hardware' });
      for (let i = 0; i < (s.fidoMfa ?? 0); i++) mfaSerials.push({ serial: this.addFidoDevice(user.userName), kind: 'fido' });
      for (const g of s.groups ?? []) this.addUserToGroup(user.userName, g);
      for (const p of s.inlinePolicies ?? []) {
        this.putUserPolicy(user.userName, p, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }));
      }
      for (const p of s.managedPolicies ?? []) {
        if (!p.startsWith('arn:') && !this.policies.has(this.customerPolicyArn(p))) this.createPolicy(p);
        this.attachUserPolicy(user.userName, p);
      }
      result.users[user.userName] = { userId: user.userId, arn: user.arn, accessKeyIds, mfaSerials };
    }
    return result;
  }

  /** A deterministic JSON-able view of the user and everything hanging on it; null when the user does not exist. */
  snapshotUser(userName: string): unknown {
    const u = this.getUser(userName);
    if (!u) return null;
    const iso = (d: Date | undefined) => (d ? d.toISOString() : null);
    const byKey = <T>(items: T[], key: (t: T) => string) => [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return {
      userName: u.userName,
      userId: u.userId,
      path: u.path,
      arn: u.arn,
      createDate: iso(u.createDate),
      tags: Object.fromEntries([...u.tags.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      permissionsBoundary: u.permissionsBoundary ?? null,
      loginProfile: u.loginProfile
        ? { createDate: iso(u.loginProfile.createDate), passwordResetRequired: u.loginProfile.passwordResetRequired }
        : null,
      accessKeys: byKey(u.accessKeys.toArray(), (k) => k.accessKeyId).map((k) => ({
        accessKeyId: k.accessKeyId,
        status: k.status,
        createDate: iso(k.createDate),
      })),
      sshPublicKeys: byKey(u.sshPublicKeys.toArray(), (k) => k.sshPublicKeyId).map((k) => ({
        sshPublicKeyId: k.sshPublicKeyId,
        fingerprint: k.fingerprint,
        status: k.status,
        uploadDate: iso(k.uploadDate),
      })),
      signingCertificates: byKey(u.signingCertificates.toArray(), (c) => c.certificateId).map((c) => ({
        certificateId: c.certificateId,
        status: c.status,
        uploadDate: iso(c.uploadDate),
      })),
      serviceSpecificCredentials: byKey(u.serviceCredentials.toArray(), (c) => c.serviceSpecificCredentialId).map((c) => ({
        serviceSpecificCredentialId: c.serviceSpecificCredentialId,
        serviceName: c.serviceName,
        status: c.status,
        createDate: iso(c.createDate),
      })),
      mfaDevices: byKey(u.mfaDevices.toArray(), (m) => m.serialNumber).map((m) => ({
        serialNumber: m.serialNumber,
        kind: m.kind,
        enableDate: iso(m.enableDate),
      })),
      groups: u.groups.toArray().map((g) => g.groupName).sort(),
      inlinePolicies: Object.fromEntries(
        byKey(u.inlinePolicies.toArray(), (p) => p.policyName).map((p) => [p.policyName, p.document]),
      ),
      managedPolicies: u.attachedPolicies.toArray().map((p) => p.arn).sort(),
    };
  }
}
