/** The bench's handle on the emulator process (emulator-host.ts). */
import { type ChildProcess, fork } from "node:child_process";
import * as path from "node:path";
import type { EmulatorOptions, Scenario, SeedResult } from "../tests/iam-emulator";
import type { HostRequest, InspectQuery, InspectResult, LogStats } from "./emulator-host";

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

export class RemoteEmulator {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  endpoint = "";
  accountId = "";

  private constructor() {
    this.child = fork(path.join(__dirname, "emulator-host.ts"), [], {
      execArgv: ["-r", "ts-node/register"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child.on("message", (msg: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`emulator process: ${msg.error}`));
    });
    this.child.on("exit", (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`emulator process exited (${code})`));
      this.pending.clear();
    });
  }

  static async launch(): Promise<RemoteEmulator> {
    return new RemoteEmulator();
  }

  private call<T>(req: WithoutId<HostRequest>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...req, id });
    });
  }

  /** Starts a fresh emulator (a new account, a new port) in the emulator process. */
  async start(options: EmulatorOptions): Promise<void> {
    const r = await this.call<{ endpoint: string; accountId: string }>({ cmd: "start", options });
    this.endpoint = r.endpoint;
    this.accountId = r.accountId;
  }

  /** Seeds the home account, or another account the emulator serves. */
  seed(scenario: Scenario, accountId?: string): Promise<SeedResult> {
    return this.call({ cmd: "seed", scenario, accountId });
  }
  clearLog(): Promise<void> {
    return this.call({ cmd: "clearLog" });
  }
  stats(): Promise<LogStats> {
    return this.call({ cmd: "stats" });
  }
  inspect(query: InspectQuery, accountId?: string): Promise<InspectResult> {
    return this.call({ cmd: "inspect", query, accountId });
  }
  stop(): Promise<void> {
    return this.call({ cmd: "stop" });
  }

  async close(): Promise<void> {
    await this.stop().catch(() => undefined);
    this.child.disconnect();
  }
}
