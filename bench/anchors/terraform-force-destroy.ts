/**
 * A model of the call sequence of Terraform's `aws_iam_user` delete with `force_destroy = true` (and so of Pulumi's
 * `aws.iam.User` with `forceDestroy`, which runs the same provider code), from hashicorp/terraform-provider-aws
 * internal/service/iam/user.go, resourceUserDelete (see bench/README.md).
 *
 * One step after another, one call after another; every list walks all pages with the SDK's default page size
 * (IAM's MaxItems default: 100):
 *
 *   deleteUserGroupMemberships  ListGroupsForUser, RemoveUserFromGroup per group (always, even without force_destroy)
 *   deleteUserPolicies          ListUserPolicies, DeleteUserPolicy per inline policy
 *   detachUserPolicies          ListAttachedUserPolicies, DetachUserPolicy per attached policy
 *   deleteUserAccessKeys        ListAccessKeys, DeleteAccessKey per key
 *   deleteUserSSHKeys           ListSSHPublicKeys, DeleteSSHPublicKey per key
 *   deleteUserVirtualMFADevices ListVirtualMFADevices(AssignmentStatus=Assigned): every page of the ACCOUNT's assigned
 *                               virtual devices, filtered on the user name; DeactivateMFADevice then
 *                               DeleteVirtualMFADevice per device of the user
 *   deactivateUserMFADevices    ListMFADevices, DeactivateMFADevice per remaining (hardware, FIDO) device
 *   deleteUserLoginProfile      DeleteLoginProfile without looking first; NoSuchEntity is fine;
 *                               EntityTemporarilyUnmodifiable retried for up to propagationTimeout (2 minutes)
 *   deleteUserSigningCertificates  ListSigningCertificates, DeleteSigningCertificate per certificate
 *   deleteServiceSpecificCredentials ListServiceSpecificCredentials (one call, no paging), Delete... per credential
 *   DeleteUser                  once; NoSuchEntity counts as deleted
 *
 * A NoSuchEntity from any step is ignored (the provider checks for it after each step), anything else fails the delete.
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
  ListVirtualMFADevicesCommand,
  type ListVirtualMFADevicesCommandOutput,
  RemoveUserFromGroupCommand,
} from "@aws-sdk/client-iam";
import { actionOf, allPages, counting, describeError, errorCodeOf, type IamSender } from "./sender";

export interface TerraformDelete {
  ok: boolean;
  error?: string;
  calls: number;
}

export interface TerraformOptions {
  /** force_destroy; without it only group memberships are removed before DeleteUser. Default true. */
  forceDestroy?: boolean;
  /** How long DeleteLoginProfile is retried on EntityTemporarilyUnmodifiable (the provider's propagationTimeout). */
  propagationTimeoutMs?: number;
}

const isNoSuchEntity = (err: unknown) => ["NoSuchEntity", "NoSuchEntityException"].includes(errorCodeOf(err));

