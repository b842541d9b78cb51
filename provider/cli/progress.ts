import type { UserResult } from "./fleet";

/**
 * Progress on standard error while a run goes: "[37/300] deleted alice: 12 removed". On a terminal the line is
 * rewritten in place (failures stay on their own line); otherwise one line per user, for logs.
 */
export class Progress {
  private done = 0;
  private openLine = false;

  constructor(
    private readonly total: number,
    private readonly write: (text: string) => void,
    private readonly terminal: boolean,
  ) {}

  /** A user finished, whatever its outcome. */
  user(result: UserResult): void {
    this.done++;
    const what =
      result.outcome === "failed"
        ? `failed ${result.userName}: ${result.error}`
        : `${result.outcome} ${result.userName}: ${result.removed} removed`;
    const line = `[${this.done}/${this.total}] ${what}`;
    if (!this.terminal) {
      this.write(`${line}\n`);
      return;
    }
    const keep = result.outcome === "failed";
    this.write(`\r\x1b[K${line}${keep ? "\n" : ""}`);
    this.openLine = !keep;
  }

  /** Any other line, kept apart from the line being rewritten. */
  note(text: string): void {
    this.end();
    this.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  end(): void {
    if (this.openLine) this.write("\n");
    this.openLine = false;
  }
}
