/**
 * The floor of a one-user scenario, measured: the calls no teardown can avoid, in the chain no teardown that keeps
 * the identity guarantee can shorten, sent through a bare AWS SDK client and nothing else.
 *
 * The limit in limits.ts counts each round trip as the injected latency. A real round trip also costs what one call
 * costs the caller's SDK (serialising, signing, sending, parsing) and the server, and a wave of parallel calls costs
 * that once per call on the caller's one thread. No SDK-based teardown avoids that work, so the bench measures it on
 * the same machine, in the same run, with the same emulator: this reference makes exactly the scenario's unavoidable
 * calls (call-model.ts minimalCalls) in their four waves, with no paging, retries, limiter, classification listing or
 * re-check, which a teardown needs and this reference is not.
 *
 *   1. every list of the user at once (GetLoginProfile answers NoSuchEntity when there is none)
 *   2. GetUser (after the lists, so that it vouches for them)
 *   3. every removal at once, DeactivateMFADevice included
 *   4. DeleteUser, beside DeleteVirtualMFADevice of the virtual devices (known from the seed, not from a listing)
 */
import * as iam from "@aws-sdk/client-iam";
import { isNoSuchEntity } from "../provider/aws/errors";
import type { SeededUser } from "./implementations";

export async function floorChain(client: iam.IAMClient, user: SeededUser): Promise<void> {
  const UserName = user.spec.userName;
  const send = <O>(command: unknown) => client.send(command as never) as Promise<O>;
  const [login, keys, ssh, certificates, credentials, mfa, groups, inline, attached] = await Promise.all([
    send<iam.GetLoginProfileCommandOutput>(new iam.GetLoginProfileCommand({ UserName })).catch((err: unknown) =>
      isNoSuchEntity(err) ? undefined : Promise.reject(err),
    ),
    send<iam.ListAccessKeysCommandOutput>(new iam.ListAccessKeysCommand({ UserName })),
    send<iam.ListSSHPublicKeysCommandOutput>(new iam.ListSSHPublicKeysCommand({ UserName })),
    send<iam.ListSigningCertificatesCommandOutput>(new iam.ListSigningCertificatesCommand({ UserName })),
    send<iam.ListServiceSpecificCredentialsCommandOutput>(new iam.ListServiceSpecificCredentialsCommand({ UserName })),
    send<iam.ListMFADevicesCommandOutput>(new iam.ListMFADevicesCommand({ UserName })),
    send<iam.ListGroupsForUserCommandOutput>(new iam.ListGroupsForUserCommand({ UserName })),
    send<iam.ListUserPoliciesCommandOutput>(new iam.ListUserPoliciesCommand({ UserName })),
    send<iam.ListAttachedUserPoliciesCommandOutput>(new iam.ListAttachedUserPoliciesCommand({ UserName })),
  ]);
  await send(new iam.GetUserCommand({ UserName }));
  await Promise.all([
    ...(login ? [send(new iam.DeleteLoginProfileCommand({ UserName }))] : []),
    ...(keys.AccessKeyMetadata ?? []).map((k) => send(new iam.DeleteAccessKeyCommand({ UserName, AccessKeyId: k.AccessKeyId }))),
    ...(ssh.SSHPublicKeys ?? []).map((k) => send(new iam.DeleteSSHPublicKeyCommand({ UserName, SSHPublicKeyId: k.SSHPublicKeyId }))),
    ...(certificates.Certificates ?? []).map((c) =>
      send(new iam.DeleteSigningCertificateCommand({ UserName, CertificateId: c.CertificateId })),
    ),
    ...(credentials.ServiceSpecificCredentials ?? []).map((c) =>
      send(new iam.DeleteServiceSpecificCredentialCommand({ UserName, ServiceSpecificCredentialId: c.ServiceSpecificCredentialId })),
    ),
    ...(mfa.MFADevices ?? []).map((d) => send(new iam.DeactivateMFADeviceCommand({ UserName, SerialNumber: d.SerialNumber }))),
    ...(groups.Groups ?? []).map((g) => send(new iam.RemoveUserFromGroupCommand({ UserName, GroupName: g.GroupName }))),
    ...(inline.PolicyNames ?? []).map((PolicyName) => send(new iam.DeleteUserPolicyCommand({ UserName, PolicyName }))),
    ...(attached.AttachedPolicies ?? []).map((p) => send(new iam.DetachUserPolicyCommand({ UserName, PolicyArn: p.PolicyArn }))),
  ]);
  await Promise.all([
    send(new iam.DeleteUserCommand({ UserName })),
    ...user.virtualSerials.map((SerialNumber) => send(new iam.DeleteVirtualMFADeviceCommand({ SerialNumber }))),
  ]);
}
