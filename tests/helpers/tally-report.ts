/**
 * A mocha root hook (loaded through .mocharc.json's `require`): after the whole run, runs the suite-wide audits
 * registered with the tally, prints its lines (tests/helpers/tally.ts), one per area that counted anything, and
 * fails the run if a counter misses its required bound (a backstop: the tests that count also assert).
 */
import { missedBounds, reportLines, runFinalizers } from "./tally";

export const mochaHooks = {
  afterAll(): void {
    runFinalizers();
    const lines = reportLines();
    if (lines.length > 0) process.stdout.write(`\n${lines.join("\n")}\n`);
    const missed = missedBounds();
    if (missed.length > 0) throw new Error(`counters missed their bounds: ${missed.join("; ")}`);
  },
};
