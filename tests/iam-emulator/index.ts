// A strict local IAM emulator: IAM's Query protocol on loopback, one account's state (or several: organization.ts), AWS's
// error codes and messages, and seeded fault injection. The unmodified AWS SDK talks to it.
//
//   const emu = await startEmulator({ maxPageSize: 2, seed: 7 });
//   const iam = new IAMClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
//   ...
//   await emu.stop();

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { ACTIONS, type ActionContext, isMutating } from "./actions";
import { type FaultDecision, FaultInjector, type FaultOptions, malformedPage, serviceFailure } from "./faults";
import { Organization } from "./organization";
import { accessDenied, authorizeUserCaller, type CallerPolicy, evaluate, qualifiedAction, resourceArnFor } from "./policy";
import {
  accessKeyFromAuthorization,
  errorXml,
  IAM_VERSION,
  IamError,
  newRequestId,
  type Params,
  parseForm,
  signingRegionFromAuthorization,
  successXml,
} from "./protocol";
import { loggedParams, RequestLog, type RequestLogEntry } from "./request-log";
import { IamState, type Scenario, type SeedResult } from "./state";
import { type EmulatedRole, expiredToken, StsState } from "./sts";

export { IamError } from "./protocol";
export { RequestLogEntry } from "./request-log";
export { ActivityLog, DependencyCounts, DependencyKind, IamState, MfaKind, Scenario, SeedResult, UserSeed } from "./state";

/** The fault options (seed, throttle, shares, faultActions) are FaultOptions, in faults.ts. */
export interface EmulatorOptions extends FaultOptions {
  /** 0 (default) = a free port; the host is always 127.0.0.1. */
  port?: number;
  /** Default '123456789012'. */
  accountId?: string;
  /**
   * Other accounts served beside `accountId`, each with its own state and throttle buckets: a request signed with a
   * session's key (AssumeRole into a role of that account) acts there. With accounts declared, roles in any other
   * account cannot be assumed.
   */
  accounts?: string[];
  /** Every STS session lasts this long on `clock` (default: DurationSeconds, or an hour); then ExpiredToken. */
  sessionDurationSeconds?: number;
  /** Caps every List call's page size (forces paging in tests); AWS's default MaxItems is 100. */
  maxPageSize?: number;
  /** Added latency per call (ms) before the request is handled and answered. */
  latencyMs?: number;
  /** A removed dependency keeps blocking DeleteUser (DeleteConflict) for this long (ms). */
  consistencyDelayMs?: number;
  /** Managed policies attachable to one user: AWS's default 10 unless given (an account may have it raised to 20). */
  attachedPoliciesPerUserQuota?: number;
  /** DeleteLoginProfile answers EntityTemporarilyUnmodifiable this long (ms) after CreateLoginProfile (or a seeded `recent` profile). Default 0. */
  loginProfileUnmodifiableMs?: number;
  /**
   * The account's time in ms (Date.now by default): what the delays above and the throttle buckets are measured on.
   * A test that moves it by hand decides when a delay is over, whatever the machine's speed.
   */
  clock?: () => number;
  /**
   * Called as each request arrives (after its hooks and fault decision); a promise returned holds the request, not
   * yet handled, until it settles. For a test that has to act before some calls go on.
   */
  hold?: (request: { action: string; params: Readonly<Record<string, string>> }) => Promise<void> | undefined;
  hooks?: EmulatorHook[];
  /** Roles STS AssumeRole grants (with their ExternalId); unset: any well-formed role ARN. */
  roles?: EmulatedRole[];
  /** The caller's identity policy; actions it does not allow answer 403 AccessDenied. */
  policy?: CallerPolicy;
  /** These actions answer 403 AccessDenied. */
  denyActions?: string[];
  /** GetServiceLastAccessedDetails answers IN_PROGRESS this many times for each job before COMPLETED (default 1). */
  serviceAccessJobPolls?: number;
  /** Record requests in `log` (default true). */
  logRequests?: boolean;
  /** Keep only the newest this many log entries (default unlimited). */
  maxLogEntries?: number;
}

