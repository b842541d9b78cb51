/**
 * Shared machinery for the hostile suites: emulators that enforce the shipped IAM policy, a target user with every
 * dependency kind next to a bystander with the same ones, the checks every scenario ends with (the target and all
 * its dependencies gone, no orphaned virtual MFA device, the rest of the account unchanged, no mutating call outside
 * the target), and the counters the end-of-suite report prints.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { IAMClient } from "@aws-sdk/client-iam";
import { iamClientFor, resetIamClients } from "../../provider/aws/client";
import { type DependencyItem, type PartlyRemoved, type TeardownOptions, type TeardownReport, teardownUser } from "../../provider/teardown";
import { DEPENDENCY_KINDS, kindById } from "../../provider/teardown/kinds";
import { everyKind } from "../helpers/iam";
import { addTotal, beforeReport, countTry, declareRatio, requireBound } from "../helpers/tally";
import { type Emulator, type EmulatorOptions, type RequestLogEntry, startEmulator, type UserSeed } from "../iam-emulator";
import type { CallerPolicy } from "../iam-emulator/policy";
import { mulberry32, type Random } from "../iam-emulator/prng";

export const AREA = "hostile";
export const SCHEDULES = "fault schedules passed";
export const BAD_INPUTS = "bad inputs rejected";
export const OUTSIDE = "mutating calls outside the target";
/**
 * IAM has no conditional delete: when a user is deleted and its name reused while a teardown runs, a removal call that
 * names only the user (login profile, group, policy name or ARN) and was already on its way reaches the new user.
 * The races suite proves such calls are the only ones, and were sent before any identity check could see the change;
 * they are counted here, apart from the calls outside the target, which must stay 0.
 */
export const IN_FLIGHT_AT_TAKEOVER = "name-keyed calls already in flight when a new user took the name";
declareRatio(AREA, SCHEDULES);
declareRatio(AREA, BAD_INPUTS);
addTotal(AREA, OUTSIDE, 0);
addTotal(AREA, IN_FLIGHT_AT_TAKEOVER, 0);
requireBound(AREA, SCHEDULES, "all");
requireBound(AREA, BAD_INPUTS, "all");
requireBound(AREA, OUTSIDE, 0);

/** Counts one fault schedule (a full teardown under some hostile condition) and whether it held. */
export const countSchedule = (passed: boolean): boolean => countTry(AREA, SCHEDULES, passed);
export const countBadInput = (rejected: boolean): boolean => countTry(AREA, BAD_INPUTS, rejected);

// ---------------------------------------------------------------------------------------------------------------
// Who is calling

/** The access key the package's client signs with (the default chain reads it from the environment). */
export const engineKey = (): string => process.env.AWS_ACCESS_KEY_ID!;
/** The key test set-up calls sign with, so they are told apart from the package's calls in the request log. */
export const SETUP_KEY = "AKIDHOSTILESETUP0001";

