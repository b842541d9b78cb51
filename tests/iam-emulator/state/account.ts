// The account every area of the state builds on: its id, clock and id generator, the collections
// IAM keeps at account level, and finding a user (what nearly every call starts with).

import { OrderedIndex } from "../paging";
import { IdGenerator, mulberry32 } from "../prng";
import { noSuchEntity } from "../protocol";
import type { DependencyKind, GroupRecord, ManagedPolicyRecord, UserRecord, VirtualMfaRecord } from "./records";

export interface IamStateOptions {
  accountId?: string;
  seed?: number;
  /** A removed dependency keeps blocking DeleteUser for this long (ms). */
  consistencyDelayMs?: number;
  /** DeleteLoginProfile answers EntityTemporarilyUnmodifiable this long (ms) after CreateLoginProfile. */
  loginProfileUnmodifiableMs?: number;
  /** Current time in ms; Date.now by default. */
  clock?: () => number;
  /** Managed policies attachable to one user (AWS's default 10; an account may have it raised up to 20). */
  attachedPoliciesPerUserQuota?: number;
}

export class Account {
  readonly accountId: string;
  consistencyDelayMs: number;
  loginProfileUnmodifiableMs: number;
  readonly clock: () => number;

  readonly users = new OrderedIndex<UserRecord>();
  readonly groups = new OrderedIndex<GroupRecord>();
  readonly policies = new OrderedIndex<ManagedPolicyRecord>();
  readonly virtualMfaDevices = new OrderedIndex<VirtualMfaRecord>();

  protected readonly usersById = new Map<string, UserRecord>();
  protected readonly ids: IdGenerator;
  private seqCounter = 0;

  constructor(options: IamStateOptions = {}) {
    this.accountId = options.accountId ?? "123456789012";
    this.consistencyDelayMs = options.consistencyDelayMs ?? 0;
    this.loginProfileUnmodifiableMs = options.loginProfileUnmodifiableMs ?? 0;
    this.clock = options.clock ?? Date.now;
    this.ids = new IdGenerator(mulberry32(((options.seed ?? 1) ^ 0x5bd1e995) >>> 0));
  }

  nextSeq(): number {
    return ++this.seqCounter;
  }

  now(): Date {
    return new Date(this.clock());
  }

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

  userArn(name: string, path = "/"): string {
    return `arn:aws:iam::${this.accountId}:user${path}${name}`;
  }

  /** When a dependency goes, for DeleteUser's eventual consistency (consistencyDelayMs). */
  protected noteRemoval(user: UserRecord, kind: DependencyKind): void {
    user.lastRemoval.set(kind, this.clock());
  }
}