export interface EmulatorHook {
  /** Fire when the n-th request arrives (1-based, counting all requests). With `every`: on requests n, 2n, 3n, ... */
  afterRequests?: number;
  /** Fire before the first (or `nth`) request of this action. With `every`: before each such request from the nth on. */
  beforeAction?: string;
  nth?: number;
  every?: boolean;
  /** Runs synchronously against state, before the matching request is handled. */
  run: (emulator: Emulator) => void;
}

export interface Emulator {
  endpoint: string;
  accountId: string;
  state: IamState;
  /** Every account served, the home account first. */
  accountIds: string[];
  /** The state of a served account (`accountId`'s is `state`). */
  account(accountId: string): IamState;
  /** The STS side: every AssumeRole granted, in order. */
  sts: StsState;
  seed(scenario: Scenario): SeedResult;
  log: RequestLogEntry[];
  clearLog(): void;
  snapshotUser(userName: string): unknown;
  stop(): Promise<void>;
  /** Requests received so far (all of them, whether logged or not). */
  readonly requestCount: number;
  /** Errors thrown by hooks (each also answered its request with 500 ServiceFailure, fault 'hook-error'). */
  hookErrors: Error[];
}

interface HookState {
  hook: EmulatorHook;
  fired: boolean;
  actionCount: number;
}

