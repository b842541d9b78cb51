/**
 * A mocha root hook (loaded through .mocharc.json's `require`): after the whole run, prints the tally's lines
 * (tests/helpers/tally.ts), one per area that counted anything.
 */
import { reportLines } from "./tally";

export const mochaHooks = {
  afterAll(): void {
    const lines = reportLines();
    if (lines.length === 0) return;
    process.stdout.write(`\n${lines.join("\n")}\n`);
  },
};
