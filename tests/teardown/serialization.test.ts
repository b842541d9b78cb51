import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { IamUserTeardownProvider } from "../../provider/dynamic-provider";

// The closure serializer Pulumi's dynamic.Resource uses to write `__provider` into stack state.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { serializeFunction } = require("@pulumi/pulumi/runtime/closure/serializeClosure");

describe("the provider serialized into stack state", () => {
  let text: string;
  before(async () => {
    const provider = new IamUserTeardownProvider();
    // Exactly what @pulumi/pulumi/dynamic does for every dynamic resource.
    text = (await serializeFunction(() => provider, { allowSecrets: true })).text;
  });

  it("is small and loads the installed package at call time", () => {
    assert.ok(text.length < 8_000, `serialized provider is ${text.length} bytes`);
    assert.ok(text.includes('"iam-user-teardown/provider-methods"'), "names the installed package");
    assert.match(text, /require\(this\.methodsModule\)/);
  });

  it("holds none of the engine's code", () => {
    for (const marker of ["DeleteVirtualMFADevice", "ListMFADevices", "DeleteConflict", "IAMClient", "classify", "DEPENDENCY_KINDS"]) {
      assert.equal(text.includes(marker), false, `${marker} must not be frozen into state`);
    }
  });

  it("runs the installed engine when deserialized the way the provider host does", async () => {
    // The host evaluates the text with require-from-string and calls handler().
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const requireFromString = require("require-from-string");
    const provider = requireFromString(text, path.join(process.cwd(), "provider-from-state.js")).handler();
    const result = await provider.check({}, { userName: "bad name!" });
    assert.equal(result.failures[0].property, "userName");
    assert.ok(fs.existsSync(require.resolve("iam-user-teardown/provider-methods")));
  });
});