/** A plain SDK client for set-up calls made the way a person or a pipeline would (not the package's client). */
export function setupClient(emulator: Emulator): IAMClient {
  return new IAMClient({
    endpoint: emulator.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: SETUP_KEY, secretAccessKey: "setup-secret-not-real" },
    maxAttempts: 1,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The shipped policy, enforced

export const POLICY_PATH = path.resolve(__dirname, "../../provider/iam-user-teardown-policy.json");
export function shippedPolicy(): CallerPolicy {
  return JSON.parse(fs.readFileSync(POLICY_PATH, "utf8")) as CallerPolicy;
}

/** Every action the shipped policy grants, without the "iam:" prefix, sorted. */
export function policyActions(): string[] {
  const actions = shippedPolicy().Statement.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
  // STS's one action (GetCallerIdentity) is logged by its name, as IAM's are.
  return [...new Set(actions.map((a) => a.replace(/^(iam|sts):/, "")))].sort();
}

/** Actions the tests' own set-up makes over HTTP (never the package): allowed so set-up works under the policy. */
export const SETUP_ACTIONS = [
  "CreateAccessKey",
  "CreateLoginProfile",
  "UploadSSHPublicKey",
  "UploadSigningCertificate",
  "CreateServiceSpecificCredential",
  "CreateVirtualMFADevice",
  "EnableMFADevice",
  "AddUserToGroup",
  "AttachUserPolicy",
  "PutUserPolicy",
  "CreateGroup",
  "CreatePolicy",
];

/** The emulator's caller policy: the shipped policy, plus set-up actions the package itself never calls. */
export function enforcedPolicy(): CallerPolicy {
  const shipped = shippedPolicy();
  return {
    ...shipped,
    Statement: [...shipped.Statement, { Effect: "Allow", Action: SETUP_ACTIONS.map((a) => `iam:${a}`), Resource: "*" }],
  };
}

/** Every emulator the hostile suites started, with what its target is, for the suite-wide audits at the end. */
export const startedEmulators: Array<{ emulator: Emulator; watch?: TargetWatch; audited: boolean }> = [];

/**
 * An emulator enforcing the shipped policy, no latency, logging every request. `watch` says who the package may
 * touch in it (a Scenario attaches its own); at the end of the run any emulator whose calls were not yet checked
 * against its watch is, and what reached outside it is counted.
 */
export async function hostileEmulator(options: EmulatorOptions = {}, watch?: TargetWatch): Promise<Emulator> {
  const emulator = await startEmulator({ port: 0, latencyMs: 0, policy: enforcedPolicy(), ...options });
  startedEmulators.push({ emulator, watch, audited: false });
  return emulator;
}

const registration = (emulator: Emulator) => startedEmulators.find((r) => r.emulator === emulator);

/** Checks an emulator's log against its watch now, counting what reached outside it (once per emulator). */
export function auditEmulator(emulator: Emulator): RequestLogEntry[] {
  const r = registration(emulator);
  if (!r?.watch) throw new Error("auditEmulator: the emulator has no target watch");
  const outside = outsideTarget(emulator.log, r.watch);
  if (!r.audited) addTotal(AREA, OUTSIDE, outside.length);
  r.audited = true;
  return outside;
}

export const POLICY_EXERCISED = "shipped policy actions called";
export const OUTSIDE_POLICY = "actions called outside the shipped policy";

/** The IAM actions the package called (successfully or not) in every emulator the hostile suites started. */
export function actionsCalledAcrossSuite(): Set<string> {
  return new Set(startedEmulators.flatMap((r) => r.emulator.log.filter((e) => e.accessKeyId === engineKey()).map((e) => e.action)));
}

beforeReport(() => {
  for (const r of startedEmulators) if (!r.audited && r.watch) auditEmulator(r.emulator);
  if (startedEmulators.length === 0) return;
  const granted = new Set(policyActions());
  const called = actionsCalledAcrossSuite();
  for (const a of granted) countTry("least privilege", POLICY_EXERCISED, called.has(a));
  addTotal("least privilege", OUTSIDE_POLICY, [...called].filter((a) => !granted.has(a)).length);
  requireBound("least privilege", OUTSIDE_POLICY, 0);
});

/** The package's own client for an emulator (adaptive retry, the process-wide per-action limiter), its calls recorded. */
export const packageClient = (emulator: Emulator): IAMClient => recordedClient(iamClientFor({ endpoint: emulator.endpoint }));

/**
 * What the package's client itself saw, in one order across all clients: each attempt as it is sent, each answer
 * as it arrives (GetUser answers with the UserId they showed). The emulator's log says what reached IAM; this says
 * what the package knew when it sent something.
 */
export interface ClientEvent {
  order: number;
  kind: "send" | "answer";
  action: string;
  /** The identifier the call names, as itemOf() reads it from the request log. */
  item: string;
  /** GetUser answers: the UserId shown (undefined: NoSuchEntity or another error). */
  userId?: string;
  /** ListUsers answers (the engine's batched identity re-checks): each user shown, by name, with its UserId. */
  usersShown?: Map<string, string>;
}

let clientOrder = 0;
const clientEvents = new WeakMap<IAMClient, ClientEvent[]>();

export function recordedClient(client: IAMClient): IAMClient {
  if (clientEvents.has(client)) return client;
  const events: ClientEvent[] = [];
  clientEvents.set(client, events);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const action = String(context.commandName ?? "").replace(/Command$/, "");
      const item = itemOfParams((args.input ?? {}) as Record<string, unknown>);
      events.push({ order: ++clientOrder, kind: "send", action, item });
      try {
        const out = await next(args);
        const output = out.output as { User?: { UserId?: string }; Users?: Array<{ UserName?: string; UserId?: string }> } | undefined;
        const usersShown =
          action === "ListUsers" ? new Map((output?.Users ?? []).map((u) => [u.UserName!.toLowerCase(), u.UserId!])) : undefined;
        events.push({
          order: ++clientOrder,
          kind: "answer",
          action,
          item,
          userId: action === "GetUser" ? output?.User?.UserId : undefined,
          usersShown,
        });
        return out;
      } catch (err) {
        events.push({ order: ++clientOrder, kind: "answer", action, item });
        throw err;
      }
    },
    // Below the SDK's retry: every attempt is an event of its own, as every attempt is an entry in the emulator's log.
    { step: "finalizeRequest", priority: "low", name: "hostileClientEvents" },
  );
  return client;
}

