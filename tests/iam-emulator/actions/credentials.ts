// Credentials hanging on a user: access keys, login profile (console password), SSH public keys,
// signing certificates and service-specific credentials.

import { IamError, requireParam, validationError } from "../protocol";
import { isSupportedCredentialService, type SshKeyRecord } from "../state";
import { type ActionTable, boolParam, pageOf, param, targetUser } from "./common";

/** The SSHPublicKey element Upload and Get answer with; Get may re-encode the body. */
function sshPublicKeyResult(userName: string, key: SshKeyRecord, body: string) {
  return {
    UserName: userName,
    SSHPublicKeyId: key.sshPublicKeyId,
    Fingerprint: key.fingerprint,
    SSHPublicKeyBody: body,
    Status: key.status,
    UploadDate: key.uploadDate,
  };
}

export const credentialActions: ActionTable = {
  // ----- access keys -----
  CreateAccessKey(ctx) {
    const user = targetUser(ctx);
    const key = ctx.state.createAccessKey(user.userName);
    ctx.resource = key.accessKeyId;
    return {
      AccessKey: {
        UserName: user.userName,
        AccessKeyId: key.accessKeyId,
        Status: key.status,
        SecretAccessKey: key.secretAccessKey,
        CreateDate: key.createDate,
      },
    };
  },

  ListAccessKeys(ctx) {
    const user = targetUser(ctx);
    const page = pageOf(ctx, user.accessKeys, (k) => ({
      UserName: user.userName,
      AccessKeyId: k.accessKeyId,
      Status: k.status,
      CreateDate: k.createDate,
    }));
    return { AccessKeyMetadata: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  // Never used in the emulator: IAM's answer for a key never used (no LastUsedDate, service and region "N/A").
  GetAccessKeyLastUsed(ctx) {
    const id = requireParam(ctx.params, "AccessKeyId");
    ctx.resource = id;
    const owner = ctx.state.userForAccessKey(id);
    if (!owner?.accessKeys.get(id))
      throw new IamError("AccessDenied", 403, `User is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key ${id}`);
    ctx.userName = owner.userName;
    ctx.resource = owner.arn;
    return { UserName: owner.userName, AccessKeyLastUsed: { ServiceName: "N/A", Region: "N/A" } };
  },

  UpdateAccessKey(ctx) {
    const id = requireParam(ctx.params, "AccessKeyId");
    const status = requireParam(ctx.params, "Status");
    ctx.resource = id;
    const user = targetUser(ctx);
    ctx.state.updateAccessKey(user.userName, id, status);
    return undefined;
  },

  DeleteAccessKey(ctx) {
    const id = requireParam(ctx.params, "AccessKeyId");
    ctx.resource = id;
    const user = targetUser(ctx);
    ctx.state.deleteAccessKey(user.userName, id);
    return undefined;
  },

  // ----- login profile -----
  CreateLoginProfile(ctx) {
    const user = targetUser(ctx);
    ctx.resource = user.arn;
    const profile = ctx.state.createLoginProfile(user.userName, {
      passwordResetRequired: boolParam(ctx, "PasswordResetRequired") ?? false,
    });
    return {
      LoginProfile: { UserName: user.userName, CreateDate: profile.createDate, PasswordResetRequired: profile.passwordResetRequired },
    };
  },

  GetLoginProfile(ctx) {
    const user = targetUser(ctx);
    ctx.resource = user.arn;
    const profile = ctx.state.getLoginProfile(user.userName);
    return {
      LoginProfile: { UserName: user.userName, CreateDate: profile.createDate, PasswordResetRequired: profile.passwordResetRequired },
    };
  },

  UpdateLoginProfile(ctx) {
    const user = targetUser(ctx);
    ctx.resource = user.arn;
    ctx.state.updateLoginProfile(user.userName, boolParam(ctx, "PasswordResetRequired"));
    return undefined;
  },

  DeleteLoginProfile(ctx) {
    const user = targetUser(ctx);
    ctx.resource = user.arn;
    ctx.state.deleteLoginProfile(user.userName);
    return undefined;
  },

  // ----- SSH public keys -----
  UploadSSHPublicKey(ctx) {
    const body = requireParam(ctx.params, "SSHPublicKeyBody");
    const user = targetUser(ctx);
    const key = ctx.state.uploadSshPublicKey(user.userName, body);
    ctx.resource = key.sshPublicKeyId;
    return { SSHPublicKey: sshPublicKeyResult(user.userName, key, key.body) };
  },

  ListSSHPublicKeys(ctx) {
    const user = targetUser(ctx);
    const page = pageOf(ctx, user.sshPublicKeys, (k) => ({
      UserName: user.userName,
      SSHPublicKeyId: k.sshPublicKeyId,
      Status: k.status,
      UploadDate: k.uploadDate,
    }));
    return { SSHPublicKeys: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  GetSSHPublicKey(ctx) {
    const id = requireParam(ctx.params, "SSHPublicKeyId");
    const encoding = requireParam(ctx.params, "Encoding");
    if (encoding !== "SSH" && encoding !== "PEM") {
      throw validationError(
        `1 validation error detected: Value '${encoding}' at 'encoding' failed to satisfy constraint: Member must satisfy enum value set: [SSH, PEM]`,
      );
    }
    ctx.resource = id;
    const user = targetUser(ctx);
    const key = ctx.state.getSshPublicKey(user.userName, id);
    const body =
      encoding === "SSH" ? key.body : `-----BEGIN PUBLIC KEY-----\n${Buffer.from(key.body).toString("base64")}\n-----END PUBLIC KEY-----\n`;
    return { SSHPublicKey: sshPublicKeyResult(user.userName, key, body) };
  },

  UpdateSSHPublicKey(ctx) {
    const id = requireParam(ctx.params, "SSHPublicKeyId");
    const status = requireParam(ctx.params, "Status");
    requireParam(ctx.params, "UserName");
    ctx.resource = id;
    const user = targetUser(ctx);
    ctx.state.updateSshPublicKey(user.userName, id, status);
    return undefined;
  },

  DeleteSSHPublicKey(ctx) {
    const id = requireParam(ctx.params, "SSHPublicKeyId");
    ctx.resource = id;
    const user = targetUser(ctx);
    ctx.state.deleteSshPublicKey(user.userName, id);
    return undefined;
  },

  // ----- signing certificates -----
  UploadSigningCertificate(ctx) {
    const body = requireParam(ctx.params, "CertificateBody");
    const user = targetUser(ctx);
    const cert = ctx.state.uploadSigningCertificate(user.userName, body);
    ctx.resource = cert.certificateId;
    return {
      Certificate: {
        UserName: user.userName,
        CertificateId: cert.certificateId,
        CertificateBody: cert.body,
        Status: cert.status,
        UploadDate: cert.uploadDate,
      },
    };
  },

  ListSigningCertificates(ctx) {
    const user = targetUser(ctx);
    const page = pageOf(ctx, user.signingCertificates, (c) => ({
      UserName: user.userName,
      CertificateId: c.certificateId,
      CertificateBody: c.body,
      Status: c.status,
      UploadDate: c.uploadDate,
    }));
    return { Certificates: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  UpdateSigningCertificate(ctx) {
    const id = requireParam(ctx.params, "CertificateId");
    const status = requireParam(ctx.params, "Status");
    ctx.resource = id;
    const user = targetUser(ctx);
    ctx.state.updateSigningCertificate(user.userName, id, status);
    return undefined;
  },

  DeleteSigningCertificate(ctx) {
    const id = requireParam(ctx.params, "CertificateId");
    ctx.resource = id;
    const user = targetUser(ctx);
    ctx.state.deleteSigningCertificate(user.userName, id);
    return undefined;
  },

  // ----- service-specific credentials -----
  CreateServiceSpecificCredential(ctx) {
    const service = requireParam(ctx.params, "ServiceName");
    const user = targetUser(ctx);
    const ageRaw = param(ctx, "CredentialAgeDays");
    let age: number | undefined;
    if (ageRaw !== undefined) {
      age = Number(ageRaw);
      if (!Number.isInteger(age) || age < 1 || age > 36600) {
        throw validationError(
          `1 validation error detected: Value '${ageRaw}' at 'credentialAgeDays' failed to satisfy constraint: Member must have value between 1 and 36600`,
        );
      }
    }
    const c = ctx.state.createServiceSpecificCredential(user.userName, service, age);
    ctx.resource = c.serviceSpecificCredentialId;
    return {
      ServiceSpecificCredential: {
        CreateDate: c.createDate,
        ServiceName: c.serviceName,
        ServiceSpecificCredentialId: c.serviceSpecificCredentialId,
        UserName: user.userName,
        Status: c.status,
        ExpirationDate: c.expirationDate,
        ServiceUserName: c.serviceUserName,
        ServicePassword: c.servicePassword,
        ServiceCredentialAlias: c.serviceCredentialAlias,
        ServiceCredentialSecret: c.serviceCredentialSecret,
      },
    };
  },

  ListServiceSpecificCredentials(ctx) {
    const service = param(ctx, "ServiceName");
    if (service !== undefined && !isSupportedCredentialService(service)) {
      throw new IamError("NotSupportedService", 404, `No such service ${service} is supported for Service Specific Credentials`);
    }
    const user = targetUser(ctx);
    const page = pageOf(
      ctx,
      user.serviceCredentials,
      (c) => ({
        UserName: user.userName,
        Status: ctx.state.serviceCredentialStatus(c),
        ServiceUserName: c.serviceUserName,
        ServiceCredentialAlias: c.serviceCredentialAlias,
        CreateDate: c.createDate,
        ExpirationDate: c.expirationDate,
        ServiceSpecificCredentialId: c.serviceSpecificCredentialId,
        ServiceName: c.serviceName,
      }),
      service ? (c) => c.serviceName === service : undefined,
    );
    return { ServiceSpecificCredentials: page.items, Marker: page.Marker, IsTruncated: page.IsTruncated };
  },

  UpdateServiceSpecificCredential(ctx) {
    const id = requireParam(ctx.params, "ServiceSpecificCredentialId");
    const status = requireParam(ctx.params, "Status");
    ctx.resource = id;
    const user = targetUser(ctx);
    ctx.state.updateServiceSpecificCredential(user.userName, id, status);
    return undefined;
  },

  DeleteServiceSpecificCredential(ctx) {
    const id = requireParam(ctx.params, "ServiceSpecificCredentialId");
    ctx.resource = id;
    const user = targetUser(ctx);
    ctx.state.deleteServiceSpecificCredential(user.userName, id);
    return undefined;
  },
};
