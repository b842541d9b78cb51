// A user's credentials: access keys, login profile (console password), SSH public keys, signing
// certificates and service-specific credentials.

import { createHash } from "node:crypto";
import { entityAlreadyExists, IamError, limitExceeded, noSuchEntity, validationError } from "../protocol";
import { GroupState } from "./groups";
import type {
  AccessKeyRecord,
  LoginProfileRecord,
  ServiceCredentialRecord,
  SigningCertificateRecord,
  SshKeyRecord,
  UserRecord,
} from "./records";
import { checkCertificate, checkSshPublicKey, isSupportedCredentialService, LIMITS, makeSshPublicKeyBody } from "./rules";

const SAMPLE_CERT_PREFIX = "-----BEGIN CERTIFICATE-----\nMIIC";

export class CredentialState extends GroupState {
  /** Every credential id to its user: ids are unique in the account, and a caller is found by its key. */
  protected readonly accessKeyOwners = new Map<string, UserRecord>();
  protected readonly sshKeyIds = new Map<string, UserRecord>();
  protected readonly certificateIds = new Map<string, UserRecord>();
  protected readonly credentialIds = new Map<string, UserRecord>();

  /** The user owning an access key id, if the key belongs to an emulated user. */
  userForAccessKey(accessKeyId: string): UserRecord | undefined {
    return this.accessKeyOwners.get(accessKeyId);
  }

  // ----- access keys -------------------------------------------------------------------------

  createAccessKey(userName: string): AccessKeyRecord & { userName: string } {
    const user = this.requireUser(userName);
    if (user.accessKeys.size >= LIMITS.accessKeysPerUser) {
      throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${LIMITS.accessKeysPerUser}`);
    }
    const key: AccessKeyRecord = {
      accessKeyId: this.ids.id("AKIA", 16),
      secretAccessKey: this.ids.secret(40),
      status: "Active",
      createDate: this.now(),
    };
    user.accessKeys.set(key.accessKeyId, key, this.nextSeq());
    this.accessKeyOwners.set(key.accessKeyId, user);
    return { ...key, userName: user.userName };
  }

  private requireAccessKey(user: UserRecord, accessKeyId: string): AccessKeyRecord {
    const key = user.accessKeys.get(accessKeyId);
    if (!key) throw noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found.`);
    return key;
  }

  updateAccessKey(userName: string, accessKeyId: string, status: string): void {
    const user = this.requireUser(userName);
    if (status !== "Active" && status !== "Inactive") {
      throw validationError(
        `1 validation error detected: Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`,
      );
    }
    this.requireAccessKey(user, accessKeyId).status = status;
  }

  deleteAccessKey(userName: string, accessKeyId: string): void {
    const user = this.requireUser(userName);
    this.requireAccessKey(user, accessKeyId);
    user.accessKeys.delete(accessKeyId);
    this.accessKeyOwners.delete(accessKeyId);
    this.noteRemoval(user, "accessKeys");
  }

  // ----- login profile -----------------------------------------------------------------------

  /**
   * Gives the user a console password. `recent` (default true) opens the window in which
   * DeleteLoginProfile answers EntityTemporarilyUnmodifiable (loginProfileUnmodifiableMs).
   */
  createLoginProfile(userName: string, opts: { passwordResetRequired?: boolean; recent?: boolean } = {}): LoginProfileRecord {
    const user = this.requireUser(userName);
    if (user.loginProfile) throw entityAlreadyExists(`Login Profile for user ${user.userName} already exists.`);
    const recent = opts.recent ?? true;
    const now = this.clock();
    user.loginProfile = {
      createDate: new Date(recent ? now : now - 3_600_000),
      passwordResetRequired: opts.passwordResetRequired ?? false,
      unmodifiableUntil: recent ? now + this.loginProfileUnmodifiableMs : 0,
    };
    return user.loginProfile;
  }

  getLoginProfile(userName: string): LoginProfileRecord {
    const user = this.requireUser(userName);
    if (!user.loginProfile) throw noSuchEntity(`Login Profile for User ${user.userName} cannot be found.`);
    return user.loginProfile;
  }

  private checkLoginProfileModifiable(user: UserRecord, profile: LoginProfileRecord): void {
    if (this.clock() < profile.unmodifiableUntil) {
      throw new IamError(
        "EntityTemporarilyUnmodifiable",
        409,
        `Login Profile for User ${user.userName} cannot be modified while login profile is being created.`,
      );
    }
  }

  updateLoginProfile(userName: string, passwordResetRequired?: boolean): void {
    const user = this.requireUser(userName);
    const profile = this.getLoginProfile(userName);
    this.checkLoginProfileModifiable(user, profile);
    if (passwordResetRequired !== undefined) profile.passwordResetRequired = passwordResetRequired;
  }

  deleteLoginProfile(userName: string): void {
    const user = this.requireUser(userName);
    const profile = this.getLoginProfile(userName);
    this.checkLoginProfileModifiable(user, profile);
    user.loginProfile = undefined;
    this.noteRemoval(user, "loginProfile");
  }

  // ----- SSH public keys ---------------------------------------------------------------------

  uploadSshPublicKey(userName: string, body?: string): SshKeyRecord {
    const user = this.requireUser(userName);
    const keyBody = body ?? makeSshPublicKeyBody(Buffer.from(this.ids.hex(512), "hex"), `${user.userName}@example`);
    checkSshPublicKey(keyBody);
    for (const k of user.sshPublicKeys.values()) {
      if (k.body === keyBody) throw new IamError("DuplicateSSHPublicKey", 400, "Public key already exists for this user.");
    }
    if (user.sshPublicKeys.size >= LIMITS.sshPublicKeysPerUser) {
      throw limitExceeded(`Cannot exceed quota for SSHPublicKeysPerUser: ${LIMITS.sshPublicKeysPerUser}`);
    }
    const md5 = createHash("md5").update(keyBody).digest("hex");
    const key: SshKeyRecord = {
      sshPublicKeyId: this.ids.id("APKA", 17),
      body: keyBody,
      fingerprint: md5.match(/../g)!.join(":"),
      status: "Active",
      uploadDate: this.now(),
    };
    user.sshPublicKeys.set(key.sshPublicKeyId, key, this.nextSeq());
    this.sshKeyIds.set(key.sshPublicKeyId, user);
    return key;
  }

