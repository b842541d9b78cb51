/** Runs `pulumi` commands: output collected as it comes, a timeout, signals to the whole process tree. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import type { PulumiToolchain } from "./toolchain";

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
    const timer = setTimeout(
      () => {
        timedOut = true;
        this.kill("SIGKILL", { tree: true });
      },
      opts.timeoutMs ?? 5 * 60_000,
    );
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
