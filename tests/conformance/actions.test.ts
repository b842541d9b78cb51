// The same scenarios, through the real SDK, against moto and the emulator, for every action
// moto implements (and, marked, the ones it does not). See ./differences.ts.

import * as I from "@aws-sdk/client-iam";
import { CERT, POLICY_DOC, SSH_KEY } from "../emulator/support";
import { reportDifferences, runScenario, type Step, useConformance } from "./harness";

const CODE = { AuthenticationCode1: "123456", AuthenticationCode2: "654321" };
const USER_FIELDS = ["User.Path", "User.UserName", "User.UserId", "User.Arn", "User.CreateDate"];
const err = (error: string, status: number) => ({ error, status });
const out = <T>(o: Record<string, unknown>) => o as T;

describe("conformance (moto vs emulator): actions", function () {
  this.timeout(60_000);
  const servers = useConformance();
  reportDifferences();

  it("users: create, read, list, rename, tag, validate", async () => {
    const steps: Step[] = [
      {
        label: "CreateUser",
        call: () => new I.CreateUserCommand({ UserName: "alice", Path: "/team/", Tags: [{ Key: "k", Value: "v" }] }),
        expect: {
          fields: [...USER_FIELDS, "User.Tags[].Key", "User.Tags[].Value"],
          check: (o, t) => {
            const u = out<I.CreateUserResponse>(o).User!;
            return u.Arn === `arn:aws:iam::${t.accountId}:user/team/alice` ? undefined : `Arn ${u.Arn}`;
          },
        },
        save: (o, t) => (t.vars.aliceId = out<I.CreateUserResponse>(o).User!.UserId!),
      },
      {
        label: "CreateUser duplicate",
        call: () => new I.CreateUserCommand({ UserName: "alice" }),
        expect: err("EntityAlreadyExists", 409),
      },
      {
        label: "GetUser",
        call: () => new I.GetUserCommand({ UserName: "alice" }),
        expect: {
          fields: [...USER_FIELDS, "User.Tags[].Key"],
          check: (o, t) => (out<I.GetUserResponse>(o).User!.UserId === t.vars.aliceId ? undefined : "UserId changed"),
        },
      },
      { label: "GetUser unknown", call: () => new I.GetUserCommand({ UserName: "nobody" }), expect: err("NoSuchEntity", 404) },
      { label: "CreateUser bob", call: () => new I.CreateUserCommand({ UserName: "bob" }), expect: { fields: USER_FIELDS } },
      {
        label: "ListUsers",
        call: () => new I.ListUsersCommand({}),
        expect: {
          fields: ["Users[].UserName", "Users[].UserId", "Users[].Arn", "Users[].Path", "Users[].CreateDate", "IsTruncated"],
          check: (o) => {
            const names = out<I.ListUsersResponse>(o)
              .Users!.map((u) => u.UserName)
              .sort()
              .join(",");
            return names === "alice,bob" ? undefined : `users ${names}`;
          },
        },
      },
      {
        label: "ListUsers PathPrefix",
        call: () => new I.ListUsersCommand({ PathPrefix: "/team/" }),
        expect: { check: (o) => (out<I.ListUsersResponse>(o).Users!.length === 1 ? undefined : "PathPrefix ignored") },
      },
      { label: "UpdateUser rename", call: () => new I.UpdateUserCommand({ UserName: "bob", NewUserName: "robert" }), expect: {} },
      { label: "GetUser old name", call: () => new I.GetUserCommand({ UserName: "bob" }), expect: err("NoSuchEntity", 404) },
      { label: "GetUser new name", call: () => new I.GetUserCommand({ UserName: "robert" }), expect: { fields: USER_FIELDS } },
      { label: "TagUser", call: () => new I.TagUserCommand({ UserName: "robert", Tags: [{ Key: "a", Value: "1" }] }), expect: {} },
      {
        label: "ListUserTags",
        call: () => new I.ListUserTagsCommand({ UserName: "robert" }),
        expect: { fields: ["Tags[].Key", "Tags[].Value", "IsTruncated"] },
      },
      { label: "UntagUser", call: () => new I.UntagUserCommand({ UserName: "robert", TagKeys: ["a"] }), expect: {} },
      {
        label: "ListUserTags after untag",
        call: () => new I.ListUserTagsCommand({ UserName: "robert" }),
        expect: {
          fields: ["Tags", "IsTruncated"],
          check: (o) => (out<I.ListUserTagsResponse>(o).Tags!.length === 0 ? undefined : "tag left"),
        },
      },
      {
        label: "TagUser unknown user",
        call: () => new I.TagUserCommand({ UserName: "nobody", Tags: [{ Key: "a", Value: "1" }] }),
        expect: err("NoSuchEntity", 404),
      },
      { label: "DeleteUser unknown", call: () => new I.DeleteUserCommand({ UserName: "nobody" }), expect: err("NoSuchEntity", 404) },
      // Known differences last, so moto's divergent state cannot disturb the steps above.
      {
        label: "UserId format",
        call: () => new I.GetUserCommand({ UserName: "alice" }),
        expect: {
          check: (o) =>
            /^AIDA[A-Z0-9]{17}$/.test(out<I.GetUserResponse>(o).User!.UserId!)
              ? undefined
              : `UserId ${out<I.GetUserResponse>(o).User!.UserId}`,
        },
        differs: "user-id-format",
      },
      {
        label: "CreateUser duplicate in another case",
        call: () => new I.CreateUserCommand({ UserName: "ALICE" }),
        expect: err("EntityAlreadyExists", 409),
        differs: "case-insensitive-names",
      },
      {
        label: "CreateUser invalid name",
        call: () => new I.CreateUserCommand({ UserName: "has space" }),
        expect: err("ValidationError", 400),
        differs: "name-validation",
      },
      {
        label: "CreateUser 65-character name",
        call: () => new I.CreateUserCommand({ UserName: "x".repeat(65) }),
        expect: err("ValidationError", 400),
        differs: "name-validation",
      },
      {
        label: "UpdateUser onto an existing name",
        call: () => new I.UpdateUserCommand({ UserName: "robert", NewUserName: "alice" }),
        expect: err("EntityAlreadyExists", 409),
        differs: "rename-onto-existing",
      },
      {
        label: "ListUsers MaxItems 0",
        call: () => new I.ListUsersCommand({ MaxItems: 0 }),
        expect: err("ValidationError", 400),
        differs: "maxitems-validation",
      },
      {
        label: "ListUsers unknown Marker",
        call: () => new I.ListUsersCommand({ Marker: "not-issued" }),
        expect: err("ValidationError", 400),
        differs: "maxitems-validation",
      },
      {
        label: "GetUser without UserName (non-user caller)",
        call: () => new I.GetUserCommand({}),
        expect: err("ValidationError", 400),
        differs: "caller-defaults",
      },
      {
        label: "PutUserPermissionsBoundary",
        call: () =>
          new I.PutUserPermissionsBoundaryCommand({ UserName: "alice", PermissionsBoundary: "arn:aws:iam::aws:policy/ReadOnlyAccess" }),
        expect: {},
        differs: "not-implemented",
      },
      {
        label: "DeleteUserPermissionsBoundary",
        call: () => new I.DeleteUserPermissionsBoundaryCommand({ UserName: "alice" }),
        expect: {},
        differs: "not-implemented",
      },
    ];
    await runScenario(servers, steps);
  });

  it("groups, managed policies and inline policies", async () => {
    const steps: Step[] = [
      { label: "CreateUser", call: () => new I.CreateUserCommand({ UserName: "gus" }), expect: { fields: USER_FIELDS } },
      {
        label: "CreateGroup",
        call: () => new I.CreateGroupCommand({ GroupName: "devs" }),
        expect: { fields: ["Group.GroupName", "Group.GroupId", "Group.Arn", "Group.Path", "Group.CreateDate"] },
      },
      {
        label: "CreateGroup duplicate",
        call: () => new I.CreateGroupCommand({ GroupName: "devs" }),
        expect: err("EntityAlreadyExists", 409),
      },
      { label: "AddUserToGroup", call: () => new I.AddUserToGroupCommand({ GroupName: "devs", UserName: "gus" }), expect: {} },
      {
        label: "AddUserToGroup unknown group",
        call: () => new I.AddUserToGroupCommand({ GroupName: "nope", UserName: "gus" }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "AddUserToGroup unknown user",
        call: () => new I.AddUserToGroupCommand({ GroupName: "devs", UserName: "nobody" }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "GetGroup",
        call: () => new I.GetGroupCommand({ GroupName: "devs" }),
        expect: { fields: ["Group.GroupName", "Users[].UserName", "Users[].UserId"] },
      },
      {
        label: "GetGroup IsTruncated",
        call: () => new I.GetGroupCommand({ GroupName: "devs" }),
        expect: { fields: ["IsTruncated"] },
        differs: "missing-istruncated",
      },
      { label: "ListGroups", call: () => new I.ListGroupsCommand({}), expect: { fields: ["Groups[].GroupName", "Groups[].Arn"] } },
      {
        label: "ListGroupsForUser",
        call: () => new I.ListGroupsForUserCommand({ UserName: "gus" }),
        expect: { fields: ["Groups[].GroupName", "IsTruncated"] },
      },
      { label: "RemoveUserFromGroup", call: () => new I.RemoveUserFromGroupCommand({ GroupName: "devs", UserName: "gus" }), expect: {} },
      {
        label: "RemoveUserFromGroup not a member",
        call: () => new I.RemoveUserFromGroupCommand({ GroupName: "devs", UserName: "gus" }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "CreatePolicy",
        call: () => new I.CreatePolicyCommand({ PolicyName: "deploy", PolicyDocument: POLICY_DOC }),
        expect: {
          fields: [
            "Policy.PolicyName",
            "Policy.PolicyId",
            "Policy.Arn",
            "Policy.Path",
            "Policy.DefaultVersionId",
            "Policy.AttachmentCount",
            "Policy.IsAttachable",
            "Policy.CreateDate",
            "Policy.UpdateDate",
          ],
        },
      },
      {
        label: "CreatePolicy duplicate",
        call: () => new I.CreatePolicyCommand({ PolicyName: "deploy", PolicyDocument: POLICY_DOC }),
        expect: err("EntityAlreadyExists", 409),
      },
      {
        label: "CreatePolicy malformed",
        call: () => new I.CreatePolicyCommand({ PolicyName: "broken", PolicyDocument: "{not json" }),
        expect: err("MalformedPolicyDocument", 400),
      },
      {
        label: "GetPolicy customer",
        call: (t) => new I.GetPolicyCommand({ PolicyArn: `arn:aws:iam::${t.accountId}:policy/deploy` }),
        expect: { fields: ["Policy.Arn", "Policy.AttachmentCount"] },
      },
      {
        label: "GetPolicy AWS managed",
        call: () => new I.GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }),
        expect: { fields: ["Policy.PolicyName", "Policy.Arn"] },
      },
      {
        label: "GetPolicy unknown",
        call: (t) => new I.GetPolicyCommand({ PolicyArn: `arn:aws:iam::${t.accountId}:policy/nope` }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "ListPolicies Local",
        call: () => new I.ListPoliciesCommand({ Scope: "Local" }),
        expect: {
          fields: ["Policies[].PolicyName", "IsTruncated"],
          check: (o) => (out<I.ListPoliciesResponse>(o).Policies!.length === 1 ? undefined : "Scope ignored"),
        },
      },
      {
        label: "AttachUserPolicy customer",
        call: (t) => new I.AttachUserPolicyCommand({ UserName: "gus", PolicyArn: `arn:aws:iam::${t.accountId}:policy/deploy` }),
        expect: {},
      },
      {
        label: "AttachUserPolicy AWS managed",
        call: () => new I.AttachUserPolicyCommand({ UserName: "gus", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }),
        expect: {},
      },
      {
        label: "AttachUserPolicy unknown",
        call: (t) => new I.AttachUserPolicyCommand({ UserName: "gus", PolicyArn: `arn:aws:iam::${t.accountId}:policy/nope` }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "GetPolicy AttachmentCount",
        call: (t) => new I.GetPolicyCommand({ PolicyArn: `arn:aws:iam::${t.accountId}:policy/deploy` }),
        expect: {
          check: (o) =>
            out<I.GetPolicyResponse>(o).Policy!.AttachmentCount === 1
              ? undefined
              : `AttachmentCount ${out<I.GetPolicyResponse>(o).Policy!.AttachmentCount}`,
        },
      },
      {
        label: "ListAttachedUserPolicies",
        call: () => new I.ListAttachedUserPoliciesCommand({ UserName: "gus" }),
        expect: { fields: ["AttachedPolicies[].PolicyName", "AttachedPolicies[].PolicyArn", "IsTruncated"] },
      },
      {
        label: "DetachUserPolicy",
        call: () => new I.DetachUserPolicyCommand({ UserName: "gus", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }),
        expect: {},
      },
      {
        label: "DetachUserPolicy not attached",
        call: () => new I.DetachUserPolicyCommand({ UserName: "gus", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "PutUserPolicy",
        call: () => new I.PutUserPolicyCommand({ UserName: "gus", PolicyName: "inline", PolicyDocument: POLICY_DOC }),
        expect: {},
      },
      {
        label: "PutUserPolicy malformed",
        call: () => new I.PutUserPolicyCommand({ UserName: "gus", PolicyName: "bad", PolicyDocument: "{x" }),
        expect: err("MalformedPolicyDocument", 400),
      },
      {
        label: "GetUserPolicy",
        call: () => new I.GetUserPolicyCommand({ UserName: "gus", PolicyName: "inline" }),
        expect: {
          fields: ["UserName", "PolicyName", "PolicyDocument"],
          check: (o) => {
            const doc = out<I.GetUserPolicyResponse>(o).PolicyDocument!;
            return JSON.stringify(JSON.parse(decodeURIComponent(doc))) === POLICY_DOC ? undefined : `document ${doc}`;
          },
        },
      },
      {
        label: "GetUserPolicy unknown",
        call: () => new I.GetUserPolicyCommand({ UserName: "gus", PolicyName: "nope" }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "ListUserPolicies",
        call: () => new I.ListUserPoliciesCommand({ UserName: "gus" }),
        expect: {
          fields: ["PolicyNames", "IsTruncated"],
          check: (o) => (out<I.ListUserPoliciesResponse>(o).PolicyNames!.join() === "inline" ? undefined : "names"),
        },
      },
      { label: "DeleteUserPolicy", call: () => new I.DeleteUserPolicyCommand({ UserName: "gus", PolicyName: "inline" }), expect: {} },
      {
        label: "DeleteUserPolicy unknown",
        call: () => new I.DeleteUserPolicyCommand({ UserName: "gus", PolicyName: "inline" }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "ListGroups IsTruncated",
        call: () => new I.ListGroupsCommand({}),
        expect: { fields: ["IsTruncated"] },
        differs: "missing-istruncated",
      },
    ];
    await runScenario(servers, steps);
  });

  it("access keys, login profile, SSH keys, signing certificates", async () => {
    const steps: Step[] = [
      { label: "CreateUser", call: () => new I.CreateUserCommand({ UserName: "kim" }), expect: { fields: USER_FIELDS } },
      {
        label: "CreateAccessKey",
        call: () => new I.CreateAccessKeyCommand({ UserName: "kim" }),
        expect: {
          fields: ["AccessKey.UserName", "AccessKey.AccessKeyId", "AccessKey.Status", "AccessKey.SecretAccessKey", "AccessKey.CreateDate"],
        },
        save: (o, t) => (t.vars.key1 = out<I.CreateAccessKeyResponse>(o).AccessKey!.AccessKeyId!),
      },
      {
        label: "CreateAccessKey second",
        call: () => new I.CreateAccessKeyCommand({ UserName: "kim" }),
        expect: { fields: ["AccessKey.AccessKeyId"] },
      },
      { label: "CreateAccessKey third", call: () => new I.CreateAccessKeyCommand({ UserName: "kim" }), expect: err("LimitExceeded", 409) },
      {
        label: "CreateAccessKey unknown user",
        call: () => new I.CreateAccessKeyCommand({ UserName: "nobody" }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "ListAccessKeys",
        call: () => new I.ListAccessKeysCommand({ UserName: "kim" }),
        expect: {
          fields: [
            "AccessKeyMetadata[].UserName",
            "AccessKeyMetadata[].AccessKeyId",
            "AccessKeyMetadata[].Status",
            "AccessKeyMetadata[].CreateDate",
          ],
          absent: ["AccessKeyMetadata[].SecretAccessKey"],
        },
      },
      {
        label: "ListAccessKeys IsTruncated",
        call: () => new I.ListAccessKeysCommand({ UserName: "kim" }),
        expect: { fields: ["IsTruncated"] },
        differs: "missing-istruncated",
      },
      {
        label: "UpdateAccessKey",
        call: (t) => new I.UpdateAccessKeyCommand({ UserName: "kim", AccessKeyId: t.vars.key1, Status: "Inactive" }),
        expect: {},
      },
      { label: "DeleteAccessKey", call: (t) => new I.DeleteAccessKeyCommand({ UserName: "kim", AccessKeyId: t.vars.key1 }), expect: {} },
      {
        label: "DeleteAccessKey again",
        call: (t) => new I.DeleteAccessKeyCommand({ UserName: "kim", AccessKeyId: t.vars.key1 }),
        expect: err("NoSuchEntity", 404),
      },
      { label: "GetLoginProfile none", call: () => new I.GetLoginProfileCommand({ UserName: "kim" }), expect: err("NoSuchEntity", 404) },
      {
        label: "CreateLoginProfile",
        call: () => new I.CreateLoginProfileCommand({ UserName: "kim", Password: "Pass-word-123!" }),
        expect: { fields: ["LoginProfile.UserName", "LoginProfile.CreateDate"] },
      },
      {
        label: "CreateLoginProfile again",
        call: () => new I.CreateLoginProfileCommand({ UserName: "kim", Password: "Pass-word-123!" }),
        expect: err("EntityAlreadyExists", 409),
      },
      {
        label: "GetLoginProfile",
        call: () => new I.GetLoginProfileCommand({ UserName: "kim" }),
        expect: { fields: ["LoginProfile.UserName", "LoginProfile.CreateDate"] },
      },
      {
        label: "UpdateLoginProfile",
        call: () => new I.UpdateLoginProfileCommand({ UserName: "kim", Password: "Other-pass-456!", PasswordResetRequired: true }),
        expect: {},
      },
      { label: "DeleteLoginProfile", call: () => new I.DeleteLoginProfileCommand({ UserName: "kim" }), expect: {} },
      {
        label: "DeleteLoginProfile again",
        call: () => new I.DeleteLoginProfileCommand({ UserName: "kim" }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "UploadSSHPublicKey",
        call: () => new I.UploadSSHPublicKeyCommand({ UserName: "kim", SSHPublicKeyBody: SSH_KEY(1) }),
        expect: {
          fields: [
            "SSHPublicKey.UserName",
            "SSHPublicKey.SSHPublicKeyId",
            "SSHPublicKey.Fingerprint",
            "SSHPublicKey.SSHPublicKeyBody",
            "SSHPublicKey.Status",
            "SSHPublicKey.UploadDate",
          ],
        },
        save: (o, t) => (t.vars.ssh = out<I.UploadSSHPublicKeyResponse>(o).SSHPublicKey!.SSHPublicKeyId!),
      },
      {
        label: "ListSSHPublicKeys",
        call: () => new I.ListSSHPublicKeysCommand({ UserName: "kim" }),
        expect: {
          fields: ["SSHPublicKeys[].SSHPublicKeyId", "SSHPublicKeys[].Status", "SSHPublicKeys[].UploadDate", "SSHPublicKeys[].UserName"],
        },
      },
      {
        label: "GetSSHPublicKey",
        call: (t) => new I.GetSSHPublicKeyCommand({ UserName: "kim", SSHPublicKeyId: t.vars.ssh, Encoding: "SSH" }),
        expect: { fields: ["SSHPublicKey.SSHPublicKeyBody"] },
      },
      {
        label: "DeleteSSHPublicKey",
        call: (t) => new I.DeleteSSHPublicKeyCommand({ UserName: "kim", SSHPublicKeyId: t.vars.ssh }),
        expect: {},
      },
      {
        label: "DeleteSSHPublicKey again",
        call: (t) => new I.DeleteSSHPublicKeyCommand({ UserName: "kim", SSHPublicKeyId: t.vars.ssh }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "UploadSigningCertificate",
        call: () => new I.UploadSigningCertificateCommand({ UserName: "kim", CertificateBody: CERT(1) }),
        expect: {
          fields: [
            "Certificate.UserName",
            "Certificate.CertificateId",
            "Certificate.CertificateBody",
            "Certificate.Status",
            "Certificate.UploadDate",
          ],
        },
        save: (o, t) => (t.vars.cert = out<I.UploadSigningCertificateResponse>(o).Certificate!.CertificateId!),
      },
      {
        label: "UploadSigningCertificate malformed",
        call: () =>
          new I.UploadSigningCertificateCommand({
            UserName: "kim",
            CertificateBody: "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----",
          }),
        expect: err("MalformedCertificate", 400),
      },
      {
        label: "ListSigningCertificates",
        call: () => new I.ListSigningCertificatesCommand({ UserName: "kim" }),
        expect: { fields: ["Certificates[].CertificateId", "Certificates[].Status", "Certificates[].UserName"] },
      },
      {
        label: "DeleteSigningCertificate",
        call: (t) => new I.DeleteSigningCertificateCommand({ UserName: "kim", CertificateId: t.vars.cert }),
        expect: {},
      },
      {
        label: "DeleteSigningCertificate again",
        call: (t) => new I.DeleteSigningCertificateCommand({ UserName: "kim", CertificateId: t.vars.cert }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "CreateLoginProfile for the last steps",
        call: () => new I.CreateLoginProfileCommand({ UserName: "kim", Password: "Pass-word-123!" }),
        expect: { fields: ["LoginProfile.UserName"] },
      },
      {
        label: "UpdateLoginProfile without a password",
        call: () => new I.UpdateLoginProfileCommand({ UserName: "kim", PasswordResetRequired: false }),
        expect: {},
      },
      {
        label: "GetLoginProfile after an update without a password",
        call: () => new I.GetLoginProfileCommand({ UserName: "kim" }),
        expect: { fields: ["LoginProfile.UserName"] },
        differs: "update-login-profile-without-password",
      },
      {
        label: "UploadSSHPublicKey not a key",
        call: () => new I.UploadSSHPublicKeyCommand({ UserName: "kim", SSHPublicKeyBody: "not a key" }),
        expect: err("InvalidPublicKey", 400),
        differs: "ssh-key-unchecked",
      },
      {
        label: "ListSSHPublicKeys IsTruncated",
        call: () => new I.ListSSHPublicKeysCommand({ UserName: "kim" }),
        expect: { fields: ["IsTruncated"] },
        differs: "missing-istruncated",
      },
      {
        label: "CreateServiceSpecificCredential",
        call: () => new I.CreateServiceSpecificCredentialCommand({ UserName: "kim", ServiceName: "codecommit.amazonaws.com" }),
        expect: { fields: ["ServiceSpecificCredential.ServiceSpecificCredentialId", "ServiceSpecificCredential.ServicePassword"] },
        differs: "not-implemented",
      },
      {
        label: "ListServiceSpecificCredentials",
        call: () => new I.ListServiceSpecificCredentialsCommand({ UserName: "kim" }),
        expect: { fields: ["ServiceSpecificCredentials[].ServiceSpecificCredentialId", "IsTruncated"] },
        differs: "not-implemented",
      },
    ];
    await runScenario(servers, steps);
  });

  it("virtual MFA devices: create, enable, list, deactivate, delete", async () => {
    const serial = (t: { accountId: string }) => `arn:aws:iam::${t.accountId}:mfa/phone`;
    const steps: Step[] = [
      { label: "CreateUser", call: () => new I.CreateUserCommand({ UserName: "mia" }), expect: { fields: USER_FIELDS } },
      { label: "CreateUser other", call: () => new I.CreateUserCommand({ UserName: "ned" }), expect: { fields: USER_FIELDS } },
      {
        label: "CreateVirtualMFADevice",
        call: () => new I.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "phone" }),
        expect: {
          fields: ["VirtualMFADevice.SerialNumber", "VirtualMFADevice.Base32StringSeed", "VirtualMFADevice.QRCodePNG"],
          check: (o, t) => (out<I.CreateVirtualMFADeviceResponse>(o).VirtualMFADevice!.SerialNumber === serial(t) ? undefined : "serial"),
        },
      },
      {
        label: "CreateVirtualMFADevice with path",
        call: () => new I.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "phone", Path: "/ops/" }),
        expect: {
          check: (o, t) =>
            out<I.CreateVirtualMFADeviceResponse>(o).VirtualMFADevice!.SerialNumber === `arn:aws:iam::${t.accountId}:mfa/ops/phone`
              ? undefined
              : "serial with path",
        },
      },
      {
        label: "CreateVirtualMFADevice duplicate",
        call: () => new I.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "phone" }),
        expect: err("EntityAlreadyExists", 409),
      },
      {
        label: "EnableMFADevice",
        call: (t) => new I.EnableMFADeviceCommand({ UserName: "mia", SerialNumber: serial(t), ...CODE }),
        expect: {},
      },
      {
        label: "ListMFADevices",
        call: () => new I.ListMFADevicesCommand({ UserName: "mia" }),
        expect: { fields: ["MFADevices[].UserName", "MFADevices[].SerialNumber", "MFADevices[].EnableDate", "IsTruncated"] },
      },
      {
        label: "ListVirtualMFADevices Assigned",
        call: () => new I.ListVirtualMFADevicesCommand({ AssignmentStatus: "Assigned" }),
        expect: {
          fields: [
            "VirtualMFADevices[].SerialNumber",
            "VirtualMFADevices[].EnableDate",
            "VirtualMFADevices[].User.UserName",
            "VirtualMFADevices[].User.UserId",
            "VirtualMFADevices[].User.Arn",
            "VirtualMFADevices[].User.Path",
            "VirtualMFADevices[].User.CreateDate",
            "IsTruncated",
          ],
          check: (o) => (out<I.ListVirtualMFADevicesResponse>(o).VirtualMFADevices!.length === 1 ? undefined : "assigned count"),
        },
      },
      {
        label: "ListVirtualMFADevices Unassigned",
        call: () => new I.ListVirtualMFADevicesCommand({ AssignmentStatus: "Unassigned" }),
        expect: {
          absent: ["VirtualMFADevices[].User"],
          check: (o, t) =>
            out<I.ListVirtualMFADevicesResponse>(o)
              .VirtualMFADevices!.map((d) => d.SerialNumber)
              .join() === `arn:aws:iam::${t.accountId}:mfa/ops/phone`
              ? undefined
              : "unassigned",
        },
      },
      {
        label: "ListVirtualMFADevices Any",
        call: () => new I.ListVirtualMFADevicesCommand({}),
        expect: { check: (o) => (out<I.ListVirtualMFADevicesResponse>(o).VirtualMFADevices!.length === 2 ? undefined : "default is Any") },
      },
      {
        label: "DeactivateMFADevice",
        call: (t) => new I.DeactivateMFADeviceCommand({ UserName: "mia", SerialNumber: serial(t) }),
        expect: {},
      },
      {
        label: "DeactivateMFADevice again",
        call: (t) => new I.DeactivateMFADeviceCommand({ UserName: "mia", SerialNumber: serial(t) }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "ListVirtualMFADevices Unassigned after deactivation",
        call: () => new I.ListVirtualMFADevicesCommand({ AssignmentStatus: "Unassigned" }),
        expect: {
          check: (o) =>
            out<I.ListVirtualMFADevicesResponse>(o).VirtualMFADevices!.length === 2
              ? undefined
              : "a deactivated virtual device stays, unassigned",
        },
      },
      { label: "DeleteVirtualMFADevice", call: (t) => new I.DeleteVirtualMFADeviceCommand({ SerialNumber: serial(t) }), expect: {} },
      {
        label: "DeleteVirtualMFADevice again",
        call: (t) => new I.DeleteVirtualMFADeviceCommand({ SerialNumber: serial(t) }),
        expect: err("NoSuchEntity", 404),
      },
      {
        label: "DeleteVirtualMFADevice hardware serial",
        call: () => new I.DeleteVirtualMFADeviceCommand({ SerialNumber: "GAHT12345678" }),
        expect: err("NoSuchEntity", 404),
      },
      // Known differences.
      {
        label: "EnableMFADevice (ops device) for ned",
        call: (t) => new I.EnableMFADeviceCommand({ UserName: "ned", SerialNumber: `arn:aws:iam::${t.accountId}:mfa/ops/phone`, ...CODE }),
        expect: {},
      },
      {
        label: "ListVirtualMFADevices returns no seed",
        call: () => new I.ListVirtualMFADevicesCommand({}),
        expect: { absent: ["VirtualMFADevices[].Base32StringSeed", "VirtualMFADevices[].QRCodePNG"] },
        differs: "virtual-mfa-seed-in-list",
      },
      {
        label: "EnableMFADevice of a device assigned to ned, for mia",
        call: (t) => new I.EnableMFADeviceCommand({ UserName: "mia", SerialNumber: `arn:aws:iam::${t.accountId}:mfa/ops/phone`, ...CODE }),
        expect: err("EntityAlreadyExists", 409),
        differs: "enable-any-serial",
      },
      {
        label: "EnableMFADevice with a FIDO ARN",
        call: (t) =>
          new I.EnableMFADeviceCommand({ UserName: "mia", SerialNumber: `arn:aws:iam::${t.accountId}:u2f/user/mia/key`, ...CODE }),
        expect: err("NoSuchEntity", 404),
        differs: "enable-any-serial",
      },
      {
        label: "DeleteVirtualMFADevice while assigned",
        call: (t) => new I.DeleteVirtualMFADeviceCommand({ SerialNumber: `arn:aws:iam::${t.accountId}:mfa/ops/phone` }),
        expect: err("DeleteConflict", 409),
        differs: "delete-assigned-virtual-mfa",
      },
      {
        label: "ListMFADevices without UserName (non-user caller)",
        call: () => new I.ListMFADevicesCommand({}),
        expect: err("ValidationError", 400),
        differs: "caller-defaults",
      },
      {
        label: "GetMFADevice on a virtual serial",
        call: (t) => new I.GetMFADeviceCommand({ SerialNumber: serial(t) }),
        expect: err("NoSuchEntity", 404),
        differs: "not-implemented",
      },
    ];
    await runScenario(servers, steps);
  });

  it("an unknown action", async () => {
    const { freshTargets } = await import("./harness");
    const env = await freshTargets(servers);
    try {
      for (const t of env.targets) {
        const res = await fetch(`${t.endpoint}/`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "Action=CreateRocket&Version=2010-05-08",
        });
        const body = await res.text();
        const awsLike = res.status === 400 && /<Code>InvalidAction<\/Code>/.test(body);
        if (t.name === "emulator") {
          if (!awsLike) throw new Error(`emulator answered ${res.status}: ${body}`);
        } else {
          const { observedDifferences } = await import("./harness");
          observedDifferences.push({
            id: "unknown-action",
            step: "unknown action",
            moto: `${res.status} ${body.slice(0, 60)}`,
            agreed: awsLike,
          });
        }
      }
    } finally {
      await env.close();
    }
  });
});
