/** iam-user-teardown: declare AWS IAM users in Pulumi and tear them down completely, in one pass. */
export { IamUserTeardown, type IamUserTeardownArgs, type IamUserTeardownOptions } from "./resource";
export { IamUserTeardownProvider } from "./dynamic-provider";
export {
  teardownUser,
  planTeardown,
  IdentityMismatchError,
  MissingPermissionError,
  TeardownIncompleteError,
  DEPENDENCY_KINDS,
  type TeardownOptions,
  type TeardownReport,
  type TeardownPlan,
  type InventoryOutput,
  type DependencyItem,
  type MfaKind,
} from "./teardown";
export { iamClientFor, type AwsConnection } from "./aws/client";
export { validateInputs, type CheckFailure } from "./validate";
