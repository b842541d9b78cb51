/**
 * A model of the call sequence of AWS's Systems Manager runbook AWSConfigRemediation-DeleteIAMUser, document version 4
 * (see bench/README.md for the sources and what is and is not modelled).
 *
 * Every step is an aws:executeScript step running boto3, one step after another, one call after another:
 *
 *   1. GetUsername: the runbook takes an IAMUserId, and IAM has no lookup by UserId, so it walks ListUsers
 *      (boto3 paginator, IAM's default page of 100) until it finds the user.
 *   2. Gather the user's access keys, signing certificates, service-specific (Git) credentials, MFA devices and SSH
 *      public keys (ListServiceSpecificCredentials has no boto3 paginator: one call).
 *   3. Delete them in that order. MFA devices: every listed device is deactivated, then DeleteVirtualMFADevice is
 *      called on every one of them, whatever its kind. For a hardware TOTP token or a FIDO security key that call
 *      answers NoSuchEntity, the script raises, the step fails and the automation stops. The deactivation already
 *      removed those devices, so a second run no longer lists them and gets through.
 *   4. Gather group memberships, inline policies and attached managed policies.
 *   5. Remove the user from every group, delete every inline policy, detach every managed policy.
 *   6. DeleteLoginProfile without looking first (the runbook's permission list has no iam:GetLoginProfile);
 *      NoSuchEntity means there was none.
 *   7. DeleteUser, then GetUser to verify the user is gone (NoSuchEntity expected).
 *
 * No sleeps: the document's step list has no aws:sleep step and none is modelled between pages. SSM's own per-step
 * orchestration time (seconds per aws:executeScript step in practice) is not modelled either, so the runbook's
 * figures here are a lower bound on what it takes in a real account.
 */
import {
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSigningCertificateCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DeleteVirtualMFADeviceCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  type ListAccessKeysCommandOutput,
  ListAttachedUserPoliciesCommand,
  type ListAttachedUserPoliciesCommandOutput,
  ListGroupsForUserCommand,
  type ListGroupsForUserCommandOutput,
  ListMFADevicesCommand,
  type ListMFADevicesCommandOutput,
  ListServiceSpecificCredentialsCommand,
  type ListServiceSpecificCredentialsCommandOutput,
  ListSigningCertificatesCommand,
  type ListSigningCertificatesCommandOutput,
  ListSSHPublicKeysCommand,
  type ListSSHPublicKeysCommandOutput,
  ListUserPoliciesCommand,
  type ListUserPoliciesCommandOutput,
  ListUsersCommand,
  type ListUsersCommandOutput,
  RemoveUserFromGroupCommand,
  type User,
} from "@aws-sdk/client-iam";
import { actionOf, allPages, counting, describeError, errorCodeOf, type IamSender } from "./sender";

export interface RunbookRun {
  /** The automation succeeded: the user is deleted. */
  ok: boolean;
  /** Why the automation failed: `Action: ErrorCode: message`. */
  error?: string;
  /** The step that failed. */
  failedStep?: string;
  /** Calls this run made. */
  calls: number;
}

export interface RunbookOptions {
  /** The runbook's input is the IAMUserId; without it the GetUsername walk matches on the name (same calls). */
  userId?: string;
}

class StepFailed extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

