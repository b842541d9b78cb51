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
 * lost it, and DeleteUser follows an identity re-check read after the round's last call to the user went out.
 *
 * The re-check is asked as soon as every item's first call has gone out (not once they have answered), so it travels
 * beside the round's calls instead of after them: on the common path DeleteUser costs no extra round trip. From then on
 * any call (a retry, a second call) waits for the re-check's answer and is not sent if the name changed hands; calls
 * under way are aborted, which also stops the SDK's own retries of them. A call to the user that goes out after the
 * re-check was asked (a retry) makes that answer too old: `confirmAfterRemovals` asks again before DeleteUser.
 * Deleting a virtual MFA device this teardown already deactivated names only the device's serial, never a user: it
 * goes on regardless (a halt leaves no orphan behind), and it need not finish before DeleteUser.
 */
export class HaltingSend {
  private firstCallsUnsent: number;
  private recheck?: Promise<"same" | "gone">;
  /** Order of events: when the re-check was asked, and when the last call to the user went out. */
  private clock = 0;
  private recheckAskedAt = -1;
  private lastUserCallSentAt = -1;
  private haltedBy?: IdentityLost;
  private readonly abort = new AbortController();

  constructor(
    private readonly confirm: IdentityRecheck,
    items: number,
  ) {
    this.firstCallsUnsent = items;
    // Every call of the round listens on this one signal.
    setMaxListeners(0, this.abort.signal);
  }

  /** Set once the re-check found the name no longer holds the user (or could not tell): nothing more is sent. */
  get halted(): IdentityLost | undefined {
    return this.haltedBy;
  }

  /** Asks the re-check; a "gone" answer or a failure halts the round. */
  private ask(): Promise<"same" | "gone"> {
    this.recheckAskedAt = ++this.clock;
    this.recheck = this.confirm().then(
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

  /**
   * Once every item's calls to the user have answered: whether the name still holds the user, from a re-check asked
   * after the last of those calls went out (the one already under way when it qualifies, else a new one).
   */
  async confirmAfterRemovals(): Promise<"same" | "gone"> {
    if (this.recheck) {
      const state = await this.recheck;
      if (state === "gone" || this.lastUserCallSentAt < this.recheckAskedAt) return state;
    }
    return this.ask();
  }

  private halt(): void {
    this.haltedBy ??= new IdentityLost();
    this.abort.abort(this.haltedBy);
  }

  /**
   * The context one item's removal uses; `done` collects the IAM actions carried out for it, in order.
   * `userPartDone` is called when the item's remaining call names no user (its virtual device's deletion).
   */
  contextFor<C extends KindContext>(base: C, done: string[], userPartDone?: () => void): C {
    let firstSent = false;
    const onSent = () => {
      this.lastUserCallSentAt = ++this.clock;
      if (firstSent) return;
      firstSent = true;
      if (--this.firstCallsUnsent === 0 && !this.recheck) void this.ask().catch(() => undefined);
    };
    const send = async <O>(command: unknown): Promise<O> => {
      const ownDeviceOnly = actionOf(command) === "DeleteVirtualMFADevice";
      if (ownDeviceOnly) userPartDone?.();
      else if (this.recheck) await this.recheck.catch(() => undefined);
      if (this.haltedBy && !ownDeviceOnly) throw this.haltedBy;
      return base.send<O>(command, ownDeviceOnly ? {} : { abortSignal: this.abort.signal, onSent }).then((out) => {
        done.push(actionOf(command));
        return out;
      });
    };
    return { ...base, send };
  }
}