/** One `terraform destroy` (or `pulumi destroy`) of the user resource. Never throws. */
export async function terraformForceDestroyUser(
  client: IamSender,
  userName: string,
  options: TerraformOptions = {},
): Promise<TerraformDelete> {
  const iam = counting(client);
  const call = async <O>(command: object): Promise<O> => {
    try {
      return (await iam.send(command)) as O;
    } catch (err) {
      throw Object.assign(err as object, { tfAction: actionOf(command) });
    }
  };
  const u = userName;
  const steps: Array<() => Promise<void>> = [
    async function deleteUserGroupMemberships() {
      const groups = await allPages(
        (Marker) => call<ListGroupsForUserCommandOutput>(new ListGroupsForUserCommand({ UserName: u, Marker })),
        (p) => p.Groups,
      );
      for (const g of groups) await call(new RemoveUserFromGroupCommand({ UserName: u, GroupName: g.GroupName }));
    },
  ];
  if (options.forceDestroy !== false) {
    steps.push(
      async function deleteUserPolicies() {
        const names = await allPages(
          (Marker) => call<ListUserPoliciesCommandOutput>(new ListUserPoliciesCommand({ UserName: u, Marker })),
          (p) => p.PolicyNames,
        );
        for (const n of names) await call(new DeleteUserPolicyCommand({ UserName: u, PolicyName: n }));
      },
      async function detachUserPolicies() {
        const attached = await allPages(
          (Marker) => call<ListAttachedUserPoliciesCommandOutput>(new ListAttachedUserPoliciesCommand({ UserName: u, Marker })),
          (p) => p.AttachedPolicies,
        );
        for (const p of attached) await call(new DetachUserPolicyCommand({ UserName: u, PolicyArn: p.PolicyArn }));
      },
      async function deleteUserAccessKeys() {
        const keys = await allPages(
          (Marker) => call<ListAccessKeysCommandOutput>(new ListAccessKeysCommand({ UserName: u, Marker })),
          (p) => p.AccessKeyMetadata,
        );
        for (const k of keys) await call(new DeleteAccessKeyCommand({ UserName: u, AccessKeyId: k.AccessKeyId }));
      },
      async function deleteUserSSHKeys() {
        const keys = await allPages(
          (Marker) => call<ListSSHPublicKeysCommandOutput>(new ListSSHPublicKeysCommand({ UserName: u, Marker })),
          (p) => p.SSHPublicKeys,
        );
        for (const k of keys) await call(new DeleteSSHPublicKeyCommand({ UserName: u, SSHPublicKeyId: k.SSHPublicKeyId }));
      },
      async function deleteUserVirtualMFADevices() {
        const assigned = await allPages(
          (Marker) => call<ListVirtualMFADevicesCommandOutput>(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Assigned", Marker })),
          (p) => p.VirtualMFADevices,
        );
        const mine = assigned.filter((d) => d.User?.UserName === u).map((d) => d.SerialNumber!);
        for (const serial of mine) {
          await call(new DeactivateMFADeviceCommand({ UserName: u, SerialNumber: serial }));
          await call(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
        }
      },
      async function deactivateUserMFADevices() {
        const devices = await allPages(
          (Marker) => call<ListMFADevicesCommandOutput>(new ListMFADevicesCommand({ UserName: u, Marker })),
          (p) => p.MFADevices,
        );
        for (const d of devices) await call(new DeactivateMFADeviceCommand({ UserName: u, SerialNumber: d.SerialNumber }));
      },
      async function deleteUserLoginProfile() {
        const deadline = Date.now() + (options.propagationTimeoutMs ?? 120_000);
        for (let attempt = 0; ; attempt++) {
          try {
            await call(new DeleteLoginProfileCommand({ UserName: u }));
            return;
          } catch (err) {
            if (isNoSuchEntity(err)) return;
            if (errorCodeOf(err) !== "EntityTemporarilyUnmodifiable" || Date.now() > deadline) throw err;
            // terraform-plugin-sdk's retry.RetryContext: waits growing from 100 ms up to 10 s between tries.
            await new Promise((r) => setTimeout(r, Math.min(10_000, 100 * 2 ** attempt)));
          }
        }
      },
      async function deleteUserSigningCertificates() {
        const certs = await allPages(
          (Marker) => call<ListSigningCertificatesCommandOutput>(new ListSigningCertificatesCommand({ UserName: u, Marker })),
          (p) => p.Certificates,
        );
        for (const c of certs) await call(new DeleteSigningCertificateCommand({ UserName: u, CertificateId: c.CertificateId }));
      },
      async function deleteServiceSpecificCredentials() {
        const out = await call<ListServiceSpecificCredentialsCommandOutput>(new ListServiceSpecificCredentialsCommand({ UserName: u }));
        for (const c of out.ServiceSpecificCredentials ?? []) {
          await call(
            new DeleteServiceSpecificCredentialCommand({ UserName: u, ServiceSpecificCredentialId: c.ServiceSpecificCredentialId }),
          );
        }
      },
    );
  }
  try {
    for (const step of steps) {
      try {
        await step();
      } catch (err) {
        if (!isNoSuchEntity(err)) throw err;
      }
    }
    try {
      await call(new DeleteUserCommand({ UserName: u }));
    } catch (err) {
      if (!isNoSuchEntity(err)) throw err;
    }
    return { ok: true, calls: iam.calls };
  } catch (err) {
    return { ok: false, error: describeError((err as { tfAction?: string }).tfAction ?? "unknown", err), calls: iam.calls };
  }
}
