// IAM's rules: names, paths, tags, quotas, policy documents, SSH keys, certificates, and the order
// in which DeleteUser checks what still hangs on a user. Each rule throws IamError as AWS answers.

import { X509Certificate } from "node:crypto";
import { IamError, invalidInput, malformedPolicy, validationError } from "../protocol";
import type { DependencyKind } from "./records";

/** DeleteUser's checks, in the order it makes them, with AWS's DeleteConflict messages. */
export const DEPENDENCY_ORDER: ReadonlyArray<{ kind: DependencyKind; message: string }> = [
  { kind: "loginProfile", message: "Cannot delete entity, must delete login profile first." },
  { kind: "accessKeys", message: "Cannot delete entity, must delete access keys first." },
  { kind: "mfaDevices", message: "Cannot delete entity, must delete MFA device first." },
  { kind: "signingCertificates", message: "Cannot delete entity, must delete certificates first." },
  { kind: "sshPublicKeys", message: "Cannot delete entity, must remove referenced objects first." },
  { kind: "serviceSpecificCredentials", message: "Cannot delete entity, must remove referenced objects first." },
  { kind: "groupMemberships", message: "Cannot delete entity, must remove users from group first." },
  { kind: "managedPolicies", message: "Cannot delete entity, must detach all policies first." },
  { kind: "inlinePolicies", message: "Cannot delete entity, must delete policies first." },
];

export const LIMITS = {
  accessKeysPerUser: 2,
  sshPublicKeysPerUser: 5,
  signingCertificatesPerUser: 2,
  serviceCredentialsPerServicePerUser: 2,
  mfaDevicesPerUser: 8,
  /** AWS's default; an account may have it raised up to 20 (the emulator's attachedPoliciesPerUserQuota option). */
  managedPoliciesPerUser: 10,
  groupsPerUser: 10,
  tagsPerResource: 50,
  /** Characters of all a user's inline policy documents together, whitespace not counted. */
  inlinePolicyCharactersPerUser: 2048,
};

/** What counts against the inline policy quota: the document's characters, whitespace left out. */
export const inlinePolicySize = (document: string): number => document.replace(/\s+/g, "").length;

/** Status values of UpdateAccessKey, UpdateSSHPublicKey, UpdateSigningCertificate, UpdateServiceSpecificCredential. */
export function checkCredentialStatus(status: string): "Active" | "Inactive" {
  if (status !== "Active" && status !== "Inactive") {
    throw validationError(
      `1 validation error detected: Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`,
    );
  }
  return status;
}

const NAME_RE = /^[\w+=,.@-]+$/;
const PATH_RE = /^(\/|\/[\u0021-\u007e]+\/)$/;

