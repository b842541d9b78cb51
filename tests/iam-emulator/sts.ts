// The two STS actions a client of IAM meets: AssumeRole (a role chain from the AWS provider's aws:assumeRoles) and
// GetCallerIdentity (which account the credentials reach). Served on the same endpoint when a request carries STS's
// API version, so that AWS_ENDPOINT_URL_STS can point at the emulator too.

import { randomBytes } from "node:crypto";
import { IamError, type Params, type XmlObject } from "./protocol";

export const STS_VERSION = "2011-06-15";

/** A role the emulator lets callers assume; without any declared, every well-formed role ARN can be assumed. */
export interface EmulatedRole {
  roleArn: string;
  /** When set, AssumeRole must carry exactly this ExternalId. */
  externalId?: string;
}

/** One AssumeRole the emulator granted: who asked, for what, and the temporary key it handed out. */
export interface StsSession {
  roleArn: string;
  sessionName: string;
  externalId?: string;
  durationSeconds?: number;
  /** The key that signed the AssumeRole (the previous link of a chain). */
  callerAccessKeyId?: string;
  /** The temporary access key id the session signs with. */
  accessKeyId: string;
  accountId: string;
}

const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

export class StsState {
  readonly sessions: StsSession[] = [];
  private readonly roles?: Map<string, EmulatedRole>;

  constructor(
    private readonly accountId: string,
    roles: EmulatedRole[] | undefined,
    /** The account and ARN of a long-term key (an emulated IAM user's), if it is one. */
    private readonly userArnFor: (accessKeyId: string) => string | undefined,
  ) {
    this.roles = roles ? new Map(roles.map((r) => [r.roleArn, r])) : undefined;
  }

  static isStsRequest(params: Params): boolean {
    return params.Version === STS_VERSION;
  }

  handle(action: string, params: Params, callerAccessKeyId: string | undefined): XmlObject {
    if (action === "AssumeRole") return this.assumeRole(params, callerAccessKeyId);
    if (action === "GetCallerIdentity") return this.callerIdentity(callerAccessKeyId);
    throw new IamError("InvalidAction", 400, `Could not find operation ${action} for version ${STS_VERSION}`);
  }

  private assumeRole(params: Params, callerAccessKeyId: string | undefined): XmlObject {
    const roleArn = params.RoleArn ?? "";
    const sessionName = params.RoleSessionName ?? "";
    const parsed = ROLE_ARN.exec(roleArn);
    if (!parsed)
      throw new IamError(
        "ValidationError",
        400,
        `1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint`,
      );
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new IamError(
        "ValidationError",
        400,
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`,
      );
    }
    const durationSeconds = params.DurationSeconds === undefined ? undefined : Number(params.DurationSeconds);
    if (durationSeconds !== undefined && !(durationSeconds >= 900 && durationSeconds <= 43200)) {
      throw new IamError(
        "ValidationError",
        400,
        `1 validation error detected: Value '${params.DurationSeconds}' at 'durationSeconds' failed to satisfy constraint`,
      );
    }
    const declared = this.roles?.get(roleArn);
    const caller = this.callerArn(callerAccessKeyId);
    if (this.roles && (!declared || (declared.externalId !== undefined && declared.externalId !== params.ExternalId))) {
      throw new IamError("AccessDenied", 403, `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    const [, partition, accountId, roleName] = parsed;
    const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
    this.sessions.push({ roleArn, sessionName, externalId: params.ExternalId, durationSeconds, callerAccessKeyId, accessKeyId, accountId });
    const roleId = `AROA${randomBytes(8).toString("hex").toUpperCase()}`;
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: randomBytes(20).toString("base64"),
        SessionToken: randomBytes(32).toString("base64"),
        Expiration: new Date(Date.now() + (durationSeconds ?? 3600) * 1000),
      },
      AssumedRoleUser: {
        AssumedRoleId: `${roleId}:${sessionName}`,
        Arn: `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      },
    };
  }

  private callerIdentity(callerAccessKeyId: string | undefined): XmlObject {
    const session = this.sessionFor(callerAccessKeyId);
    if (session) {
      const [, partition, , roleName] = ROLE_ARN.exec(session.roleArn)!;
      return {
        UserId: `AROA${session.accessKeyId.slice(4, 20)}:${session.sessionName}`,
        Account: session.accountId,
        Arn: `arn:${partition}:sts::${session.accountId}:assumed-role/${roleName}/${session.sessionName}`,
      };
    }
    return { UserId: callerAccessKeyId ?? "anonymous", Account: this.accountId, Arn: this.callerArn(callerAccessKeyId) };
  }

  private sessionFor(accessKeyId: string | undefined): StsSession | undefined {
    return accessKeyId ? this.sessions.find((s) => s.accessKeyId === accessKeyId) : undefined;
  }

  private callerArn(accessKeyId: string | undefined): string {
    const session = this.sessionFor(accessKeyId);
    if (session) return `arn:aws:sts::${session.accountId}:assumed-role/${session.roleArn.split("/").pop()}/${session.sessionName}`;
    return (
      (accessKeyId && this.userArnFor(accessKeyId)) ||
      `arn:aws:sts::${this.accountId}:assumed-role/EmulatorCaller/${accessKeyId ?? "anonymous"}`
    );
  }
}