export const eventsOf = (client: IAMClient): ClientEvent[] => clientEvents.get(client) ?? [];

/** Engine retry delays scaled down so the suites stay fast: the same algorithm, milliseconds instead of seconds. */
export const FAST: Pick<TeardownOptions, "retryBaseDelayMs" | "retryMaxDelayMs"> = { retryBaseDelayMs: 5, retryMaxDelayMs: 50 };

/** Forget clients and the process-wide rate limiter between scenarios, so one scenario's throttling does not slow the next. */
export const freshClients = (): void => resetIamClients();

// ---------------------------------------------------------------------------------------------------------------
// Seeds

export const TARGET = "target";
export const BYSTANDER = "bystander";

/** everyKind() with a hardware serial drawn from the scenario's seed (everyKind alone draws it from Math.random). */
export function seededEveryKind(userName: string, rand: Random, extra: Partial<UserSeed> = {}): UserSeed {
  const serial = `GAHT${String(Math.floor(rand() * 1e8)).padStart(8, "0")}`;
  return everyKind(userName, { hardwareMfa: [serial], ...extra }) as unknown as UserSeed;
}

// ---------------------------------------------------------------------------------------------------------------
// What belongs to the target

/**
 * The principal a teardown may touch: the names it goes by (a name stops being the target's at the request where a
 * different user took it over) and the virtual MFA serials it held. Everything else is outside.
 */
export class TargetWatch {
  /** Lower-cased name -> [first request seq, last request seq] during which the name meant the target. */
  private readonly names = new Map<string, [number, number]>();
  readonly serials = new Set<string>();
  /** Request seqs of calls proven to have been in flight when the name changed hands (see IN_FLIGHT_AT_TAKEOVER). */
  readonly inFlightAtTakeover = new Set<number>();

  constructor(names: string[] = [], serials: string[] = []) {
    for (const n of names) this.addName(n);
    for (const s of serials) this.serials.add(s);
  }

  addName(name: string, fromSeq = 0): void {
    this.names.set(name.toLowerCase(), [fromSeq, Number.POSITIVE_INFINITY]);
  }

  /** From request `seq` on, `name` belongs to someone else. */
  endName(name: string, seq: number): void {
    const range = this.names.get(name.toLowerCase());
    if (range) range[1] = seq - 1;
  }

  ownsName(name: string | undefined, seq: number): boolean {
    if (!name) return false;
    const range = this.names.get(name.toLowerCase());
    return range !== undefined && seq >= range[0] && seq <= range[1];
  }

