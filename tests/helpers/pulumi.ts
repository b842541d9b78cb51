/**
 * Runs the real Pulumi CLI for end-to-end tests, fully local: a file backend in a temporary
 * directory, no Pulumi Cloud, no update checks, no plugin downloads.
 *
 * The CLI and the Node.js language host come from `bash scripts/setup-pulumi.sh`, which puts them in
 * `.tools/pulumi-<version>/bin/` (or from PATH). When they are missing, e2e suites are skipped with
 * the reason, unless `REQUIRE_PULUMI=1` (set in CI), which makes the suites fail instead.
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
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
const NODE_MODULES = path.join(REPO_ROOT, "node_modules");
const SDK_DIR = path.join(NODE_MODULES, "@pulumi", "pulumi");

export interface PulumiToolchain {
    /** Directory with `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`. */
    binDir: string;
    /** Absolute path of the `pulumi` executable. */
    pulumi: string;
}

export type PulumiToolchainLookup = PulumiToolchain | { skipReason: string };

const SETUP_HINT = "run `bash scripts/setup-pulumi.sh` (needs Go and the Go module proxy)";

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

function whichAll(name: string, searchPath = process.env.PATH ?? ""): string[] {
    return searchPath
        .split(path.delimiter)
        .filter((dir) => dir !== "")
        .map((dir) => path.join(dir, name))
        .filter(isExecutable);
}

function installedSdkVersion(): string | undefined {
    try {
        return JSON.parse(fs.readFileSync(path.join(SDK_DIR, "package.json"), "utf8")).version;
    } catch {
        return undefined;
    }
}

function compareVersions(a: string, b: string): number {
    const pa = a.split(".").map((n) => parseInt(n, 10) || 0);
    const pb = b.split(".").map((n) => parseInt(n, 10) || 0);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
        const d = (pa[i] ?? 0) - (pb[i] ?? 0);
        if (d !== 0) {
            return d;
        }
    }
    return 0;
}

/**
 * Finds the toolchain: `$PULUMI_TOOLCHAIN_BIN` if set, else `.tools/pulumi-<v>/bin` (preferring the
 * version of the installed `@pulumi/pulumi`, else the newest), else `pulumi` on PATH together with a
 * `pulumi-language-nodejs` next to it or on PATH.
 */
export function findPulumiToolchain(): PulumiToolchainLookup {
    if (!fs.existsSync(path.join(SDK_DIR, "pulumi-resource-pulumi-nodejs"))) {
        return { skipReason: `${SDK_DIR} is missing; run \`npm ci\`` };
    }
    const check = (binDir: string, origin: string): PulumiToolchainLookup => {
        const pulumi = path.join(binDir, "pulumi");
        if (!isExecutable(pulumi)) {
            return { skipReason: `no pulumi executable in ${binDir} (${origin}); ${SETUP_HINT}` };
        }
        const hosts = [path.join(binDir, "pulumi-language-nodejs"), ...whichAll("pulumi-language-nodejs")];
        if (!hosts.some(isExecutable)) {
            return {
                skipReason: `no pulumi-language-nodejs next to ${pulumi} or on PATH (${origin}); ${SETUP_HINT}`,
            };
        }
        return { binDir, pulumi };
    };

    const override = process.env.PULUMI_TOOLCHAIN_BIN;
    if (override) {
        return check(path.resolve(override), "PULUMI_TOOLCHAIN_BIN");
    }

    const toolsDir = path.join(REPO_ROOT, ".tools");
    const versions = fs.existsSync(toolsDir)
        ? fs
              .readdirSync(toolsDir)
              .filter((d) => /^pulumi-\d/.test(d) && isExecutable(path.join(toolsDir, d, "bin", "pulumi")))
              .map((d) => d.slice("pulumi-".length))
              .sort(compareVersions)
              .reverse()
        : [];
    const wanted = installedSdkVersion();
    const version = versions.find((v) => v === wanted) ?? versions[0];
    if (version !== undefined) {
        return check(path.join(toolsDir, `pulumi-${version}`, "bin"), ".tools");
    }

    const onPath = whichAll("pulumi")[0];
    if (onPath !== undefined) {
        return check(path.dirname(onPath), "PATH");
    }
    return { skipReason: `the Pulumi CLI is not installed; ${SETUP_HINT}` };
}

/**
 * For a mocha `before` hook: returns the toolchain, or skips the suite (printing the reason), or,
 * under `REQUIRE_PULUMI=1`, throws so the suite fails.
 */
export function requirePulumiToolchain(ctx?: Mocha.Context): PulumiToolchain {
    const found = findPulumiToolchain();
    if ("binDir" in found) {
        return found;
    }
    if (process.env.REQUIRE_PULUMI === "1") {
        throw new Error(`Pulumi toolchain required (REQUIRE_PULUMI=1) but unavailable: ${found.skipReason}`);
    }
    // mocha reports skipped suites as "pending" without a reason; say why.
    console.warn(`      skipping Pulumi e2e tests: ${found.skipReason}`);
    if (ctx) {
        ctx.skip();
    }
    throw new Error(found.skipReason);
}

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

