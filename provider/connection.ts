import type { AwsConnection } from "./aws/client";

/** Reads `aws:` stack configuration (a Pulumi config object, or anything with the same `get`). */
export interface StackConfigReader {
  get(key: string): string | undefined;
}

/**
 * The connection for a call: the resource's own inputs first, then the stack's `aws:` config, then (by leaving a
 * field unset) the SDK's default chain and standard environment.
 */
export function resolveConnection(props: Record<string, unknown>, stackConfig?: StackConfigReader): AwsConnection {
  const fromStack = awsStackConnection(stackConfig);
  const pick = (key: "region" | "profile" | "roleArn") => (typeof props[key] === "string" && props[key] ? (props[key] as string) : fromStack[key]);
  return { region: pick("region"), profile: pick("profile"), roleArn: pick("roleArn") };
}

/** `aws:region`, `aws:profile` and `aws:assumeRole.roleArn` (or the first of `aws:assumeRoles`). */
export function awsStackConnection(config?: StackConfigReader): AwsConnection {
  if (!config) return {};
  const read = (key: string) => {
    try {
      return config.get(key) || undefined;
    } catch {
      return undefined;
    }
  };
  return { region: read("aws:region"), profile: read("aws:profile"), roleArn: roleArnOf(read("aws:assumeRole")) ?? roleArnOf(read("aws:assumeRoles")) };
}

function roleArnOf(json: string | undefined): string | undefined {
  if (!json) return undefined;
  try {
    const parsed = JSON.parse(json) as { roleArn?: string } | Array<{ roleArn?: string }>;
    return (Array.isArray(parsed) ? parsed[0]?.roleArn : parsed.roleArn) || undefined;
  } catch {
    return undefined;
  }
}
