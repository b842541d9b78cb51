/**
 * Shared pieces of the end-to-end suites: an IAM emulator started in this process, a Pulumi workspace whose commands
 * (and the provider plugin they start) reach it through AWS_ENDPOINT_URL_IAM, programs that declare IamUserTeardown
 * resources, and checks on what the emulator holds afterwards.
 */

import * as assert from "node:assert";
import { randomBytes } from "node:crypto";
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateServiceSpecificCredentialCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  type IAMClient,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { packageClientFor } from "../helpers/iam";
import type { PulumiResult } from "../helpers/pulumi/process";
import { requirePulumiToolchain } from "../helpers/pulumi/toolchain";
import { PulumiWorkspace, type WorkspaceOptions } from "../helpers/pulumi/workspace";
import { type Emulator, type EmulatorOptions, startEmulator } from "../iam-emulator";

/** The type token Pulumi shows for the resource (the dynamic provider puts it under `dynamic/`). */
export const RESOURCE_TYPE = "pulumi-nodejs:dynamic/iam-user-teardown:IamUserTeardown";

/** The credentials the provider plugin signs with; they must never reach output or state either. */
export const ENGINE_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: "AKIDE2EENGINE0000000",
  AWS_SECRET_ACCESS_KEY: `e2e-engine-secret-${randomBytes(6).toString("hex")}`,
};

/** The groups and policies every user in these suites is attached to; the teardown must leave them in place. */
export const SHARED_GROUPS = ["developers", "on-call"];
export const SHARED_POLICIES = ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/team-boundary"];

export interface EmulatedStack {
  emulator: Emulator;
  ws: PulumiWorkspace;
  /** An SDK client on the emulator, for out-of-band changes (what someone does in the console). */
  iam: IAMClient;
  dispose(): Promise<void>;
}

/**
 * For a mocha `before` hook: the toolchain (or a skip with the reason), an emulator, and a workspace with the stack
 * `e2e` initialised, whose pulumi commands reach the emulator.
 */
export async function emulatedStack(
  ctx: Mocha.Context,
  opts: { emulator?: EmulatorOptions; workspace?: WorkspaceOptions; stack?: string | false } = {},
): Promise<EmulatedStack> {
  const toolchain = requirePulumiToolchain(ctx);
  const emulator = await startEmulator({ port: 0, ...opts.emulator });
  let ws: PulumiWorkspace | undefined;
  try {
    ws = await PulumiWorkspace.create({
      toolchain,
      ...opts.workspace,
      env: { ...emulatorEnv(emulator), ...opts.workspace?.env },
    });
    if (opts.stack !== false) await ws.stackInit(opts.stack ?? "e2e");
  } catch (err) {
    await ws?.dispose();
    await emulator.stop();
    throw err;
  }
  const iam = packageClientFor(emulator.endpoint);
  return {
    emulator,
    ws,
    iam,
    async dispose() {
      await ws?.dispose();
      await emulator.stop();
    },
  };
}

/** How a pulumi process (and the provider plugin it starts) reaches the emulator: the AWS SDK's standard variables. */
export function emulatorEnv(emulator: Emulator): NodeJS.ProcessEnv {
  return iamEndpointEnv(emulator.endpoint);
}

/** How a pulumi process reaches an IAM server at `endpoint` (the emulator, or moto). */
export function iamEndpointEnv(endpoint: string): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL_IAM: endpoint,
    ...ENGINE_CREDENTIALS,
    AWS_REGION: "us-east-1",
    AWS_PROFILE: undefined,
    AWS_SESSION_TOKEN: undefined,
    // The SDK's notice that its 2027 releases need Node 22 would otherwise open every run's diagnostics on Node 20.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/** Everything a pulumi command printed. */
export function printed(r: PulumiResult): string {
  return `${r.stdout}\n${r.stderr}`;
}

/** Asserts a pulumi command exited 0, showing its output otherwise. */
export function assertOk(r: PulumiResult, what = `pulumi ${r.args.join(" ")}`): PulumiResult {
  assert.strictEqual(r.code, 0, `${what} exited ${r.code ?? r.signal}\n${printed(r)}`);
  return r;
}

/** A user declared by USERS_PROGRAM (through the stack config `users`). */
export interface UserDecl {
  name: string;
  userName: string;
  path?: string;
  tags?: Record<string, string>;
  adopt?: boolean;
  deleteUser?: boolean;
}

/** A program that declares the users listed in its stack config, so a test changes the program by changing config. */
export const USERS_PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { IamUserTeardown } from "iam-user-teardown";