export interface PulumiResult {
    /** Exit code, or null when the process was ended by a signal. */
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    /** True if the process was killed because it overran `timeoutMs`. */
    timedOut: boolean;
    args: string[];
}

export interface RunOptions {
    cwd: string;
    env: NodeJS.ProcessEnv;
    /** Kill the process tree after this long (default 5 minutes). */
    timeoutMs?: number;
    /** Written to stdin, which is then closed. */
    input?: string;
}

/** Lists the descendants of a process, deepest first, from `ps`. */
function descendants(pid: number): number[] {
    let table: string;
    try {
        table = execFileSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" });
    } catch {
        return [];
    }
    const children = new Map<number, number[]>();
    for (const line of table.split("\n")) {
        const [c, p] = line.trim().split(/\s+/).map(Number);
        if (!Number.isNaN(c) && !Number.isNaN(p)) {
            children.set(p, [...(children.get(p) ?? []), c]);
        }
    }
    const out: number[] = [];
    const visit = (p: number) => {
        for (const c of children.get(p) ?? []) {
            visit(c);
            out.push(c);
        }
    };
    visit(pid);
    return out;
}

/** A running `pulumi` command. */
export class PulumiProcess {
    readonly child: ChildProcess;
    readonly result: Promise<PulumiResult>;
    private out = "";
    private err = "";
    private listeners: Array<() => void> = [];

    constructor(
        readonly toolchain: PulumiToolchain,
        readonly args: string[],
        opts: RunOptions,
    ) {
        this.child = spawn(toolchain.pulumi, args, {
            cwd: opts.cwd,
            env: opts.env,
            stdio: ["pipe", "pipe", "pipe"],
        });
        this.child.stdout!.setEncoding("utf8").on("data", (d: string) => {
            this.out += d;
            this.listeners.forEach((l) => l());
        });
        this.child.stderr!.setEncoding("utf8").on("data", (d: string) => {
            this.err += d;
            this.listeners.forEach((l) => l());
        });
        this.child.stdin!.on("error", () => undefined);
        this.child.stdin!.end(opts.input ?? "");

        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            this.kill("SIGKILL", { tree: true });
        }, opts.timeoutMs ?? 5 * 60_000);
        this.result = new Promise((resolve) => {
            const finish = (code: number | null, signal: NodeJS.Signals | null) => {
                clearTimeout(timer);
                resolve({ code, signal, stdout: this.out, stderr: this.err, timedOut, args });
            };
            this.child.on("error", (e) => {
                this.err += String(e);
                finish(-1, null);
            });
            this.child.on("close", finish);
        });
    }

    get stdout(): string {
        return this.out;
    }

    get stderr(): string {
        return this.err;
    }

    /**
     * Sends a signal to pulumi; with `tree`, also to everything it started (language host, the
     * program, provider plugins), deepest first. SIGINT alone asks pulumi to cancel gracefully;
     * SIGKILL with `tree` simulates a crash that leaves nothing running.
     */
    kill(signal: NodeJS.Signals = "SIGINT", opts: { tree?: boolean } = {}): void {
        const pid = this.child.pid;
        if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) {
            return;
        }
        const targets = opts.tree ? [...descendants(pid), pid] : [pid];
        for (const p of targets) {
            try {
                process.kill(p, signal);
            } catch {
                // already gone
            }
        }
    }

    /** Resolves once stdout+stderr match `pattern`; rejects if the process ends first or on timeout. */
    waitForOutput(pattern: RegExp, timeoutMs = 120_000): Promise<RegExpMatchArray> {
        return new Promise((resolve, reject) => {
            const cleanup = () => {
                clearTimeout(timer);
                this.listeners = this.listeners.filter((l) => l !== check);
            };
            const check = () => {
                const m = (this.out + this.err).match(pattern);
                if (m) {
                    cleanup();
                    resolve(m);
                }
            };
            const timer = setTimeout(() => {
                cleanup();
                reject(new Error(`timed out waiting for ${pattern} in pulumi ${this.args.join(" ")} output`));
            }, timeoutMs);
            this.listeners.push(check);
            void this.result.then((r) => {
                if (this.listeners.includes(check)) {
                    cleanup();
                    reject(new Error(`pulumi ${this.args.join(" ")} exited (${r.code ?? r.signal}) before ${pattern}`));
                }
            });
            check();
        });
    }
}

/** Runs one pulumi command to completion. */
export function runPulumi(toolchain: PulumiToolchain, args: string[], opts: RunOptions): Promise<PulumiResult> {
    return new PulumiProcess(toolchain, args, opts).result;
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
            "package.json": JSON.stringify({ name: opts.projectName ?? "e2e", private: true }, null, 2) + "\n",
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