const MAX_BODY = 1 << 20;

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const homeState = new IamState({
    accountId: options.accountId,
    seed: options.seed,
    consistencyDelayMs: options.consistencyDelayMs,
    loginProfileUnmodifiableMs: options.loginProfileUnmodifiableMs,
    clock: options.clock,
    attachedPoliciesPerUserQuota: options.attachedPoliciesPerUserQuota,
  });
  const organization = new Organization(
    { state: homeState, faults: new FaultInjector(options, options.clock) },
    options.accounts ?? [],
    {
      seed: options.seed,
      consistencyDelayMs: options.consistencyDelayMs,
      loginProfileUnmodifiableMs: options.loginProfileUnmodifiableMs,
      clock: options.clock,
      attachedPoliciesPerUserQuota: options.attachedPoliciesPerUserQuota,
    },
    options,
    options.clock,
  );
  if (options.serviceAccessJobPolls !== undefined) {
    for (const accountId of organization.accountIds())
      organization.stateOf(accountId).activity.inProgressPolls = options.serviceAccessJobPolls;
  }
  const sts = new StsState(
    homeState.accountId,
    {
      roles: options.roles,
      clock: options.clock,
      sessionDurationSeconds: options.sessionDurationSeconds,
      servesAccount: (accountId) => organization.serves(accountId),
    },
    (accessKeyId) => homeState.userForAccessKey(accessKeyId)?.arn,
  );
  const requestLog = new RequestLog(options.logRequests !== false, options.maxLogEntries ?? Number.POSITIVE_INFINITY);
  const hooks: HookState[] = (options.hooks ?? []).map((hook) => ({ hook, fired: false, actionCount: 0 }));
  const denied = new Set((options.denyActions ?? []).map((a) => qualifiedAction(a).toLowerCase()));
  const timers = new Set<NodeJS.Timeout>();
  let requestCount = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  function runHooks(seq: number, action: string): void {
    for (const hs of hooks) {
      const h = hs.hook;
      let match = false;
      if (h.beforeAction !== undefined) {
        if (qualifiedAction(h.beforeAction).toLowerCase() !== qualifiedAction(action).toLowerCase()) continue;
        hs.actionCount++;
        const n = h.nth ?? 1;
        match = h.every ? hs.actionCount >= n : hs.actionCount === n;
        if (h.afterRequests !== undefined && seq < h.afterRequests) match = false;
      } else if (h.afterRequests !== undefined) {
        match = h.every ? seq % h.afterRequests === 0 : seq === h.afterRequests;
      }
      if (!match || (hs.fired && !h.every)) continue;
      hs.fired = true;
      h.run(emulator);
    }
  }

  function callerArn(state: IamState, accessKeyId: string | undefined): string {
    if (sts.sessionFor(accessKeyId)) return sts.callerArn(accessKeyId);
    const u = accessKeyId ? state.userForAccessKey(accessKeyId) : undefined;
    return u ? u.arn : `arn:aws:sts::${state.accountId}:assumed-role/EmulatorCaller/${accessKeyId ?? "anonymous"}`;
  }

  /** A request signed with a user's own access key is that key's last use, and the user's access to the service. */
  function noteKeyUse(state: IamState, accessKeyId: string | undefined, service: string, region: string | undefined): void {
    const owner = accessKeyId ? state.userForAccessKey(accessKeyId) : undefined;
    if (!owner || !accessKeyId) return;
    state.activity.recordKeyUse(owner, accessKeyId, { date: state.now(), service, region: region ?? "us-east-1" });
  }

  function authorize(state: IamState, action: string, params: Params, accessKeyId: string | undefined): IamError | undefined {
    const q = qualifiedAction(action).toLowerCase();
    const caller = accessKeyId ? state.userForAccessKey(accessKeyId) : undefined;
    if (denied.has(q)) {
      return accessDenied(callerArn(state, accessKeyId), action, resourceArnFor(action, params, state, caller?.userName), "explicitDeny");
    }
    if (options.policy) {
      const resource = resourceArnFor(action, params, state, caller?.userName);
      const decision = evaluate(options.policy, action, resource);
      if (decision !== "allow") return accessDenied(callerArn(state, accessKeyId), action, resource, decision);
    }
    // A user's own key: its status and the user's own policies count, as in AWS.
    if (caller && accessKeyId) return authorizeUserCaller(state, caller, accessKeyId, action, params);
    return undefined;
  }

  function answer(res: http.ServerResponse, entry: RequestLogEntry, status: number, body: string, requestId: string): void {
    entry.status = status;
    entry.endedAt = Date.now();
    if (res.destroyed) return;
    res.writeHead(status, {
      "Content-Type": "text/xml",
      "Content-Length": Buffer.byteLength(body),
      "x-amzn-RequestId": requestId,
    });
    res.end(body);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const params: Params = { ...Object.fromEntries(url.searchParams), ...parseForm(body) };
    const action = params.Action ?? "";
    const accessKeyId = accessKeyFromAuthorization(req.headers.authorization);
    const seq = ++requestCount;
    const mutating = isMutating(action);
    const { state, faults } = organization.memberFor(sts.sessionFor(accessKeyId)?.accountId);
    // Credentials are checked before anything else, as AWS does: an expired session's request takes no token.
    const expired = sts.isExpired(accessKeyId);
    const entry: RequestLogEntry = {
      seq,
      action,
      params: loggedParams(params),
      accessKeyId,
      signingRegion: signingRegionFromAuthorization(req.headers.authorization),
      userAgent: req.headers["user-agent"],
      userName: params.UserName || undefined,
      accountId: state.accountId,
      mutating,
      status: 0,
      startedAt: Date.now(),
      endedAt: 0,
    };
    requestLog.add(entry);
    const requestId = newRequestId();
    const fail = (err: IamError, fault?: string) => {
      entry.errorCode = err.code;
      if (fault) entry.fault = fault;
      answer(res, entry, err.status, errorXml(err, requestId), requestId);
    };

    // Everything decided at arrival happens synchronously, in arrival order.
    let hookError: Error | undefined;
    try {
      runHooks(seq, action);
    } catch (e) {
      hookError = e instanceof Error ? e : new Error(String(e));
      emulator.hookErrors.push(hookError);
    }
    const known = Object.hasOwn(ACTIONS, action);
    const versionOk = params.Version === undefined || params.Version === IAM_VERSION;
    const checked = known && versionOk && !hookError && !expired;
    const decision: FaultDecision | undefined = checked ? faults.decide(action, mutating) : undefined;
    const scripted = checked ? faults.scripted(action) : undefined;

    if (options.latencyMs && options.latencyMs > 0) await sleep(options.latencyMs);
    const held = options.hold?.({ action, params });
    if (held) await held;

    if (expired) return fail(expiredToken());
    noteKeyUse(state, accessKeyId, StsState.isStsRequest(params) ? "sts" : "iam", entry.signingRegion);

    if (StsState.isStsRequest(params)) {
      try {
        return answer(res, entry, 200, successXml(action, sts.handle(action, params, accessKeyId), requestId), requestId);
      } catch (e) {
        if (e instanceof IamError) return fail(e);
        throw e;
      }
    }
    if (hookError) return fail(new IamError("ServiceFailure", 500, `Emulator hook failed: ${hookError.message}`, "Receiver"), "hook-error");
    if (!action) return fail(new IamError("MissingAction", 400, "Missing Action"));
    if (!known || !versionOk) {
      return fail(new IamError("InvalidAction", 400, `Could not find operation ${action} for version ${params.Version ?? IAM_VERSION}`));
    }
    if (decision) {
      if (decision.fault === "drop") {
        entry.fault = "drop";
        entry.endedAt = Date.now();
        req.socket.destroy();
        return;
      }
      return fail(decision.error, decision.fault);
    }
    const deniedError = authorize(state, action, params, accessKeyId);
    if (deniedError) {
      entry.resource = resourceArnFor(action, params, state, accessKeyId ? state.userForAccessKey(accessKeyId)?.userName : undefined);
      return fail(deniedError, "access-denied");
    }

    const ctx: ActionContext = { action, params, state, callerAccessKeyId: accessKeyId, pageCap: options.maxPageSize };
    // The request was carried out (or refused) as usual; its answer is lost on the way back.
    const dropAnswer = () => {
      entry.userName = ctx.userName ?? entry.userName;
      entry.resource = ctx.resource;
      entry.fault = "drop-after-handling";
      entry.endedAt = Date.now();
      req.socket.destroy();
    };
    try {
      let result = ACTIONS[action](ctx);
      if (scripted === "drop-after-handling") return dropAnswer();
      const malformed = scripted ? malformedPage(scripted, result, params.Marker || undefined) : undefined;
      if (malformed) {
        entry.fault = scripted;
        result = malformed;
      }
      entry.userName = ctx.userName ?? entry.userName;
      entry.resource = ctx.resource;
      answer(res, entry, 200, successXml(action, result, requestId), requestId);
    } catch (e) {
      if (scripted === "drop-after-handling") return dropAnswer();
      entry.userName = ctx.userName ?? entry.userName;
      entry.resource = ctx.resource;
      if (e instanceof IamError) return fail(e);
      console.error(`iam-emulator: ${action} failed:`, e);
      return fail(serviceFailure());
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.socket.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks).toString("utf8")).catch((e) => {
        console.error("iam-emulator: request failed:", e);
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500);
          res.end();
        }
      });
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let stopped: Promise<void> | undefined;
  const emulator: Emulator = {
    endpoint: `http://127.0.0.1:${port}`,
    accountId: homeState.accountId,
    state: homeState,
    accountIds: organization.accountIds(),
    account: (accountId) => organization.stateOf(accountId),
    sts,
    seed: (scenario) => homeState.seed(scenario),
    log: requestLog.entries,
    clearLog: () => requestLog.clear(),
    snapshotUser: (userName) => homeState.snapshotUser(userName),
    get requestCount() {
      return requestCount;
    },
    hookErrors: [],
    stop() {
      if (!stopped) {
        stopped = new Promise<void>((resolve) => {
          for (const t of timers) clearTimeout(t);
          timers.clear();
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }
      return stopped;
    },
  };
  return emulator;
}