interface UserDecl { name: string; userName: string; path?: string; tags?: Record<string, string>; adopt?: boolean; deleteUser?: boolean }
const declared = new pulumi.Config().requireObject<UserDecl[]>("users");

const users = declared.map((u) => new IamUserTeardown(u.name, {
  userName: u.userName, path: u.path, tags: u.tags, adopt: u.adopt, deleteUser: u.deleteUser,
}));

export const userIds = pulumi.all(Object.fromEntries(users.map((u, i) => [declared[i].name, u.userId])));
export const arns = pulumi.all(Object.fromEntries(users.map((u, i) => [declared[i].name, u.arn])));
`;

export async function declareUsers(ws: PulumiWorkspace, users: UserDecl[]): Promise<void> {
  await ws.configSet("users", JSON.stringify(users));
}

/** What the test gave a user out of band: identifiers to look for afterwards and secrets that must never show. */
export interface GivenDependencies {
  userName: string;
  accessKeyIds: string[];
  virtualMfaSerial: string;
  hardwareSerial: string;
  fidoSerial: string;
  /** Every secret value IAM handed out while doing so. */
  secrets: string[];
}

/**
 * Gives a user one or more of every dependency kind, the way someone would in the console or with the CLI: a console
 * password, two access keys, an SSH key, a signing certificate, two service-specific credentials, a virtual MFA
 * device, a hardware token, a FIDO key, two groups, an inline and two attached policies. Through the SDK where IAM has
 * an API for it (so the secrets are the ones IAM hands out), through the emulator's state where it has none.
 */
export async function giveEveryKind(emulator: Emulator, iam: IAMClient, userName: string): Promise<GivenDependencies> {
  const secrets: string[] = [];
  const password = `Pw-${randomBytes(12).toString("base64url")}-9a!`;
  await iam.send(new CreateLoginProfileCommand({ UserName: userName, Password: password }));
  secrets.push(password);
  const accessKeyIds: string[] = [];
  for (let i = 0; i < 2; i++) {
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!;
    accessKeyIds.push(key.AccessKeyId!);
    secrets.push(key.SecretAccessKey!);
  }
  emulator.state.uploadSshPublicKey(userName);
  emulator.state.uploadSigningCertificate(userName);
  const codecommit = (
    await iam.send(new CreateServiceSpecificCredentialCommand({ UserName: userName, ServiceName: "codecommit.amazonaws.com" }))
  ).ServiceSpecificCredential!;
  secrets.push(codecommit.ServicePassword!);
  const bedrock = (await iam.send(new CreateServiceSpecificCredentialCommand({ UserName: userName, ServiceName: "bedrock.amazonaws.com" })))
    .ServiceSpecificCredential!;
  secrets.push(bedrock.ServiceCredentialSecret!);
  const device = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${userName}-phone` }))).VirtualMFADevice!;
  const seed = Buffer.from(device.Base32StringSeed!).toString("utf8");
  assert.match(seed, /^[A-Z2-7]{16,}$/, "the virtual device's seed, as IAM hands it out");
  secrets.push(seed);
  await iam.send(
    new EnableMFADeviceCommand({
      UserName: userName,
      SerialNumber: device.SerialNumber!,
      AuthenticationCode1: "123456",
      AuthenticationCode2: "654321",
    }),
  );
  const hardwareSerial = emulator.state.addHardwareDevice(userName);
  const fidoSerial = emulator.state.addFidoDevice(userName);
  for (const group of SHARED_GROUPS) await iam.send(new AddUserToGroupCommand({ UserName: userName, GroupName: group }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: userName,
      PolicyName: "deploy",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "*" }] }),
    }),
  );
  for (const arn of SHARED_POLICIES) await iam.send(new AttachUserPolicyCommand({ UserName: userName, PolicyArn: arn }));
  for (const s of secrets) assert.ok(s && s.length >= 16, "every secret is a real value");
  return { userName, accessKeyIds, virtualMfaSerial: device.SerialNumber!, hardwareSerial, fidoSerial, secrets };
}

/** Creates the shared groups and customer policy, and a bystander user outside every stack that uses them too. */
export function seedBystander(emulator: Emulator, userName = "bystander"): void {
  emulator.seed({
    groups: SHARED_GROUPS,
    managedPolicies: ["team-boundary"],
    users: [
      {
        userName,
        loginProfile: true,
        accessKeys: 2,
        sshKeys: 1,
        signingCertificates: 1,
        serviceCredentials: ["codecommit.amazonaws.com"],
        virtualMfa: [`${userName}-phone`],
        hardwareMfa: ["GAHT99990001"],
        fidoMfa: 1,
        groups: SHARED_GROUPS,
        inlinePolicies: ["bystander-inline"],
        managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "team-boundary"],
      },
    ],
  });
}

