/**
 * Counters a suite keeps while it runs, printed once at the end of the whole mocha run (see tally-report.ts):
 * one line per area, e.g.
 *
 *   hostile: fault schedules passed 412/412; bad inputs rejected 74/74; mutating calls outside the target: 0
 *
 * A ratio counts tries and passes ("passed 412/412"); a total adds up a number ("...: 0"). Areas and labels print in
 * the order they were first used. Any suite may report into it; the counters live for the whole process.
 */

interface Ratio {
  kind: "ratio";
  passed: number;
  tried: number;
}
interface Total {
  kind: "total";
  value: number;
}

const areas = new Map<string, Map<string, Ratio | Total>>();
/** Checks to run just before the report is printed (suite-wide audits that add to the counters). */
const finalizers: Array<() => void> = [];
/** Counters with a bound the whole run must meet: "all" for a ratio, a number for a total. */
const bounds = new Map<string, { area: string; label: string; bound: "all" | number }>();

function metric<T extends Ratio | Total>(area: string, label: string, fresh: () => T): T {
  let metrics = areas.get(area);
  if (!metrics) areas.set(area, (metrics = new Map()));
  let m = metrics.get(label);
  if (!m) metrics.set(label, (m = fresh()));
  if (m.kind !== fresh().kind) throw new Error(`tally: ${area} / ${label} is a ${m.kind}, not a ${fresh().kind}`);
  return m as T;
}

/** Counts one try under `area` / `label`; `passed` says whether it passed. Returns `passed`. */
export function countTry(area: string, label: string, passed: boolean): boolean {
  const m = metric<Ratio>(area, label, () => ({ kind: "ratio", passed: 0, tried: 0 }));
  m.tried++;
  if (passed) m.passed++;
  return passed;
}

/** Declares a ratio without counting anything (so it prints as 0/0 rather than not at all). */
export function declareRatio(area: string, label: string): void {
  metric<Ratio>(area, label, () => ({ kind: "ratio", passed: 0, tried: 0 }));
}

/** Adds `n` to the total `area` / `label` (declare it with n = 0 so a zero prints). */
export function addTotal(area: string, label: string, n: number): void {
  metric<Total>(area, label, () => ({ kind: "total", value: 0 })).value += n;
}

export function ratio(area: string, label: string): { passed: number; tried: number } {
  const m = areas.get(area)?.get(label);
  return m && m.kind === "ratio" ? { passed: m.passed, tried: m.tried } : { passed: 0, tried: 0 };
}

export function total(area: string, label: string): number {
  const m = areas.get(area)?.get(label);
  return m && m.kind === "total" ? m.value : 0;
}

/** Requires, at the end of the run, a ratio to be all passes or a total to equal `bound` (the report hook fails the run otherwise). */
export function requireBound(area: string, label: string, bound: "all" | number): void {
  bounds.set(`${area}\u0000${label}`, { area, label, bound });
}

/** Runs `fn` just before the report is printed: a suite-wide audit that adds to the counters. */
export function beforeReport(fn: () => void): void {
  finalizers.push(fn);
}

/** Runs the audits registered with beforeReport (each once). */
export function runFinalizers(): void {
  for (const fn of finalizers.splice(0)) fn();
}

/** The bounds the counters miss, as sentences (empty when every bound is met). */
export function missedBounds(): string[] {
  const missed: string[] = [];
  for (const { area, label, bound } of bounds.values()) {
    if (bound === "all") {
      const r = ratio(area, label);
      if (r.passed !== r.tried) missed.push(`${area}: ${label} ${r.passed}/${r.tried}, required all`);
    } else if (total(area, label) !== bound) missed.push(`${area}: ${label}: ${total(area, label)}, required ${bound}`);
  }
  return missed;
}

/** One line per area that counted anything. */
export function reportLines(): string[] {
  const lines: string[] = [];
  for (const [area, metrics] of areas) {
    if (metrics.size === 0) continue;
    const parts = [...metrics].map(([label, m]) => (m.kind === "ratio" ? `${label} ${m.passed}/${m.tried}` : `${label}: ${m.value}`));
    lines.push(`${area}: ${parts.join("; ")}`);
  }
  return lines;
}

/** Forgets every counter (the tally's own tests). */
export function resetTally(): void {
  areas.clear();
  bounds.clear();
  finalizers.length = 0;
}