  /** Whether the name was ever the target's (a refused call on it after a takeover changed nothing). */
  everOwned(name: string | undefined): boolean {
    return name !== undefined && this.names.has(name.toLowerCase());
  }
}

/** Mutating calls a teardown, or the resource's create/update, may make on its own user. */
export const USER_MUTATIONS = new Set([
  "DeleteLoginProfile",
  "DeleteAccessKey",
  "DeleteSSHPublicKey",
  "DeleteSigningCertificate",
  "DeleteServiceSpecificCredential",
  "DeactivateMFADevice",
  "DeleteVirtualMFADevice",
  "RemoveUserFromGroup",
  "DeleteUserPolicy",
  "DetachUserPolicy",
  "DeleteUser",
  "CreateUser",
  "UpdateUser",
  "TagUser",
  "UntagUser",
  "PutUserPermissionsBoundary",
  "DeleteUserPermissionsBoundary",
]);

/**
 * The package's mutating calls that reached outside the target: an action on anything but its own user (a group or
 * policy object itself, another user's device), a call naming another user, or a call that changed a user who took
 * the target's name over. Calls the package sent to a taken-over name that IAM refused changed nothing and are not
 * counted here (they are listed by `refusedAfterTakeover`).
 */
export function outsideTarget(log: readonly RequestLogEntry[], watch: TargetWatch, key = engineKey()): RequestLogEntry[] {
  return log.filter((e) => {
    if (!e.mutating || e.accessKeyId !== key || watch.inFlightAtTakeover.has(e.seq)) return false;
    if (!USER_MUTATIONS.has(e.action)) return true;
    if (e.action === "DeleteVirtualMFADevice") return !watch.serials.has(e.params.SerialNumber);
    const name = e.params.UserName ?? e.userName;
    if (watch.ownsName(name, e.seq)) return false;
    // A name taken over by another user: only a call IAM carried out touched that user.
    if (watch.everOwned(name)) return e.status === 200;
    return true;
  });
}

/** Calls that reached a user who had taken the target's name over, and that IAM refused (nothing changed). */
export function refusedAfterTakeover(log: readonly RequestLogEntry[], watch: TargetWatch, key = engineKey()): RequestLogEntry[] {
  return log.filter(
    (e) =>
      e.mutating &&
      e.accessKeyId === key &&
      USER_MUTATIONS.has(e.action) &&
      e.action !== "DeleteVirtualMFADevice" &&
      !watch.ownsName(e.params.UserName ?? e.userName, e.seq) &&
      watch.everOwned(e.params.UserName ?? e.userName) &&
      e.status !== 200,
  );
}

export const describeEntry = (e: RequestLogEntry): string =>
  `#${e.seq} ${e.action} ${JSON.stringify(e.params)} -> ${e.status}${e.errorCode ? ` ${e.errorCode}` : ""}${e.fault ? ` (${e.fault})` : ""}`;

// ---------------------------------------------------------------------------------------------------------------
// The rest of the account

/**
 * Everything in the account that is not the target, as JSON: every other user (snapshotUser), every group with its
 * members other than the target, every managed policy object, every virtual MFA device other than the target's.
 */
export function accountOutside(emulator: Emulator, targetIds: ReadonlySet<string>, targetSerials: ReadonlySet<string>): string {
  const s = emulator.state;
  const users = s.users
    .toArray()
    .filter((u) => !targetIds.has(u.userId))
    .map((u) => emulator.snapshotUser(u.userName));
  const groups = s.groups.toArray().map((g) => ({
    name: g.groupName,
    id: g.groupId,
    path: g.path,
    arn: g.arn,
    members: g.members
      .toArray()
      .filter((u) => !targetIds.has(u.userId))
      .map((u) => u.userId)
      .sort(),
  }));
  const policies = s.policies.toArray().map((p) => ({
    arn: p.arn,
    id: p.policyId,
    document: p.document,
    updated: p.updateDate.toISOString(),
    boundaryUses: p.permissionsBoundaryUsageCount,
  }));
  const devices = s.listVirtualMfaDevices("Any").filter((d) => !targetSerials.has(d.serial));
  return JSON.stringify({ users, groups, policies, devices });
}