/** Asserts that none of the secrets appears in the text. */
export function assertNoSecrets(text: string, secrets: readonly string[], where: string): void {
  for (const secret of [...secrets, ENGINE_CREDENTIALS.AWS_SECRET_ACCESS_KEY]) {
    assert.ok(!text.includes(secret), `${where} contains a secret value (${secret.slice(0, 4)}...)`);
  }
}

export interface UserTrace {
  userName: string;
  userId: string;
  accessKeyIds?: readonly string[];
  virtualMfaSerials?: readonly string[];
}

/**
 * Asserts the emulator holds no trace of the user: no user under that name or UserId, no access key of it, no virtual
 * MFA device it held (assigned or orphaned), no membership in any group, while every shared group and policy remains.
 */
export function assertNoTrace(emulator: Emulator, user: UserTrace): void {
  const state = emulator.state;
  assert.strictEqual(state.userExists(user.userName), false, `IAM user ${user.userName} still exists`);
  assert.strictEqual(state.getUserById(user.userId), undefined, `a user with ${user.userName}'s UserId ${user.userId} still exists`);
  for (const key of user.accessKeyIds ?? []) assert.strictEqual(state.userForAccessKey(key), undefined, `access key ${key} survives`);
  const devices = state.listVirtualMfaDevices().map((d) => d.serial);
  for (const serial of user.virtualMfaSerials ?? [])
    assert.ok(!devices.includes(serial), `virtual MFA device ${serial} is left in the account`);
  for (const group of SHARED_GROUPS) {
    const record = state.getGroup(group);
    assert.ok(record, `group ${group} itself must remain`);
    assert.ok(!record.members.toArray().some((m) => m.userId === user.userId), `${user.userName} is still a member of ${group}`);
  }
  for (const arn of SHARED_POLICIES) assert.ok(state.getPolicy(arn), `policy ${arn} itself must remain`);
}

/** Mutating IAM calls the emulator received since its log was last cleared. */
export function mutatingCalls(emulator: Emulator): string[] {
  return emulator.log.filter((e) => e.mutating).map((e) => `${e.action} ${e.userName ?? ""}`.trim());
}

/** The teardown's one summary line for a user, as the provider logs it. */
export function summaryLine(text: string, userName: string): string | undefined {
  return text.split("\n").find((l) => l.includes(`iam-user-teardown: IAM user ${userName} (`) && /; \d+ round\(s\), \d+ API calls/.test(l));
}

/**
 * Runs pulumi commands on a program in place (an example in the repository, or the root Pulumi.yaml), with the
 * workspace's backend and the stack config file kept in the workspace (`--config-file`), so nothing is written into
 * the repository. The workspace must be created with the program's project name; its stack `e2e` is used.
 */
export function inPlace(s: EmulatedStack, projectDir: string) {
  const flags = ["--stack", "e2e", "--config-file", `${s.ws.programDir}/Pulumi.e2e.yaml`];
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => s.ws.run([...args, ...flags], { cwd: projectDir, env });
  return {
    run,
    up: (extra: string[] = []) => run(["up", "--yes", "--skip-preview", "--non-interactive", ...extra]),
    preview: (extra: string[] = []) => run(["preview", "--diff", "--non-interactive", ...extra]),
    destroy: (extra: string[] = []) => run(["destroy", "--yes", "--skip-preview", "--non-interactive", ...extra]),
    /** `pulumi destroy --preview-only ...`; PULUMI_SKIP_CONFIRMATIONS=true counts as --yes, which --preview-only refuses. */
    destroyPreview: (extra: string[] = []) =>
      run(["destroy", "--preview-only", "--non-interactive", ...extra], { PULUMI_SKIP_CONFIRMATIONS: undefined }),
  };
}

/** The lines of a --diff display for the resource named `name` whose header carries `op`, e.g. "(refresh)". */
export function resourceBlock(text: string, name: string, op: string): string {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].includes(`${RESOURCE_TYPE}: ${op}`)) continue;
    if (!lines.slice(i + 1, i + 4).some((l) => l.trimEnd().endsWith(`::${name}]`))) continue;
    let end = i + 1;
    while (
      end < lines.length &&
      !/^\s*[-+~]*\s*(pulumi-nodejs:|pulumi:pulumi:Stack)\S*: \(/.test(lines[end]) &&
      !/^Resources:/.test(lines[end])
    )
      end++;
    return lines.slice(i, end).join("\n");
  }
  return "";
}
