/** iam-user-teardown: declare AWS IAM users in Pulumi and tear them down completely, in one pass. */

export { type AwsConnection, iamClientFor } from "./aws/client";
export { IamUserTeardownProvider } from "./dynamic-provider";
export { IamUserTeardown, type IamUserTeardownArgs, type IamUserTeardownOptions } from "./resource";
export {
  DEPENDENCY_KINDS,
  type DependencyItem,
  IdentityMismatchError,
  type InventoryOutput,
  type MfaKind,
  MissingPermissionError,
  planTeardown,
  TeardownIncompleteError,
  type TeardownOptions,
  type TeardownPlan,
  type TeardownReport,
  teardownUser,
} from "./teardown";
export { type CheckFailure, validateInputs } from "./validate";
