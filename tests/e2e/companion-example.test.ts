/**
 * examples/companion-aws-user, the program the README shows for companion mode beside aws.iam.User, run under
 * pulumi.runtime.setMocks: the @pulumi/aws provider plugin cannot be fetched here, so the real-engine run of companion
 * mode (companion.test.ts) uses a second IamUserTeardown as the owner. This checks the example itself: the companion
 * receives the user's name from aws.iam.User, depends on it (so destroy runs the companion first), and has
 * deleteUser false.
 */

import * as assert from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { RESOURCE_TYPE } from "./support";

interface Registration {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  urn?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

describe("examples/companion-aws-user under pulumi.runtime.setMocks", function () {
  // Loading @pulumi/aws takes a few seconds.
  this.timeout(60_000);

  const registrations: Registration[] = [];
  let program: typeof import("../../examples/companion-aws-user/index");

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          const state: Record<string, unknown> = { ...args.inputs };
          if (args.type === "aws:iam/user:User") {
            state.arn = `arn:aws:iam::123456789012:user${args.inputs.path ?? "/"}${args.inputs.name}`;
            state.uniqueId = "AIDAMOCKMOCKMOCKMOCK1";
          } else if (args.type === RESOURCE_TYPE) {
            state.userId = "AIDAMOCKMOCKMOCKMOCK1";
            state.arn = `arn:aws:iam::123456789012:user/ci/${args.inputs.userName}`;
          }
          return { id: `${args.name}-id`, state };
        },
        call: (args) => args.inputs,
      },
      "companion-aws-user",
      "test",
      false,
    );
    // The mock monitor does not hand dependencies to newResource; read them from the registration requests.
    const monitor = pulumi.runtime.getMonitor() as unknown as {
      registerResource(req: RegisterRequest, cb: (err: unknown, res?: { getUrn(): string }) => void): void;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
      const propertyDependencies: Record<string, string[]> = {};
      req.getPropertydependenciesMap().forEach((deps, key) => (propertyDependencies[key] = deps.getUrnsList()));
      const registration: Registration = {
        type: req.getType(),
        name: req.getName(),
        inputs: req.getObject()?.toJavaScript() ?? {},
        dependencies: req.getDependenciesList(),
        propertyDependencies,
      };
      registrations.push(registration);
      register(req, (err, res) => {
        if (res) registration.urn = res.getUrn();
        cb(err, res);
      });
    };
    program = await import("../../examples/companion-aws-user/index");
  });

  const resolved = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply((v) => resolve(v)));

  it("declares aws.iam.User and an IamUserTeardown companion with deleteUser false that receives its name", async () => {
    assert.strictEqual(await resolved(program.teardown.userName), "deployer");
    assert.strictEqual(await resolved(program.teardown.deleteUser), false);
    assert.strictEqual(await resolved(program.userArn), "arn:aws:iam::123456789012:user/ci/deployer");
    await resolved(program.teardown.urn);
    const user = registrations.find((r) => r.type === "aws:iam/user:User");
    const companion = registrations.find((r) => r.type === RESOURCE_TYPE);
    assert.ok(user && companion, JSON.stringify(registrations.map((r) => r.type)));
    assert.strictEqual(user.inputs.name, "deployer");
    assert.ok(!("forceDestroy" in user.inputs) || user.inputs.forceDestroy === false, "the user needs no forceDestroy");
    assert.strictEqual(companion.inputs.deleteUser, false);
    assert.strictEqual(companion.inputs.userName, "deployer");
  });

  it("the companion depends on the user, so pulumi destroy runs it first", async () => {
    const user = registrations.find((r) => r.type === "aws:iam/user:User")!;
    const companion = registrations.find((r) => r.type === RESOURCE_TYPE)!;
    assert.ok(user.urn, "the user was registered");
    assert.ok(companion.dependencies.includes(user.urn), `dependencies: ${companion.dependencies.join(", ")}`);
    assert.deepStrictEqual(companion.propertyDependencies.userName, [user.urn], "through the userName input");
  });
});

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(fn: (deps: { getUrnsList(): string[] }, key: string) => void): void };
}
