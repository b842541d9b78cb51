/**
 * End-to-end check of the local Pulumi toolchain: the CLI built by scripts/setup-pulumi.sh, the
 * project's Node.js language host, and the dynamic-provider shim from @pulumi/pulumi. A TypeScript
 * program with an inline dynamic provider goes through up, preview, refresh and destroy against a
 * file backend. Skipped when the toolchain is missing, unless REQUIRE_PULUMI=1.
 */
import * as assert from "node:assert";
import { requirePulumiToolchain } from "../helpers/pulumi/toolchain";
import { PulumiWorkspace } from "../helpers/pulumi/workspace";

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";

// Records every call in a file, so the test can see which provider methods the engine used.
const provider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: any) {
        require("fs").appendFileSync(inputs.logFile, "create " + inputs.name + "\\n");
        return {
            id: "widget-" + inputs.name,
            outs: { ...inputs, greeting: "hello " + inputs.name, size: inputs.name.length },
        };
    },
    async read(id: string, props: any) {
        require("fs").appendFileSync(props.logFile, "read " + id + "\\n");
        return { id, props };
    },
    async delete(id: string, props: any) {
        require("fs").appendFileSync(props.logFile, "delete " + id + "\\n");
    },
};

interface WidgetArgs {
    name: pulumi.Input<string>;
    logFile: pulumi.Input<string>;
}

class Widget extends pulumi.dynamic.Resource {
    public readonly greeting!: pulumi.Output<string>;
    public readonly size!: pulumi.Output<number>;
    constructor(name: string, args: WidgetArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { greeting: undefined, size: undefined, ...args }, opts);
    }
}

const config = new pulumi.Config();
const widget = new Widget("w", { name: config.require("who"), logFile: config.require("logFile") });

export const widgetId = widget.id;
export const greeting = widget.greeting;
export const size = widget.size;
export const secretEcho = config.requireSecret("token");
`;

describe("e2e: Pulumi toolchain (CLI + Node.js language host + dynamic provider)", function () {
  this.timeout(240_000);

  let ws: PulumiWorkspace | undefined;
  let logFile: string;
  const calls = async () => {
    const fs = await import("node:fs");
    return fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").trim().split("\n") : [];
  };

  before(async function () {
    const toolchain = requirePulumiToolchain(this);
    ws = await PulumiWorkspace.create({ toolchain, projectName: "toolchain-e2e", program: { "index.ts": PROGRAM } });
    logFile = `${ws.root}/provider-calls.log`;
    await ws.stackInit("e2e");
    await ws.configSet("who", "alice");
    await ws.configSet("logFile", logFile);
    await ws.configSet("token", "s3cr3t", { secret: true });
  });

  after(async () => {
    await ws?.dispose();
  });

  it("pulumi version reports the pinned CLI", async () => {
    const r = await ws!.runOk(["version"]);
    assert.match(r.stdout.trim(), /^v3\.\d+\.\d+/);
  });

  it("up creates the dynamic resource and exports its outputs", async () => {
    const up = await ws!.up();
    assert.strictEqual(up.code, 0, `pulumi up failed:\n${up.stdout}\n${up.stderr}`);
    assert.match(up.stdout, /\+ 2 created/);

    const outputs = await ws!.outputs();
    assert.deepStrictEqual(outputs, {
      widgetId: "widget-alice",
      greeting: "hello alice",
      size: 5,
      secretEcho: "s3cr3t",
    });
    assert.deepStrictEqual(await calls(), ["create alice"]);

    const widget = (await ws!.resources()).find((r) => r.type === "pulumi-nodejs:dynamic:Resource");
    assert.ok(widget, "the dynamic resource is in the state");
    assert.strictEqual(widget.id, "widget-alice");
    assert.strictEqual(widget.outputs?.greeting, "hello alice");
  });

  it("preview --diff shows no changes", async () => {
    const preview = await ws!.preview();
    assert.strictEqual(preview.code, 0, `pulumi preview failed:\n${preview.stdout}\n${preview.stderr}`);
    assert.match(preview.stdout, /2 unchanged/);
    assert.doesNotMatch(preview.stdout, /to create|to update|to delete|to replace/);

    const { plan } = await ws!.previewJson();
    assert.deepStrictEqual(plan.changeSummary, { same: 2 });
    assert.ok(
      plan.steps?.every((s) => s.op === "same"),
      JSON.stringify(plan.steps?.map((s) => s.op)),
    );
  });

  it("refresh reads the resource back through the provider", async () => {
    const refresh = await ws!.refresh();
    assert.strictEqual(refresh.code, 0, `pulumi refresh failed:\n${refresh.stdout}\n${refresh.stderr}`);
    assert.deepStrictEqual(await calls(), ["create alice", "read widget-alice"]);
  });

  it("a failing program makes up fail with the program's error", async () => {
    await ws!.writeProgram({ "index.ts": `${PROGRAM}\nthrow new Error("deliberate failure in the program");\n` });
    const up = await ws!.up();
    assert.notStrictEqual(up.code, 0);
    assert.match(up.stdout + up.stderr, /deliberate failure in the program/);
    await ws!.writeProgram({ "index.ts": PROGRAM });
  });

  it("destroy deletes the resource", async () => {
    const destroy = await ws!.destroy();
    assert.strictEqual(destroy.code, 0, `pulumi destroy failed:\n${destroy.stdout}\n${destroy.stderr}`);
    assert.match(destroy.stdout, /- 2 deleted/);
    assert.deepStrictEqual(await calls(), ["create alice", "read widget-alice", "delete widget-alice"]);
    assert.deepStrictEqual(await ws!.resources(), []);
  });
});
