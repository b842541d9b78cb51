/**
 * IAM's rules for the resource's inputs, checked before anything is called. Each failure names the property and
 * the rule it breaks. Values unknown during preview are skipped: they are checked again once known.
 */
import { parseInactivityWindow } from "./teardown/activity";

export interface CheckFailure {
  property: string;
  reason: string;
}

/** The placeholder Pulumi passes for values not yet known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const isUnknown = (v: unknown): boolean => v === UNKNOWN;

const USER_NAME = /^[\w+=,.@-]{1,64}$/;
const PATH = /^(\/|\/[\u0021-\u007E]{1,510}\/)$/;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** AWS's partitions: the commercial regions, China, GovCloud, the isolated regions and the European sovereign cloud. */
export const PARTITIONS = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"] as const;
const PARTITION = `(?:${PARTITIONS.join("|")})`;
const POLICY_ARN = new RegExp(`^arn:${PARTITION}:iam::(\\d{12}|aws):policy\\/[\\w+=,.@/-]+$`);
const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:role\\/[\\w+=,.@/-]+$`);
/** A region name: an area of two letters (us, eu, cn, ...) or, in the European sovereign cloud, four (eusc-de-east-1). */
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
export const MAX_TAGS = 50;
/** Tags a quarantine keeps its record in (teardown/quarantine.ts): never the program's to set. */
const RESERVED_TAG_PREFIX = "iam-user-teardown:";

/** Inputs the resource accepts. Anything else (credentials in particular) is refused. */
export const INPUT_PROPERTIES = [
  "userName",
  "path",
  "tags",
  "permissionsBoundary",
  "deleteUser",
  "adopt",
  "adoptUserId",
  "disabled",
  "region",
  "profile",
  "roleArn",
  "requireInactiveFor",
  "record",
] as const;

export function validateUserName(value: unknown, property = "userName"): CheckFailure[] {
  if (isUnknown(value)) return [];
  if (typeof value !== "string" || !USER_NAME.test(value)) {
    return [
      {
        property,
        reason: `${property} must be 1-64 characters of letters, digits and + = , . @ _ - (IAM's user name rule); got ${JSON.stringify(value)}`,
      },
    ];
  }
  return [];
}

export function validatePath(value: unknown): CheckFailure[] {
  if (value === undefined || isUnknown(value)) return [];
  if (typeof value !== "string" || value.length > 512 || !PATH.test(value)) {
    return [
      {
        property: "path",
        reason: `path must begin and end with "/", be at most 512 characters and contain only printable ASCII without spaces (IAM's path rule); got ${JSON.stringify(value)}`,
      },
    ];
  }
  return [];
}

export function validateTags(value: unknown): CheckFailure[] {
  if (value === undefined || isUnknown(value)) return [];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [{ property: "tags", reason: "tags must be a map of tag keys to string values" }];
  }
  const failures: CheckFailure[] = [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_TAGS)
    failures.push({ property: "tags", reason: `tags may hold at most ${MAX_TAGS} tags (IAM's limit); got ${entries.length}` });
  for (const [key, v] of entries) {
    const property = `tags.${key}`;
    if (key.length < 1 || key.length > 128)
      failures.push({ property, reason: `a tag key must be 1-128 characters; ${JSON.stringify(key)} has ${key.length}` });
    if (!TAG_CHARS.test(key))
      failures.push({ property, reason: `tag key ${JSON.stringify(key)} may contain only letters, digits, spaces and _ . : / = + - @` });
    if (key.toLowerCase().startsWith("aws:"))
      failures.push({ property, reason: `tag key ${JSON.stringify(key)} uses the reserved prefix "aws:"` });
    if (key.startsWith(RESERVED_TAG_PREFIX))
      failures.push({
        property,
        reason: `tag key ${JSON.stringify(key)} uses the prefix "${RESERVED_TAG_PREFIX}", where a disabled user's record is kept (set disabled: true instead)`,
      });
    if (isUnknown(v)) continue;
    if (typeof v !== "string") {
      failures.push({ property, reason: `tag value for ${JSON.stringify(key)} must be a string` });
      continue;
    }
    if (v.length > 256)
      failures.push({ property, reason: `tag value for ${JSON.stringify(key)} must be at most 256 characters; got ${v.length}` });
    if (!TAG_CHARS.test(v))
      failures.push({
        property,
        reason: `tag value for ${JSON.stringify(key)} may contain only letters, digits, spaces and _ . : / = + - @`,
      });
  }
  return failures;
}

export function validatePermissionsBoundary(value: unknown): CheckFailure[] {
  if (value === undefined || isUnknown(value)) return [];
  if (typeof value !== "string" || value.length < 20 || value.length > 2048 || !POLICY_ARN.test(value)) {
    return [
      {
        property: "permissionsBoundary",
        reason: `permissionsBoundary must be the ARN of a managed policy (arn:<partition>:iam::<account or aws>:policy/<name>, partition one of ${PARTITIONS.join(", ")}); got ${JSON.stringify(value)}`,
      },
    ];
  }
  return [];
}