// ---------------------------------------------------------------------------------------------------------------
// A scenario: a target with every dependency kind, a bystander with the same ones, and the checks at the end

export interface ScenarioOptions {
  /** PRNG seed: the emulator's faults and ids, and every random choice of the scenario. */
  seed: number;
  emulator?: EmulatorOptions;
  /** Overrides for the target's seed (everyKind otherwise). */
  target?: Partial<UserSeed>;
  /** Groups, policies and devices the account has before the users are seeded (things hooks use later). */
  account?: { groups?: string[]; managedPolicies?: string[]; unassignedVirtualMfa?: string[] };
}

export class Scenario {
  readonly rand: Random;
  readonly watch: TargetWatch;
  readonly userId: string;
  readonly mfaSerials: { serial: string; kind: string }[];
  /** UserIds left out of the "rest of the account" comparison: the target's, and users a race brought in. */
  private readonly targetIds = new Set<string>();
  /** Unassigned virtual devices someone else's action left behind (not the teardown's to judge). */
  private readonly othersOrphans = new Set<string>();
  private readonly before: string;
  private readonly unassignedBefore: string[];

  constructor(
    readonly emulator: Emulator,
    readonly seed: number,
    targetSeed: UserSeed,
    account: ScenarioOptions["account"] = {},
  ) {
    this.rand = mulberry32(seed ^ 0x9e3779b9);
    const seeded = emulator.seed({ ...account, users: [targetSeed, seededEveryKind(BYSTANDER, this.rand)] });
    const t = seeded.users[targetSeed.userName];
    this.userId = t.userId;
    this.mfaSerials = t.mfaSerials;
    this.targetIds.add(t.userId);
    this.watch = new TargetWatch(
      [targetSeed.userName],
      t.mfaSerials.filter((m) => m.kind === "virtual").map((m) => m.serial),
    );
    const r = registration(emulator);
    if (r) r.watch = this.watch;
    this.before = this.outside();
    this.unassignedBefore = this.unassigned();
  }

  static async start(options: ScenarioOptions & { hooks?: (sc: () => Scenario) => EmulatorOptions["hooks"] }): Promise<Scenario> {
    let scenario: Scenario | undefined;
    const hooks = options.hooks?.(() => scenario!);
    const emulator = await hostileEmulator({
      seed: options.seed,
      ...options.emulator,
      hooks: [...(options.emulator?.hooks ?? []), ...(hooks ?? [])],
    });
    const rand = mulberry32(options.seed);
    scenario = new Scenario(emulator, options.seed, seededEveryKind(TARGET, rand, options.target), options.account);
    return scenario;
  }

  get state() {
    return this.emulator.state;
  }

  get log() {
    return this.emulator.log;
  }

  /** The request seq the emulator is at (a hook runs at the arrival of this request). */
  get seq(): number {
    return this.emulator.requestCount;
  }

  /** Leaves a user a race brought in (a new user under the target's name) out of the "rest of the account"; tests check it themselves. */
  ignoreUser(userId: string): void {
    this.targetIds.add(userId);
  }

  /** A virtual device someone else left unassigned (deleting the target out of band, say): not an orphan of the teardown's. */
  ignoreOrphan(serial: string): void {
    this.othersOrphans.add(serial);
  }

  private outside(): string {
    return accountOutside(this.emulator, this.targetIds, new Set([...this.watch.serials, ...this.othersOrphans]));
  }

  private unassigned(): string[] {
    return this.state
      .listVirtualMfaDevices("Unassigned")
      .map((d) => d.serial)
      .sort();
  }