  getSshPublicKey(userName: string, id: string): SshKeyRecord {
    const user = this.requireUser(userName);
    const key = user.sshPublicKeys.get(id);
    if (!key) throw noSuchEntity(`The Public Key with id ${id} cannot be found.`);
    return key;
  }

  updateSshPublicKey(userName: string, id: string, status: string): void {
    this.getSshPublicKey(userName, id).status = credentialStatus(status);
  }

  deleteSshPublicKey(userName: string, id: string): void {
    const user = this.requireUser(userName);
    this.getSshPublicKey(userName, id);
    user.sshPublicKeys.delete(id);
    this.sshKeyIds.delete(id);
    this.noteRemoval(user, "sshPublicKeys");
  }

  // ----- signing certificates ----------------------------------------------------------------

  /**
   * Uploads a signing certificate. Bodies given here must parse as X.509; seeding (no body) uses a
   * placeholder PEM body, since generating real certificates for thousands of users would be slow.
   */
  uploadSigningCertificate(userName: string, body?: string): SigningCertificateRecord {
    const user = this.requireUser(userName);
    if (body !== undefined) checkCertificate(body);
    const certBody = body ?? `${SAMPLE_CERT_PREFIX}${this.ids.secret(200)}\n-----END CERTIFICATE-----`;
    for (const c of user.signingCertificates.values()) {
      if (c.body === certBody) throw new IamError("DuplicateCertificate", 409, "The Certificate already exists.");
    }
    if (user.signingCertificates.size >= LIMITS.signingCertificatesPerUser) {
      throw limitExceeded(`Cannot exceed quota for SigningCertificatesPerUser: ${LIMITS.signingCertificatesPerUser}`);
    }
    const cert: SigningCertificateRecord = {
      certificateId: this.ids.id("", 32),
      body: certBody,
      status: "Active",
      uploadDate: this.now(),
    };
    user.signingCertificates.set(cert.certificateId, cert, this.nextSeq());
    this.certificateIds.set(cert.certificateId, user);
    return cert;
  }

  updateSigningCertificate(userName: string, certificateId: string, status: string): void {
    const cert = this.requireUser(userName).signingCertificates.get(certificateId);
    if (!cert) throw noSuchEntity(`The Certificate with id ${certificateId} cannot be found.`);
    cert.status = credentialStatus(status);
  }

  deleteSigningCertificate(userName: string, certificateId: string): void {
    const user = this.requireUser(userName);
    if (!user.signingCertificates.has(certificateId)) {
      throw noSuchEntity(`The Certificate with id ${certificateId} cannot be found.`);
    }
    user.signingCertificates.delete(certificateId);
    this.certificateIds.delete(certificateId);
    this.noteRemoval(user, "signingCertificates");
  }

  // ----- service-specific credentials --------------------------------------------------------

  createServiceSpecificCredential(userName: string, serviceName: string, credentialAgeDays?: number): ServiceCredentialRecord {
    const user = this.requireUser(userName);
    if (!isSupportedCredentialService(serviceName)) {
      throw new IamError("NotSupportedService", 404, `No such service ${serviceName} is supported for Service Specific Credentials`);
    }
    let sameService = 0;
    for (const c of user.serviceCredentials.values()) if (c.serviceName === serviceName) sameService++;
    if (sameService >= LIMITS.serviceCredentialsPerServicePerUser) {
      throw limitExceeded(
        `Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: ${LIMITS.serviceCredentialsPerServicePerUser}`,
      );
    }
    const now = this.now();
    const cred: ServiceCredentialRecord = {
      serviceSpecificCredentialId: this.ids.id("ACCA", 17),
      serviceName,
      status: "Active",
      createDate: now,
    };
    if (serviceName === "bedrock.amazonaws.com") {
      cred.serviceCredentialAlias = `BedrockAPIKey-${this.ids.hex(4)}-at-${this.accountId}`;
      cred.serviceCredentialSecret = this.ids.secret(60);
      if (credentialAgeDays !== undefined) cred.expirationDate = new Date(now.getTime() + credentialAgeDays * 86_400_000);
    } else {
      cred.serviceUserName = `${user.userName}-at-${this.accountId}${sameService > 0 ? `-${sameService}` : ""}`;
      cred.servicePassword = this.ids.secret(44);
    }
    user.serviceCredentials.set(cred.serviceSpecificCredentialId, cred, this.nextSeq());
    this.credentialIds.set(cred.serviceSpecificCredentialId, user);
    return cred;
  }

  deleteServiceSpecificCredential(userName: string, id: string): void {
    const user = this.requireUser(userName);
    if (!user.serviceCredentials.has(id)) {
      throw noSuchEntity(`No such credential ${id} exists for user ${user.userName}.`);
    }
    user.serviceCredentials.delete(id);
    this.credentialIds.delete(id);
    this.noteRemoval(user, "serviceSpecificCredentials");
  }
}

/** Status is an enum: IAM refuses anything but Active and Inactive. */
function credentialStatus(status: string): "Active" | "Inactive" {
  if (status !== "Active" && status !== "Inactive")
    throw validationError(
      `1 validation error detected: Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`,
    );
  return status;
}
