// What IAM knows of a user's use: when its console password was last used, each access key's last use
// (GetAccessKeyLastUsed) and its last authenticated access per service (the service last-accessed
// data of GenerateServiceLastAccessedDetails / GetServiceLastAccessedDetails). Kept apart from the
// user records by UserId, so a rename keeps it, and set by seeding, by tests acting as a person
// would (a console sign-in), and by every request signed with one of the user's own access keys.

import { randomUUID } from "node:crypto";
import { invalidInput, noSuchEntity } from "../protocol";
import type { Account } from "./account";
import type { UserRecord } from "./records";

export interface KeyUse {
  date: Date;
  /** The service's namespace as GetAccessKeyLastUsed names it: "iam", "s3", "sts". */
  service: string;
  region: string;
}

export interface ServiceAccess {
  /** The namespace ("codecommit"); the service's name is derived from it. */
  namespace: string;
  date: Date;
  region?: string;
}

export interface ServiceAccessRow {
  serviceName: string;
  serviceNamespace: string;
  lastAuthenticated: Date;
  lastAuthenticatedEntity: string;
  lastAuthenticatedRegion?: string;
}

export interface AccessJob {
  jobId: string;
  arn: string;
  created: Date;
  /** GetServiceLastAccessedDetails answers IN_PROGRESS this many more times before COMPLETED. */
  pollsLeft: number;
  completed?: Date;
  rows?: ServiceAccessRow[];
}

/** The names IAM's service last-accessed data shows for the namespaces the emulator meets. */
const SERVICE_NAMES: Record<string, string> = {
  iam: "AWS Identity and Access Management",
  sts: "AWS Security Token Service",
  s3: "Amazon S3",
  codecommit: "AWS CodeCommit",
  ec2: "Amazon EC2",
  keyspaces: "Amazon Keyspaces (for Apache Cassandra)",
  cassandra: "Amazon Keyspaces (for Apache Cassandra)",
  bedrock: "Amazon Bedrock",
};

export const serviceNameOf = (namespace: string): string => SERVICE_NAMES[namespace] ?? `AWS ${namespace}`;

interface UserActivity {
  passwordLastUsed?: Date;
  services: Map<string, ServiceAccess>;
}

export class ActivityLog {
  private readonly byUserId = new Map<string, UserActivity>();
  private readonly keyUse = new Map<string, KeyUse>();
  private readonly jobs = new Map<string, AccessJob>();
  /** How many GetServiceLastAccessedDetails calls answer IN_PROGRESS before a job is COMPLETED (AWS: seconds to minutes). */
  inProgressPolls = 1;

  constructor(private readonly account: Account) {}

  private of(user: UserRecord): UserActivity {
    let a = this.byUserId.get(user.userId);
    if (!a) {
      a = { services: new Map() };
      this.byUserId.set(user.userId, a);
    }
    return a;
  }

  passwordLastUsed(user: UserRecord): Date | undefined {
    return this.byUserId.get(user.userId)?.passwordLastUsed;
  }

  /** A console sign-in with the user's password (what a person does; no API call does it). */
  recordConsoleSignIn(userName: string, date: Date = this.account.now()): void {
    this.of(this.account.requireUser(userName)).passwordLastUsed = date;
  }

  /** The key's last use; undefined: never used. */
  keyLastUsed(accessKeyId: string): KeyUse | undefined {
    return this.keyUse.get(accessKeyId);
  }

  /** A request signed with the key: its last use, and the user's last access to the service. */
  recordKeyUse(user: UserRecord, accessKeyId: string, use: KeyUse): void {
    this.keyUse.set(accessKeyId, use);
    this.recordServiceAccess(user, { namespace: use.service, date: use.date, region: use.region });
  }

  /** The user authenticated to a service (by any credential: a key, SSH to CodeCommit, a service credential). */
  recordServiceAccess(user: UserRecord, access: ServiceAccess): void {
    const services = this.of(user).services;
    const prior = services.get(access.namespace);
    if (!prior || prior.date.getTime() <= access.date.getTime()) services.set(access.namespace, access);
  }

  /** GenerateServiceLastAccessedDetails for a user's ARN (the only entity kind the emulator keeps data for). */
  generateJob(arn: string): AccessJob {
    const m = /^arn:aws:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/.exec(arn);
    if (!m) throw invalidInput(`ARN ${arn} is not valid.`);
    if (m[1] !== this.account.accountId) throw invalidInput(`ARN ${arn} is not valid.`);
    const user = this.account.getUser(m[2]!);
    if (!user || user.arn !== arn) throw noSuchEntity(`The user with name ${m[2]} cannot be found.`);
    const job: AccessJob = { jobId: randomUUID(), arn, created: this.account.now(), pollsLeft: this.inProgressPolls };
    // AWS reports the data as of the job, for the entity as it was then.
    job.rows = [...this.of(user).services.values()]
      .sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0))
      .map((s) => ({
        serviceName: serviceNameOf(s.namespace),
        serviceNamespace: s.namespace,
        lastAuthenticated: s.date,
        lastAuthenticatedEntity: user.arn,
        lastAuthenticatedRegion: s.region,
      }));
    this.jobs.set(job.jobId, job);
    return job;
  }

  /** One poll of a job: IN_PROGRESS while polls are left, then COMPLETED with its rows. */
  pollJob(jobId: string): AccessJob & { status: "IN_PROGRESS" | "COMPLETED" } {
    const job = this.jobs.get(jobId);
    if (!job) throw noSuchEntity(`The job with id ${jobId} cannot be found.`);
    if (job.pollsLeft > 0) {
      job.pollsLeft--;
      return { ...job, status: "IN_PROGRESS" };
    }
    job.completed ??= this.account.now();
    return { ...job, status: "COMPLETED" };
  }
}