export function validateName(value: string, field: string, max: number): void {
  if (value.length < 1 || value.length > max) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have length ${value.length < 1 ? "greater than or equal to 1" : `less than or equal to ${max}`}`,
    );
  }
  if (!NAME_RE.test(value)) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
    );
  }
}

export function validatePath(value: string, field = "path"): void {
  if (value.length > 512 || !PATH_RE.test(value)) {
    throw validationError(
      `The specified value for ${field} is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`,
    );
  }
}

export function validateTags(tags: Array<[string, string]>): void {
  for (const [k, v] of tags) {
    if (k.length < 1 || k.length > 128)
      throw validationError(
        `1 validation error detected: Value '${k}' at 'tags.member.key' failed to satisfy constraint: Member must have length less than or equal to 128`,
      );
    if (v.length > 256)
      throw validationError(
        `1 validation error detected: Value '${v}' at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`,
      );
    if (k.toLowerCase().startsWith("aws:")) throw invalidInput("User tag keys cannot start with aws:");
  }
}

/** AWSDenyAll's document, as AWS publishes it: every action denied. */
export const DENY_ALL_POLICY_DOCUMENT = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }],
});

/** Well-known AWS managed policies (name, path, and the document where it matters) that exist in every emulated account. */
export const AWS_MANAGED_POLICIES: ReadonlyArray<[string, string, string?]> = [
  ["AWSDenyAll", "/", DENY_ALL_POLICY_DOCUMENT],
  ["AdministratorAccess", "/"],
  ["PowerUserAccess", "/"],
  ["ReadOnlyAccess", "/"],
  ["IAMFullAccess", "/"],
  ["IAMReadOnlyAccess", "/"],
  ["IAMUserChangePassword", "/"],
  ["IAMUserSSHKeys", "/"],
  ["IAMSelfManageServiceSpecificCredentials", "/"],
  ["SecurityAudit", "/"],
  ["AmazonS3FullAccess", "/"],
  ["AmazonS3ReadOnlyAccess", "/"],
  ["AmazonEC2FullAccess", "/"],
  ["AmazonEC2ReadOnlyAccess", "/"],
  ["AmazonDynamoDBReadOnlyAccess", "/"],
  ["AWSCodeCommitPowerUser", "/"],
  ["AWSCodeCommitReadOnly", "/"],
  ["AmazonKeyspacesReadOnlyAccess", "/"],
  ["AmazonBedrockLimitedAccess", "/"],
  ["CloudWatchReadOnlyAccess", "/"],
  ["AWSSupportAccess", "/"],
  ["ViewOnlyAccess", "/job-function/"],
  ["Billing", "/job-function/"],
  ["SystemAdministrator", "/job-function/"],
  ["DatabaseAdministrator", "/job-function/"],
  ["AWS_ConfigRole", "/service-role/"],
];

/** The document of a policy created without one (seeded customer policies, AWS managed ones). */
export const DEFAULT_POLICY_DOCUMENT = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "iam:Get*", Resource: "*" }],
});

/** Services that accept service-specific credentials. */
export function isSupportedCredentialService(name: string): boolean {
  return /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com$/.test(name);
}

export function checkPolicyDocument(doc: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(doc);
  } catch {
    throw malformedPolicy("Syntax errors in policy.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw malformedPolicy("Syntax errors in policy.");
  const st = (parsed as Record<string, unknown>).Statement;
  if (st === undefined) throw malformedPolicy("Policy document must contain a Statement.");
  const statements = Array.isArray(st) ? st : [st];
  for (const s of statements) {
    if (typeof s !== "object" || s === null) throw malformedPolicy("Syntax errors in policy.");
    const effect = (s as Record<string, unknown>).Effect;
    if (effect !== "Allow" && effect !== "Deny") throw malformedPolicy("Policy statement must contain a valid Effect (Allow or Deny).");
  }
}

/** An OpenSSH `ssh-rsa` public key line with a 2048-bit modulus made from `random` (256 bytes). */
export function makeSshPublicKeyBody(random: Buffer, comment = "user@example"): string {
  const str = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const n = Buffer.concat([Buffer.from([0]), random.subarray(0, 256)]);
  n[1] |= 0x80;
  const blob = Buffer.concat([str(Buffer.from("ssh-rsa")), str(Buffer.from([1, 0, 1])), str(n)]);
  return `ssh-rsa ${blob.toString("base64")} ${comment}`;
}

/**
 * IAM accepts RSA keys of at least 2048 bits (and ED25519 / ECDSA keys) in OpenSSH or SSH2 format.
 * The check is structural: the base64 blob must name the same algorithm as the line and, for
 * RSA, carry a modulus of at least 2048 bits.
 */
export function checkSshPublicKey(body: string): void {
  const invalid = () => new IamError("InvalidPublicKey", 400, "Public key is invalid.");
  if (body.startsWith("---- BEGIN SSH2 PUBLIC KEY")) return;
  const m = /^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp(?:256|384|521)) ([A-Za-z0-9+/]+={0,2})(?: .*)?$/.exec(body.trim());
  if (!m) throw invalid();
  const blob = Buffer.from(m[2], "base64");
  const fields: Buffer[] = [];
  let at = 0;
  while (at + 4 <= blob.length && fields.length < 3) {
    const len = blob.readUInt32BE(at);
    if (at + 4 + len > blob.length) throw invalid();
    fields.push(blob.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  if (fields.length === 0 || fields[0].toString() !== m[1]) throw invalid();
  if (m[1] === "ssh-rsa") {
    const n = fields[2];
    if (!n) throw invalid();
    let i = 0;
    while (i < n.length && n[i] === 0) i++;
    const bits = (n.length - i) * 8 - (i < n.length ? Math.clz32(n[i]) - 24 : 0);
    if (bits < 2048) throw new IamError("InvalidPublicKey", 400, "Public key is invalid: RSA keys must be at least 2048 bits.");
  }
}

/** IAM parses signing certificates as X.509 (PEM). */
export function checkCertificate(body: string): void {
  try {
    new X509Certificate(body);
  } catch {
    throw new IamError("MalformedCertificate", 400, "The certificate is malformed or not in PEM format.");
  }
}
