/**
 * Pulumi programs and stacks for end-to-end tests, fully local: a file backend in a temporary
 * directory, no Pulumi Cloud, no update checks, no plugin downloads.
 *
 *     describe("e2e", function () {
 *         let ws: PulumiWorkspace;
 *         before(async function () {
 *             const toolchain = requirePulumiToolchain(this); // skips, or throws under REQUIRE_PULUMI=1
 *             ws = await PulumiWorkspace.create({ toolchain, program: { "index.ts": "..." } });
 *             await ws.stackInit("test");
 *         });
 *         after(async () => ws?.dispose());
 *         it("deploys", async () => {
 *             const up = await ws.up();
 *             assert.strictEqual(up.code, 0, up.stderr);
 *         });
 *     });
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PulumiProcess, type PulumiResult, type RunOptions } from "./process";
import { findPulumiToolchain, NODE_MODULES, type PulumiToolchain, SDK_DIR } from "./toolchain";

/**
 * The environment Pulumi runs with: the caller's environment without any PULUMI_* variables (so a
 * developer's login, backend or access token never leaks in), then local-only settings.
 */
export function pulumiEnv(
  toolchain: PulumiToolchain,
  dirs: { stateDir: string; homeDir: string },
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("PULUMI_")) {
      env[k] = v;
    }
  }
  const searchPath = [toolchain.binDir, path.dirname(process.execPath), SDK_DIR, process.env.PATH ?? ""];
  return {
    ...env,
    PATH: searchPath.filter((p) => p !== "").join(path.delimiter),
    PULUMI_BACKEND_URL: `file://${dirs.stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: "test",
    PULUMI_HOME: dirs.homeDir,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    NO_COLOR: "1",
    ...extra,
  };
}

export interface WorkspaceOptions {
  toolchain?: PulumiToolchain;
  /**
   * Files of the Pulumi program, relative to the program directory. Pulumi.yaml (runtime nodejs) and
   * package.json are written when not given; node_modules links to the repository's node_modules.
   */
  program?: Record<string, string>;
  /** Project name used in the default Pulumi.yaml. */
  projectName?: string;
  /** Extra environment for every command. */
  env?: NodeJS.ProcessEnv;
  /** Default per-command timeout. */
  timeoutMs?: number;
}

/**
 * A temporary directory holding a Pulumi program (`program/`), a file backend (`state/`) and a
 * PULUMI_HOME (`home/`). Remove it with dispose() (kept if KEEP_PULUMI_WORKSPACE=1).
 */
export class PulumiWorkspace {
  readonly env: NodeJS.ProcessEnv;
  readonly programDir: string;
  readonly stateDir: string;
  readonly homeDir: string;
  private running = new Set<PulumiProcess>();

  private constructor(
    readonly toolchain: PulumiToolchain,
    readonly root: string,
    private readonly opts: WorkspaceOptions,
  ) {
    this.programDir = path.join(root, "program");
    this.stateDir = path.join(root, "state");
    this.homeDir = path.join(root, "home");
    this.env = pulumiEnv(toolchain, this, opts.env);
  }

  static async create(opts: WorkspaceOptions = {}): Promise<PulumiWorkspace> {
    let toolchain = opts.toolchain;
    if (!toolchain) {
      const found = findPulumiToolchain();
      if (!("binDir" in found)) {
        throw new Error(found.skipReason);
      }
      toolchain = found;
    }
    const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), "iut-pulumi-"));
    const ws = new PulumiWorkspace(toolchain, root, opts);
    await Promise.all([ws.programDir, ws.stateDir, ws.homeDir].map((d) => fs.promises.mkdir(d)));
    await fs.promises.symlink(NODE_MODULES, path.join(ws.programDir, "node_modules"), "dir");
    await ws.writeProgram({
      "Pulumi.yaml": `name: ${opts.projectName ?? "e2e"}\nruntime: nodejs\n`,
      "package.json": `${JSON.stringify({ name: opts.projectName ?? "e2e", private: true }, null, 2)}\n`,
      ...opts.program,
    });
    return ws;
  }

  /** Writes (or overwrites) program files; e.g. to change the program between two `up`s. */
  async writeProgram(files: Record<string, string>): Promise<void> {
    for (const [name, text] of Object.entries(files)) {
      const file = path.join(this.programDir, name);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await fs.promises.writeFile(file, text);
    }
  }

  /** Starts a pulumi command in the program directory without waiting for it. */
  start(args: string[], opts: Partial<RunOptions> = {}): PulumiProcess {
    const proc = new PulumiProcess(this.toolchain, args, {
      cwd: opts.cwd ?? this.programDir,
      env: { ...this.env, ...opts.env },
      timeoutMs: opts.timeoutMs ?? this.opts.timeoutMs,
      input: opts.input,
    });
    this.running.add(proc);
    void proc.result.then(() => this.running.delete(proc));
    return proc;
  }

  /** Runs a pulumi command in the program directory. */
  run(args: string[], opts: Partial<RunOptions> = {}): Promise<PulumiResult> {
    return this.start(args, opts).result;
  }

  /** Like run(), but rejects with the command's output unless it exits 0. */
  async runOk(args: string[], opts: Partial<RunOptions> = {}): Promise<PulumiResult> {
    const r = await this.run(args, opts);
    if (r.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${r.code ?? r.signal}\n${r.stdout}\n${r.stderr}`);
    }
    return r;
  }

  stackInit(stack = "test"): Promise<PulumiResult> {
    return this.runOk(["stack", "init", stack, "--non-interactive"]);
  }

  configSet(key: string, value: string, opts: { secret?: boolean } = {}): Promise<PulumiResult> {
    return this.runOk(["config", "set", key, value, ...(opts.secret ? ["--secret"] : ["--plaintext"])]);
  }

  up(extraArgs: string[] = []): Promise<PulumiResult> {
    return this.run(["up", "--yes", "--skip-preview", "--non-interactive", ...extraArgs]);
  }

  preview(extraArgs: string[] = []): Promise<PulumiResult> {
    return this.run(["preview", "--diff", "--non-interactive", ...extraArgs]);
  }

  /** `pulumi preview --json`: the parsed plan (steps, changeSummary, ...) and the raw result. */
  async previewJson(extraArgs: string[] = []): Promise<{ result: PulumiResult; plan: PreviewJson }> {
    const result = await this.run(["preview", "--json", "--non-interactive", ...extraArgs]);
    let plan: PreviewJson;
    try {
      plan = JSON.parse(result.stdout);
    } catch {
      throw new Error(`pulumi preview --json printed no JSON (exit ${result.code})\n${result.stdout}\n${result.stderr}`);
    }
    return { result, plan };
  }

  refresh(extraArgs: string[] = []): Promise<PulumiResult> {
    return this.run(["refresh", "--yes", "--skip-preview", "--non-interactive", ...extraArgs]);
  }

  destroy(extraArgs: string[] = []): Promise<PulumiResult> {
    return this.run(["destroy", "--yes", "--skip-preview", "--non-interactive", ...extraArgs]);
  }

  /** Stack outputs (secrets shown in plain text). */
  async outputs(): Promise<Record<string, unknown>> {
    const r = await this.runOk(["stack", "output", "--json", "--show-secrets"]);
    return JSON.parse(r.stdout);
  }

  /** The stack's checkpoint (`pulumi stack export`). */
  async exportStack(): Promise<StackExport> {
    const r = await this.runOk(["stack", "export", "--show-secrets"]);
    return JSON.parse(r.stdout);
  }

  /** Resources in the stack's state, with their types, ids and outputs. */
  async resources(): Promise<StackResource[]> {
    return (await this.exportStack()).deployment.resources ?? [];
  }

  /** Kills any command still running and removes the temporary directory. */
  async dispose(): Promise<void> {
    for (const p of this.running) {
      p.kill("SIGKILL", { tree: true });
    }
    await Promise.all([...this.running].map((p) => p.result));
    if (process.env.KEEP_PULUMI_WORKSPACE === "1") {
      console.warn(`      kept Pulumi workspace ${this.root}`);
      return;
    }
    await fs.promises.rm(this.root, { recursive: true, force: true });
  }
}

export interface PreviewStep {
  op: string;
  urn: string;
  type?: string;
  oldState?: Record<string, unknown>;
  newState?: Record<string, unknown>;
  detailedDiff?: Record<string, unknown>;
  diffReasons?: string[];
  [k: string]: unknown;
}

export interface PreviewJson {
  steps?: PreviewStep[];
  changeSummary?: Record<string, number>;
  diagnostics?: Array<{ message: string; severity: string; urn?: string }>;
  [k: string]: unknown;
}

export interface StackResource {
  urn: string;
  type: string;
  id?: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  pendingReplacement?: boolean;
  [k: string]: unknown;
}

export interface StackExport {
  version: number;
  deployment: {
    resources?: StackResource[];
    pending_operations?: Array<{ resource: StackResource; type: string }>;
    [k: string]: unknown;
  };
}