  /** The package's mutating calls outside the target (added to the suite's count the first time). */
  outsideCalls(): RequestLogEntry[] {
    return registration(this.emulator) ? auditEmulator(this.emulator) : outsideTarget(this.log, this.watch);
  }

  /** The teardown with the package's client and fast retries. */
  teardown(options: Partial<TeardownOptions> = {}): Promise<TeardownReport> {
    return teardownUser({ client: packageClient(this.emulator), userName: TARGET, expectedUserId: this.userId, ...FAST, ...options });
  }

  /**
   * The target, every dependency and every virtual device it held are gone; no new unassigned virtual device; the
   * rest of the account (bystander included) is byte-for-byte as before; no mutating call outside the target.
   * Returns the problems found (empty when the scenario held).
   */
  problems(options: { userGone?: boolean } = {}): string[] {
    const problems: string[] = [];
    const userGone = options.userGone ?? true;
    const live = this.state.getUserById(this.userId);
    if (userGone && live)
      problems.push(`the target still exists as ${live.userName}: ${JSON.stringify(this.state.dependencyCounts(live.userName))}`);
    for (const serial of this.watch.serials) {
      if (this.state.virtualMfaDevices.has(serial) && !this.othersOrphans.has(serial))
        problems.push(`virtual MFA device ${serial} of the target is still in the account`);
    }
    const newUnassigned = this.unassigned().filter((s) => !this.unassignedBefore.includes(s) && !this.othersOrphans.has(s));
    if (newUnassigned.length > 0) problems.push(`orphaned virtual MFA devices: ${newUnassigned.join(", ")}`);
    if (this.outside() !== this.before) problems.push("something outside the target changed (users, groups, policies or devices)");
    const outside = this.outsideCalls();
    if (outside.length > 0) problems.push(`mutating calls outside the target: ${outside.map(describeEntry).join("; ")}`);
    return problems;
  }

  /** problems() must be empty; counts the schedule. */
  assertClean(label: string, options: { userGone?: boolean } = {}): void {
    const problems = this.problems(options);
    countSchedule(problems.length === 0);
    assert.deepEqual(problems, [], `${label} (seed ${this.seed})`);
  }

  stop(): Promise<void> {
    return this.emulator.stop();
  }
}

/** The successful mutating calls the package made, as "Action target" strings (for matching against a report). */
export function successfulMutations(log: readonly RequestLogEntry[], key = engineKey()): string[] {
  return log
    .filter((e) => e.mutating && e.accessKeyId === key && e.status === 200)
    .map((e) => `${e.action} ${itemOf(e)}`)
    .sort();
}

/** The identifier a removal call names, the same way the engine's DependencyItem names it. */
export function itemOf(e: RequestLogEntry): string {
  return itemOfParams(e.params);
}

export function itemOfParams(p: Record<string, unknown>): string {
  const first = [
    p.AccessKeyId,
    p.SSHPublicKeyId,
    p.CertificateId,
    p.ServiceSpecificCredentialId,
    p.SerialNumber,
    p.GroupName,
    p.PolicyName,
    p.PolicyArn,
    p.UserName,
  ].find((v) => typeof v === "string" && v !== "");
  return (first as string | undefined) ?? "";
}

/**
 * Whether what a teardown says it removed is exactly what IAM carried out for it, judged from the request log:
 * every item reported removed had its removal call (the last one, for a virtual device: DeleteVirtualMFADevice)
 * answered 200, and every mutating call of the package that IAM carried out belongs to an item reported removed
 * (or is DeleteUser, when `userDeleted`), or is one of the calls a partly removed item lists as done. Returns the
 * differences (empty when the report is honest).
 */
