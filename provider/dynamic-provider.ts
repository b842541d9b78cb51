import type * as dynamic from "@pulumi/pulumi/dynamic";

/**
 * The module the provider loads at each call, by package name: it resolves to the package installed beside the
 * program, not to a copy frozen into stack state when the resource was created.
 */
export const PROVIDER_METHODS_MODULE = "iam-user-teardown/provider-methods";
/**
 * The same name for the code below. Code that Pulumi serializes must not read this module's exports: TypeScript
 * compiles a use of an exported constant to `exports.X`, and when the package is installed in node_modules (as npm
 * installs it) the serializer stores that `exports` object as `require("iam-user-teardown/dist/dynamic-provider.js")`,
 * a path the package's "exports" map does not open, so the provider could not even be loaded. A module-local constant
 * is stored by value.
 */
const METHODS_MODULE = PROVIDER_METHODS_MODULE;

type Methods = typeof import("./provider-methods");
type Inputs = import("./provider-methods").TeardownInputs;
type Outputs = import("./provider-methods").TeardownOutputs;
interface ConfigureRequest {
  config: { get(key: string): string | undefined };
}

/**
 * The provider Pulumi serializes into the stack. It holds no logic of its own: each method loads the installed
 * package and forwards, so `pulumi destroy` of a stack created with an older version runs the current teardown.
 * Nothing from the AWS SDK is captured here (SDK clients cannot be serialized, and would freeze a version).
 */
export class IamUserTeardownProvider implements dynamic.ResourceProvider<Inputs, Outputs> {
  private stackConfig?: ConfigureRequest["config"];
  private readonly methodsModule: string;

  constructor(methodsModule: string = METHODS_MODULE) {
    this.methodsModule = methodsModule;
  }

  private methods(): Methods {
    return require(this.methodsModule) as Methods;
  }

  async configure(req: ConfigureRequest): Promise<void> {
    this.stackConfig = req.config;
  }
  check(olds: Inputs, news: Inputs) {
    return this.methods().check(olds, news);
  }
  diff(id: string, olds: Outputs, news: Inputs) {
    return this.methods().diff(id, olds, news);
  }
  create(inputs: Inputs) {
    return this.methods().create(inputs, this.stackConfig);
  }
  read(id: string, props?: Outputs) {
    // Pulumi passes the recorded state on refresh; without it, the id is the user's name.
    return this.methods().read(id, props ?? { userName: id }, this.stackConfig);
  }
  update(id: string, olds: Outputs, news: Inputs) {
    return this.methods().update(id, olds, news, this.stackConfig);
  }
  delete(id: string, props: Outputs) {
    return this.methods().remove(id, props, this.stackConfig);
  }
}