/** region, profile and roleArn: the resource's check and the CLI's flags apply the same rules. */
export function validateConnection(inputs: Record<string, unknown>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const { region, profile, roleArn } = inputs;
  if (region !== undefined && !isUnknown(region) && (typeof region !== "string" || !REGION.test(region))) {
    failures.push({ property: "region", reason: `region must be an AWS region name such as us-east-1; got ${JSON.stringify(region)}` });
  }
  if (profile !== undefined && !isUnknown(profile) && (typeof profile !== "string" || profile.trim() === "")) {
    failures.push({ property: "profile", reason: "profile must be the non-empty name of a profile in the shared AWS config" });
  }
  if (roleArn !== undefined && !isUnknown(roleArn) && (typeof roleArn !== "string" || !ROLE_ARN.test(roleArn))) {
    failures.push({
      property: "roleArn",
      reason: `roleArn must be an IAM role ARN (arn:<partition>:iam::<account>:role/<name>, partition one of ${PARTITIONS.join(", ")}); got ${JSON.stringify(roleArn)}`,
    });
  }
  return failures;
}

function validateFlags(inputs: Record<string, unknown>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const flag of ["deleteUser", "adopt", "disabled"]) {
    const v = inputs[flag];
    if (v !== undefined && !isUnknown(v) && typeof v !== "boolean")
      failures.push({ property: flag, reason: `${flag} must be true or false` });
  }
  const pinned = inputs.adoptUserId;
  if (pinned !== undefined && !isUnknown(pinned)) {
    // IAM documents UserIds as 16 to 128 word characters (AIDA... in AWS; other forms in emulators).
    if (typeof pinned !== "string" || !/^[\w]{16,128}$/.test(pinned))
      failures.push({
        property: "adoptUserId",
        reason: `adoptUserId must be an IAM UserId (16-128 letters and digits); got ${JSON.stringify(pinned)}`,
      });
    else if (inputs.adopt !== true && inputs.deleteUser !== false)
      failures.push({
        property: "adoptUserId",
        reason: "adoptUserId pins the user that adopt: true takes over; set adopt: true (or deleteUser: false)",
      });
  }
  if (inputs.deleteUser === false && inputs.adopt === false) {
    failures.push({
      property: "adopt",
      reason: "deleteUser: false (companion mode) manages a user created elsewhere, so it always adopts; adopt: false contradicts it",
    });
  }
  return failures;
}

/** requireInactiveFor: a whole number of days or hours ("90d", "36h"), as the CLI's --inactive-for. */
function validateInactivityWindow(value: unknown): CheckFailure[] {
  if (value === undefined || isUnknown(value)) return [];
  try {
    if (typeof value !== "string") throw new Error(`got ${JSON.stringify(value)}`);
    parseInactivityWindow(value);
    return [];
  } catch (err) {
    return [
      {
        property: "requireInactiveFor",
        reason: `requireInactiveFor must be a number of days or hours, such as "90d" or "36h" (${(err as Error).message})`,
      },
    ];
  }
}

/** record: a directory, or s3://bucket/prefix/ (the CLI's --record takes the same two forms). */
export function validateRecordLocation(value: unknown): CheckFailure[] {
  if (value === undefined || isUnknown(value)) return [];
  if (typeof value !== "string" || value.trim() === "")
    return [{ property: "record", reason: `record must be a directory or s3://bucket/prefix/; got ${JSON.stringify(value)}` }];
  if (value.startsWith("s3://") && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(value))
    return [{ property: "record", reason: `record ${JSON.stringify(value)} is not an S3 location of the form s3://bucket/prefix/` }];
  return [];
}

/** Every rule at once, so one preview shows every problem. */
export function validateInputs(inputs: Record<string, unknown>): CheckFailure[] {
  const unknownProps = Object.keys(inputs)
    .filter((k) => !k.startsWith("__") && !(INPUT_PROPERTIES as readonly string[]).includes(k))
    .map((k) => ({
      property: k,
      reason: `${k} is not an input of IamUserTeardown (credentials are never inputs: use the AWS environment, a profile or roleArn)`,
    }));
  return [
    ...(inputs.userName === undefined ? [{ property: "userName", reason: "userName is required" }] : validateUserName(inputs.userName)),
    ...validatePath(inputs.path),
    ...validateTags(inputs.tags),
    ...validatePermissionsBoundary(inputs.permissionsBoundary),
    ...validateConnection(inputs),
    ...validateRecordLocation(inputs.record),
    ...validateFlags(inputs),
    ...validateInactivityWindow(inputs.requireInactiveFor),
    ...unknownProps,
  ];
}