export function reportVersusLog(
  removed: readonly DependencyItem[],
  log: readonly RequestLogEntry[],
  userDeleted: boolean,
  partlyRemoved: readonly PartlyRemoved[] = [],
  key = engineKey(),
): string[] {
  const done = log.filter((e) => e.mutating && e.accessKeyId === key && e.status === 200);
  const doneKeys = new Set(done.map((e) => `${e.action} ${itemOf(e)}`));
  const problems: string[] = [];
  const accounted = new Set<string>();
  for (const item of removed) {
    const actions = kindById(item.kind).removalActions(item);
    const last = `${actions[actions.length - 1]} ${item.id}`;
    if (!doneKeys.has(last)) problems.push(`reported removed, but IAM never carried out ${last}`);
    for (const a of actions) accounted.add(`${a} ${item.id}`);
  }
  for (const { item, done: calls } of partlyRemoved) {
    for (const a of calls) {
      if (!doneKeys.has(`${a} ${item.id}`)) problems.push(`reported partly done, but IAM never carried out ${a} ${item.id}`);
      accounted.add(`${a} ${item.id}`);
    }
  }
  for (const e of done) {
    const k = `${e.action} ${itemOf(e)}`;
    if (e.action === "DeleteUser" ? !userDeleted : !accounted.has(k))
      problems.push(`IAM carried out ${k} (#${e.seq}), which the report does not mention`);
  }
  return problems;
}

/** Removal calls that name only the user (and a group or policy): the ones a new user under the same name could receive. */
export const NAMED_BY_USER_ONLY: ReadonlySet<string> = new Set(
  DEPENDENCY_KINDS.filter((k) => k.namedByUserOnly).flatMap((k) => k.removalActions({ kind: k.id, id: "" })),
);

/**
 * After a new user took the target's name over at request `at` (its snapshot right then: `afterTakeover`): what the
 * package did to it that it must not have. IAM has no conditional delete, so a removal already decided before the
 * package could see the change may land on the new user: allowed only for name-keyed removals sent before the
 * package's client had received any answer showing the new user. Those are marked in the watch and counted apart;
 * anything else reaching the new user, DeleteUser of it among them, is a problem.
 */
export function takeoverProblems(sc: Scenario, at: number, afterTakeover: string): string[] {
  const problems: string[] = [];
  const mine = sc.log.filter((e) => e.accessKeyId === engineKey());
  const events = eventsOf(packageClient(sc.emulator));
  const shownUnderTarget = (ev: ClientEvent) => (ev.action === "GetUser" ? ev.userId : ev.usersShown?.get(TARGET));
  const sawNewUser = events.find((ev) => ev.kind === "answer" && shownUnderTarget(ev) !== undefined && shownUnderTarget(ev) !== sc.userId);
  const reached = mine.filter(
    (e) =>
      e.mutating &&
      e.seq >= at &&
      e.status === 200 &&
      (e.params.UserName ?? e.userName)?.toLowerCase() === TARGET &&
      // The old user's own virtual device, left unassigned by its deletion, is not the new user's.
      !(e.action === "DeleteVirtualMFADevice" && sc.watch.serials.has(e.params.SerialNumber)),
  );
  for (const e of reached) {
    // The client's send of this very attempt: the k-th send of the same call is the k-th arrival of it.
    const key = `${e.action} ${itemOf(e)}`;
    const k = mine.filter((x) => x.seq < e.seq && `${x.action} ${itemOf(x)}` === key).length;
    const sent = events.filter((ev) => ev.kind === "send" && `${ev.action} ${ev.item}` === key)[k];
    const knew = sawNewUser && (!sent || sawNewUser.order < sent.order);
    if (!NAMED_BY_USER_ONLY.has(e.action) || knew) {
      problems.push(
        `takeover at #${at}: ${describeEntry(e)} reached the new user${knew ? ", sent after the package had seen the new user's UserId" : ""}`,
      );
    } else sc.watch.inFlightAtTakeover.add(e.seq);
  }
  addTotal(AREA, IN_FLIGHT_AT_TAKEOVER, sc.watch.inFlightAtTakeover.size);
  if (reached.length === 0 && JSON.stringify(sc.emulator.snapshotUser(TARGET)) !== afterTakeover)
    problems.push(`takeover at #${at}: the new user changed`);
  return problems;
}
