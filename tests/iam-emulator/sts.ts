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
  /** When the session's credentials stop working, on the emulator's clock (ms). */
  expiresAt: number;
}

/** How the STS side is set up: which roles may be assumed, in which accounts, and how long sessions last. */
export interface StsOptions {
  /** Roles AssumeRole grants (with their ExternalId); unset: any well-formed role ARN. */
  roles?: EmulatedRole[];
  /** The emulator's clock (ms): sessions expire on it. Date.now by default. */
  clock?: () => number;
  /**
   * Every session lasts this long, whatever DurationSeconds asked (still validated as AWS does), so that a test can
   * run past several expiries. Unset: DurationSeconds, or AWS's default of one hour.
   */
  sessionDurationSeconds?: number;
  /** When set, only roles in accounts it accepts can be assumed (the others do not exist: AccessDenied). */
  servesAccount?: (accountId: string) => boolean;
}

/** AWS's answer to a request signed with a session's credentials after they expired. */
export const expiredToken = (): IamError => new IamError("ExpiredToken", 403, "The security token included in the request is expired");

const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

export class StsState {
  readonly sessions: StsSession[] = [];
  private readonly byAccessKey = new Map<string, StsSession>();
  private readonly roles?: Map<string, EmulatedRole>;
  private readonly clock: () => number;

  constructor(
    private readonly accountId: string,
    private readonly options: StsOptions,
    /** The account and ARN of a long-term key (an emulated IAM user's), if it is one. */
    private readonly userArnFor: (accessKeyId: string) => string | undefined,
  ) {
    this.roles = options.roles ? new Map(options.roles.map((r) => [r.roleArn, r])) : undefined;
    this.clock = options.clock ?? Date.now;
  }

  /** The session a temporary key belongs to, if it is one. */
  sessionFor(accessKeyId: string | undefined): StsSession | undefined {
    return accessKeyId ? this.byAccessKey.get(accessKeyId) : undefined;
  }

  /** Whether the key is a session's whose credentials have expired. */
  isExpired(accessKeyId: string | undefined): boolean {
    const session = this.sessionFor(accessKeyId);
    return session !== undefined && this.clock() >= session.expiresAt;
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
    const [, partition, accountId, roleName] = parsed;
    const served = this.options.servesAccount?.(accountId) ?? true;
    if (!served || (this.roles && (!declared || (declared.externalId !== undefined && declared.externalId !== params.ExternalId)))) {
      throw new IamError("AccessDenied", 403, `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
    const lifetimeSeconds = this.options.sessionDurationSeconds ?? durationSeconds ?? 3600;
    const expiresAt = this.clock() + lifetimeSeconds * 1000;
    const session = {
      roleArn,
      sessionName,
      externalId: params.ExternalId,
      durationSeconds,
      callerAccessKeyId,
      accessKeyId,
      accountId,
      expiresAt,
    };
    this.sessions.push(session);
    this.byAccessKey.set(accessKeyId, session);
    const roleId = `AROA${randomBytes(8).toString("hex").toUpperCase()}`;
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: randomBytes(20).toString("base64"),
        SessionToken: randomBytes(32).toString("base64"),
        Expiration: new Date(expiresAt),
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

  callerArn(accessKeyId: string | undefined): string {
    const session = this.sessionFor(accessKeyId);
    if (session) return `arn:aws:sts::${session.accountId}:assumed-role/${session.roleArn.split("/").pop()}/${session.sessionName}`;
    return (
      (accessKeyId && this.userArnFor(accessKeyId)) ||
      `arn:aws:sts::${this.accountId}:assumed-role/EmulatorCaller/${accessKeyId ?? "anonymous"}`
    );
  }
}
