import { setMaxListeners } from "node:events";
import { actionOf } from "./context";
import type { KindContext } from "./types";

/** Stops a removal's pending retries once the identity re-check found the name no longer holds the user. */
export class IdentityLost extends Error {
  constructor() {
    super("the user no longer holds the name");
  }
}

export type IdentityRecheck = () => Promise<"same" | "gone">;

/**
 * The send every removal of one round goes through, so that nothing reaches whoever holds the name once the user
 * lost it. When every item's first call has answered, the identity re-check starts (overlapping the last calls).
 * From then on any call (a retry, a second call) waits for the re-check's answer and is not sent if the name changed
 * hands; calls under way are aborted, which also stops the SDK's own retries of them. Deleting a virtual MFA device
 * this teardown already deactivated names only the device's serial, never a user: it goes on regardless, so a halt
 * leaves no orphan behind.
 */
export class HaltingSend {
  private firstCallsPending: number;
  private recheck?: Promise<"same" | "gone">;
  private haltedBy?: IdentityLost;
  private readonly abort = new AbortController();

  constructor(
    private readonly confirm: IdentityRecheck,
    items: number,
  ) {
    this.firstCallsPending = items;
    // Every call of the round listens on this one signal.
    setMaxListeners(0, this.abort.signal);
  }

  /** Set once the re-check found the name no longer holds the user (or could not tell): nothing more is sent. */
  get halted(): IdentityLost | undefined {
    return this.haltedBy;
  }

  /** Starts the re-check, once; a "gone" answer or a failure halts the round. */
  startRecheck(): Promise<"same" | "gone"> {
    this.recheck ??= this.confirm().then(
      (state) => {
        if (state === "gone") this.halt();
        return state;
      },
      (err) => {
        this.halt();
        throw err;
      },
    );
    return this.recheck;
  }

  private halt(): void {
    this.haltedBy ??= new IdentityLost();
    this.abort.abort(this.haltedBy);
  }

  /** The context one item's removal uses; `done` collects the IAM actions carried out for it, in order. */
  contextFor<C extends KindContext>(base: C, done: string[]): C {
    let firstAnswered = false;
    const noteFirstAnswer = () => {
      if (firstAnswered) return;
      firstAnswered = true;
      if (--this.firstCallsPending === 0) void this.startRecheck().catch(() => undefined);
    };
    const send = async <O>(command: unknown): Promise<O> => {
      const ownDeviceOnly = actionOf(command) === "DeleteVirtualMFADevice";
      if (!ownDeviceOnly && this.recheck) await this.recheck.catch(() => undefined);
      if (this.haltedBy && !ownDeviceOnly) throw this.haltedBy;
      return base
        .send<O>(command, ownDeviceOnly ? {} : { abortSignal: this.abort.signal })
        .then((out) => {
          done.push(actionOf(command));
          return out;
        })
        .finally(noteFirstAnswer);
    };
    return { ...base, send };
  }
}
