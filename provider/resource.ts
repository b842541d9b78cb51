import * as pulumi from "@pulumi/pulumi";
import { IamUserTeardownProvider } from "./dynamic-provider";
import type { InventoryOutput } from "./teardown/report";

export interface IamUserTeardownArgs {
  /**
   * The IAM user's name. Changing it renames the user in place (UpdateUser): same UserId, every credential kept. In
   * companion mode the owner renames it and this resource follows.
   */
  userName: pulumi.Input<string>;
  /** IAM path: "/" for a new user; undeclared, an adopted user's path is left as it is. */
  path?: pulumi.Input<string>;
  /**
   * Tags managed on the user. Only the keys listed are managed: a tag the program never declared is left alone, one it
   * declared and then dropped is removed.
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * ARN of a managed policy used as the user's permissions boundary. Undeclared, the user's boundary is left as it is;
   * removed only when the program declared one and then dropped it.
   */
  permissionsBoundary?: pulumi.Input<string>;
  /**
   * true (default): destroy deletes the user after clearing it. false: companion mode for a user managed elsewhere
   * (for example by aws.iam.User): destroy clears every dependency and leaves DeleteUser to the other resource.
   * Companion mode adopts the existing user on create.
   */
  deleteUser?: pulumi.Input<boolean>;
  /**
   * Take over an existing user instead of creating one (Pulumi's `import` option does not work with dynamic
   * providers). Records its UserId and applies the declared path, tags and boundary; nothing undeclared is changed.
   */
  adopt?: pulumi.Input<boolean>;
  /** With adopt: the UserId the existing user must have. Any other user under the name is refused, nothing changed. */
  adoptUserId?: pulumi.Input<string>;
  /**
   * true: disable the user, reversibly (every Active access key, SSH key, signing certificate and service-specific
   * credential set Inactive, and a deny-all policy put on; the console password and MFA devices kept). false, or the
   * input removed after being declared: enable it again, exactly as it was. See docs/decommission.md.
   */
  disabled?: pulumi.Input<boolean>;
  /**
   * Connection, for a user that must be reached differently from the rest of the stack. Each defaults to the stack's
   * aws: config as it is when the provider runs (aws:region, aws:profile, aws:assumeRole / aws:assumeRoles), then to
   * the SDK's default chain and environment. Changing one is an update of what is recorded, with no call to IAM.
   */
  region?: pulumi.Input<string>;
  profile?: pulumi.Input<string>;
  roleArn?: pulumi.Input<string>;
  /**
   * Refuse to delete the user while it has activity inside this window: "90d", "36h" (console password, access keys'
   * last use, per-service last access; see docs/activity.md). Off by default. Pulumi applies the value recorded at the
   * last `pulumi up`: to let an active user go, lower it and run `pulumi up` first; `pulumi destroy
   * --continue-on-error` removes the other users in the same run.
   */
  requireInactiveFor?: pulumi.Input<string>;
  /**
   * Where a destroy writes the user's record (docs/records.md) before removing anything: a directory (relative paths
   * from the Pulumi project's directory) or s3://bucket/prefix/. A destroy uses the value of the last `pulumi up`
   * (Pulumi hands a destroy the recorded inputs): set it, run `pulumi up`, then destroy, or use
   * `pulumi destroy --run-program`. If the record cannot be written, the user is not touched and the destroy fails.
   */
  record?: pulumi.Input<string>;
}

export interface IamUserTeardownOptions extends pulumi.CustomResourceOptions {
  /** Module the provider loads at call time; only tests point it elsewhere. */
  providerMethodsModule?: string;
}

/**
 * An IAM user that, when it leaves the stack, is torn down completely in one pass: every credential, MFA device
 * (by its kind), group membership and policy that would block DeleteUser.
 */
export class IamUserTeardown extends pulumi.dynamic.Resource {
  declare public readonly userName: pulumi.Output<string>;
  declare public readonly path: pulumi.Output<string>;
  declare public readonly tags: pulumi.Output<Record<string, string> | undefined>;
  declare public readonly permissionsBoundary: pulumi.Output<string | undefined>;
  declare public readonly deleteUser: pulumi.Output<boolean>;
  declare public readonly adopt: pulumi.Output<boolean>;
  declare public readonly arn: pulumi.Output<string>;
  declare public readonly userId: pulumi.Output<string>;
  /**
   * What hangs on the user as of the last create, update or refresh, what a destroy will remove: the kinds that hold
   * something, each as its identifiers on one line. Undefined when nothing does.
   */
  declare public readonly inventory: pulumi.Output<InventoryOutput | undefined>;
  /** The inventory in one line: "console password, 2 access keys, 1 virtual MFA device, 1 group"; "nothing" when empty. */
  declare public readonly summary: pulumi.Output<string>;
  /**
   * The user's activity in one line, as of the last create, update or refresh: "last <date> (<source>); created ...;
   * password ...; keys ...; services ...", or "unknown: <why>".
   */
  declare public readonly activity: pulumi.Output<string | undefined>;
  /** When the user was disabled (by this resource or the CLI), as of the last create, update or refresh; undefined when it is not. */
  declare public readonly disabledSince: pulumi.Output<string | undefined>;

  constructor(name: string, args: IamUserTeardownArgs, opts: IamUserTeardownOptions = {}) {
    const { providerMethodsModule, ...resourceOptions } = opts;
    // Only what is given here is recorded: the stack's aws: config is read by the provider each time it runs, so a
    // destroy years later uses the credentials of that day, not those of the day the user was created.
    const props = {
      userName: args.userName,
      path: args.path,
      tags: args.tags,
      permissionsBoundary: args.permissionsBoundary,
      deleteUser: args.deleteUser,
      adopt: args.adopt,
      adoptUserId: args.adoptUserId,
      disabled: args.disabled,
      region: args.region,
      profile: args.profile,
      roleArn: args.roleArn,
      requireInactiveFor: args.requireInactiveFor,
      record: args.record,
      arn: undefined,
      userId: undefined,
      inventory: undefined,
      summary: undefined,
      activity: undefined,
      disabledSince: undefined,
    };
    super(new IamUserTeardownProvider(providerMethodsModule), name, props, resourceOptions, "iam-user-teardown", "IamUserTeardown");
  }
}