/** One execution of the runbook. Never throws: a failed execution is `{ ok: false, error }`, as SSM reports it. */
export async function runbookDeleteUser(client: IamSender, userName: string, options: RunbookOptions = {}): Promise<RunbookRun> {
  const iam = counting(client);
  let step = "GetUsername";
  const call = async <O>(command: object): Promise<O> => {
    try {
      return (await iam.send(command)) as O;
    } catch (err) {
      throw Object.assign(err as object, { runbookAction: actionOf(command) });
    }
  };
  try {
    // 1. GetUsername
    const match = (u: User) => (options.userId ? u.UserId === options.userId : u.UserName === userName);
    const seen = await allPages(
      (Marker) => call<ListUsersCommandOutput>(new ListUsersCommand({ Marker })),
      (p) => p.Users,
      match,
    );
    const user = seen.find(match);
    if (!user) throw new StepFailed(step, `IAM user ${options.userId ?? userName} not found`);
    const name = user.UserName!;

    // 2. Gather keys, certificates, credentials, MFA devices, SSH keys
    step = "GetKeysCertificatesMFADevicesSSHKeys";
    const accessKeys = await allPages(
      (Marker) => call<ListAccessKeysCommandOutput>(new ListAccessKeysCommand({ UserName: name, Marker })),
      (p) => p.AccessKeyMetadata,
    );
    const certificates = await allPages(
      (Marker) => call<ListSigningCertificatesCommandOutput>(new ListSigningCertificatesCommand({ UserName: name, Marker })),
      (p) => p.Certificates,
    );
    const credentials =
      (await call<ListServiceSpecificCredentialsCommandOutput>(new ListServiceSpecificCredentialsCommand({ UserName: name })))
        .ServiceSpecificCredentials ?? [];
    const mfaDevices = await allPages(
      (Marker) => call<ListMFADevicesCommandOutput>(new ListMFADevicesCommand({ UserName: name, Marker })),
      (p) => p.MFADevices,
    );
    const sshKeys = await allPages(
      (Marker) => call<ListSSHPublicKeysCommandOutput>(new ListSSHPublicKeysCommand({ UserName: name, Marker })),
      (p) => p.SSHPublicKeys,
    );

    // 3. Delete them
    step = "DeleteKeysCertificatesMFADevicesSSHKeys";
    for (const k of accessKeys) await call(new DeleteAccessKeyCommand({ UserName: name, AccessKeyId: k.AccessKeyId }));
    for (const c of certificates) await call(new DeleteSigningCertificateCommand({ UserName: name, CertificateId: c.CertificateId }));
    for (const c of credentials)
      await call(
        new DeleteServiceSpecificCredentialCommand({ UserName: name, ServiceSpecificCredentialId: c.ServiceSpecificCredentialId }),
      );
    await runbookMfaStep(
      iam,
      name,
      mfaDevices.map((d) => d.SerialNumber!),
    );
    for (const k of sshKeys) await call(new DeleteSSHPublicKeyCommand({ UserName: name, SSHPublicKeyId: k.SSHPublicKeyId }));

    // 4. Gather groups and policies
    step = "GetGroupsAndPolicies";
    const groups = await allPages(
      (Marker) => call<ListGroupsForUserCommandOutput>(new ListGroupsForUserCommand({ UserName: name, Marker })),
      (p) => p.Groups,
    );
    const inline = await allPages(
      (Marker) => call<ListUserPoliciesCommandOutput>(new ListUserPoliciesCommand({ UserName: name, Marker })),
      (p) => p.PolicyNames,
    );
    const attached = await allPages(
      (Marker) => call<ListAttachedUserPoliciesCommandOutput>(new ListAttachedUserPoliciesCommand({ UserName: name, Marker })),
      (p) => p.AttachedPolicies,
    );

    // 5. Remove them
    step = "DeleteGroupsAndPolicies";
    for (const g of groups) await call(new RemoveUserFromGroupCommand({ UserName: name, GroupName: g.GroupName }));
    for (const p of inline) await call(new DeleteUserPolicyCommand({ UserName: name, PolicyName: p }));
    for (const p of attached) await call(new DetachUserPolicyCommand({ UserName: name, PolicyArn: p.PolicyArn }));

    // 6. The console password, blind
    step = "DeleteLoginProfile";
    try {
      await call(new DeleteLoginProfileCommand({ UserName: name }));
    } catch (err) {
      if (errorCodeOf(err) !== "NoSuchEntity" && errorCodeOf(err) !== "NoSuchEntityException") throw err;
    }

    // 7. Delete and verify
    step = "DeleteIAMUserAndVerify";
    await call(new DeleteUserCommand({ UserName: name }));
    try {
      await call(new GetUserCommand({ UserName: name }));
      throw new StepFailed(step, `IAM user ${name} still exists after DeleteUser`);
    } catch (err) {
      if (err instanceof StepFailed) throw err;
      if (errorCodeOf(err) !== "NoSuchEntity" && errorCodeOf(err) !== "NoSuchEntityException") throw err;
    }
    return { ok: true, calls: iam.calls };
  } catch (err) {
    if (err instanceof StepFailed) return { ok: false, error: err.message, failedStep: err.step, calls: iam.calls };
    const action = (err as { runbookAction?: string }).runbookAction ?? "unknown";
    return { ok: false, error: describeError(action, err), failedStep: step, calls: iam.calls };
  }
}

/**
 * The runbook's MFA step on its own: deactivate every listed device, then DeleteVirtualMFADevice on every one of them.
 * Throws on the first error, as the runbook's script does (NoSuchEntity for a hardware token or a FIDO key).
 */
export async function runbookMfaStep(client: IamSender, userName: string, serials: readonly string[]): Promise<void> {
  const tagged = async (command: object) => {
    try {
      await client.send(command);
    } catch (err) {
      throw Object.assign(err as object, { runbookAction: actionOf(command) });
    }
  };
  for (const serial of serials) await tagged(new DeactivateMFADeviceCommand({ UserName: userName, SerialNumber: serial }));
  for (const serial of serials) await tagged(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
}

/**
 * Runs the runbook until it succeeds, at most `maxRuns` executions (a person or AWS Config re-running it after a
 * failure). Returns every run.
 */
export async function runbookUntilDeleted(
  client: IamSender,
  userName: string,
  options: RunbookOptions & { maxRuns?: number } = {},
): Promise<RunbookRun[]> {
  const runs: RunbookRun[] = [];
  for (let i = 0; i < (options.maxRuns ?? 2); i++) {
    const run = await runbookDeleteUser(client, userName, options);
    runs.push(run);
    if (run.ok) break;
  }
  return runs;
}
