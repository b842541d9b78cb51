// Where moto 5 (server mode) departs from AWS IAM, as observed by this suite. A step marked with
// one of these ids checks the emulator against the AWS reference alone and only records what
// moto answered. tests/iam-emulator/README.md carries the same table.

export const KNOWN_DIFFERENCES = {
  "case-insensitive-names": {
    aws: 'User names are unique case-insensitively: CreateUser "ALICE" after "alice" is 409 EntityAlreadyExists.',
    moto: 'Creates a second user "ALICE".',
  },
  "name-validation": {
    aws: "UserName must be 1-64 characters of [\\w+=,.@-]; anything else is 400 ValidationError.",
    moto: "Accepts any name (spaces, 65+ characters).",
  },
  "maxitems-validation": {
    aws: "MaxItems outside 1..1000 and a Marker the service did not issue are 400 ValidationError.",
    moto: "Accepts MaxItems 0 and ignores an unknown Marker.",
  },
  "ignores-maxitems": {
    aws: "Every List call pages with MaxItems / IsTruncated / Marker.",
    moto: "ListUsers, ListGroups, GetGroup, ListGroupsForUser, ListUserPolicies, ListAccessKeys, ListSSHPublicKeys, ListSigningCertificates, ListMFADevices and ListUserTags ignore MaxItems and return everything in one page.",
  },
  "empty-last-page": {
    aws: "IsTruncated is true only when more items follow.",
    moto: "ListAttachedUserPolicies, ListPolicies and ListVirtualMFADevices answer IsTruncated=true with a Marker when a page is exactly full, so a walk ends on an empty page.",
  },
  "missing-istruncated": {
    aws: "Every paginated result carries IsTruncated.",
    moto: "GetGroup, ListGroups, ListAccessKeys, ListSSHPublicKeys and ListSigningCertificates leave IsTruncated out.",
  },
  "virtual-mfa-seed-in-list": {
    aws: "Base32StringSeed and QRCodePNG are returned by CreateVirtualMFADevice only.",
    moto: "ListVirtualMFADevices returns every device's Base32StringSeed and QRCodePNG.",
  },
  "enable-any-serial": {
    aws: "EnableMFADevice enables a virtual device of the account (or a registered hardware token); a device already assigned to a user is 409 EntityAlreadyExists. FIDO keys are registered in the console only.",
    moto: "Enables any serial for any user: hardware serials, FIDO (u2f) ARNs, and a virtual device already assigned to someone else. The suite uses this to give a moto user a FIDO-like device.",
  },
  "delete-assigned-virtual-mfa": {
    aws: "DeleteVirtualMFADevice on a device still assigned to a user is 409 DeleteConflict.",
    moto: "Deletes the assigned device (the user keeps a dangling MFA entry).",
  },
  "delete-user-lax": {
    aws: "DeleteUser is 409 DeleteConflict while a login profile, access key, MFA device, signing certificate, SSH key, service-specific credential, group membership, managed or inline policy remains.",
    moto: "DeleteUser checks only attached managed policies and inline policies; it deletes a user that still has any of the other seven kinds.",
  },
  "not-implemented": {
    aws: "CreateServiceSpecificCredential, ListServiceSpecificCredentials, UpdateServiceSpecificCredential, DeleteServiceSpecificCredential, GetMFADevice, PutUserPermissionsBoundary and DeleteUserPermissionsBoundary exist.",
    moto: "Not implemented: answers HTTP 500 with an HTML page.",
  },
  "caller-defaults": {
    aws: 'GetUser / ListMFADevices without UserName answer for the calling IAM user; for other principals (roles) they are 400 ValidationError "Must specify userName when calling with non-User credentials".',
    moto: 'GetUser without UserName returns a made-up default user; ListMFADevices without UserName is 404 NoSuchEntity for user "None".',
  },
  "rename-onto-existing": {
    aws: "UpdateUser to a NewUserName that exists is 409 EntityAlreadyExists.",
    moto: "Succeeds.",
  },
  "ssh-key-unchecked": {
    aws: "UploadSSHPublicKey rejects a body that is not an SSH public key with 400 InvalidPublicKey.",
    moto: "Accepts any text.",
  },
  "user-id-format": {
    aws: 'A UserId is "AIDA" followed by 17 upper-case letters and digits.',
    moto: "UserIds are 21 lower-case letters and digits.",
  },
  "update-login-profile-without-password": {
    aws: "UpdateLoginProfile with only PasswordResetRequired keeps the password (and the login profile).",
    moto: "Sets the password to nothing, which removes the login profile: a later GetLoginProfile / DeleteLoginProfile is 404 NoSuchEntity.",
  },
  "service-last-accessed-not-implemented": {
    aws: "GenerateServiceLastAccessedDetails answers a JobId; GetServiceLastAccessedDetails answers JobStatus IN_PROGRESS, then COMPLETED with ServicesLastAccessed.",
    moto: "Not implemented: answers HTTP 500 with an HTML page (GetAccessKeyLastUsed is served, and records a request signed with the key).",
  },
  "credential-status-unchecked": {
    aws: "UpdateAccessKey (and the other status updates) take Active or Inactive; any other Status is 400 ValidationError.",
    moto: "Accepts any status.",
  },
  "policy-quotas-unenforced": {
    aws: "A user's inline policies share 2,048 characters and 10 managed policies may be attached by default: past either, 409 LimitExceeded.",
    moto: "Enforces neither (GetAccountSummary reports both quotas): PutUserPolicy and AttachUserPolicy succeed past them.",
  },
  "unknown-action": {
    aws: "An unknown Action is 400 InvalidAction.",
    moto: "The request falls through to another service (HTTP 200 with an S3 ListAllMyBucketsResult).",
  },
} as const;

export type DifferenceId = keyof typeof KNOWN_DIFFERENCES;

/**
 * Not a difference in behaviour but worth knowing: moto words most error messages differently
 * (e.g. "User alice already exists" for AWS's "User with name alice already exists."), loads AWS
 * managed policies only with MOTO_IAM_LOAD_MANAGED_POLICIES=true (the suite sets it), leaves
 * PermissionsBoundaryUsageCount out of policies, and checks DeleteUser's policy dependencies in a
 * different order. The suite compares codes and statuses, not message wording.
 */
export const NOTES = [
  "Error messages are worded differently for several codes; the suite compares codes and HTTP statuses.",
  "AWS managed policies exist in moto only with MOTO_IAM_LOAD_MANAGED_POLICIES=true, which tests/helpers/moto.ts sets.",
  "moto leaves PermissionsBoundaryUsageCount out of Policy results.",
];
