/**
 * npm run bench [-- --quick] [--latency-ms N] [--out DIR] [--only id,id] [--no-variants]
 *
 * Tears the same users down with three implementations on the IAM emulator (its own process, injected latency,
 * per-action throttling where a scenario says so) and writes results.md and results.json to DIR (default: bench/,
 * or bench/quick/ with --quick). See bench/README.md.
 */
import "../tests/helpers/aws-env";
import { execFileSync, execSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { resetIamClients } from "../provider/aws/client";
import { Semaphore } from "../provider/teardown/pool";
import { type ActionCounts, addCounts, minimalCalls, sumCounts } from "./call-model";
import { type EngineVariant, IMPLEMENTATIONS, type Implementation, isOneUserChain, type SeededUser } from "./implementations";
import { type Limit, limitFor } from "./limits";
import { runOrganizationScenario } from "./organization";
import { type PulumiDestroyOutcome, type PulumiDestroyResult, runPulumiDestroy } from "./pulumi-destroy";
import { RemoteEmulator } from "./remote-emulator";
import { type BenchRecord, type BenchRun, type ResultsInput, writeResults } from "./report";
import { benchPlan, type ScenarioSpec, seedOf, throttledScenario } from "./scenarios";

interface Args {
  quick: boolean;
  latencyMs: number;
  out: string;
  only?: string[];
  variants: boolean;
  impls?: string[];
  variantFilter?: string;
  throttledUsers?: number;
  /** Users of the largest-account scenario (full set: 5,000, --quick: 100); its memory baseline is a tenth of them. */
  scaleUsers?: number;
  anchorSample?: number;
  /** The organization scenario's accounts and users per account (full set: 20 x 250; --quick: 3 x 12). */
  organizationAccounts?: number;
  organizationUsers?: number;
  /** Only rewrite results.md (next to it) from an existing results.json. */
  render?: string;
  /** Users of the pulumi destroy scenario (full set: 1,000; 0 skips it; --quick skips it unless given). */
  pulumiUsers?: number;
  /** `--parallel` values for pulumi up and destroy, each a run of its own (default: 10, Pulumi's usual choice). */
  pulumiParallel?: number[];
  /** Runs of each row in the one-user scenarios (full set: 5, --quick: 3); the median stands for the row. */
  repeats?: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, latencyMs: 25, out: "", variants: true };
  let variantsSet = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes("=")
      ? [argv[i].slice(0, argv[i].indexOf("=")), argv[i].slice(argv[i].indexOf("=") + 1)]
      : [argv[i], undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--quick":
        args.quick = true;
        break;
      case "--latency-ms": {
        const n = Number(value());
        if (!Number.isFinite(n) || n < 0) throw new Error("--latency-ms needs a non-negative number");
        args.latencyMs = n;
        break;
      }
      case "--out":
        args.out = value();
        break;
      case "--only":
        args.only = value()
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case "--impl":
        args.impls = value()
          .split(",")
          .map((x) => x.trim());
        break;
      case "--variant":
        args.variantFilter = value();
        break;
      case "--throttled-users":
        args.throttledUsers = Number(value());
        break;
      case "--scale-users": {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) throw new Error("--scale-users needs a whole number of at least 1");
        args.scaleUsers = n;
        break;
      }
      case "--pulumi-parallel":
        args.pulumiParallel = value()
          .split(",")
          .map((v) => Number(v.trim()));
        if (args.pulumiParallel.some((n) => !Number.isInteger(n) || n < 1))
          throw new Error("--pulumi-parallel needs whole numbers of at least 1");
        break;
      case "--pulumi-users":
        args.pulumiUsers = Number(value());
        break;
      case "--repeats": {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) throw new Error("--repeats needs a whole number of at least 1");
        args.repeats = n;
        break;
      }
      case "--organization-accounts":
        args.organizationAccounts = Number(value());
        break;
      case "--organization-users":
        args.organizationUsers = Number(value());
        break;
      case "--anchor-sample":
        args.anchorSample = Number(value());
        break;
      case "--render":
        args.render = value();
        break;
      case "--no-variants":
        args.variants = false;
        variantsSet = true;
        break;
      case "--variants":
        args.variants = true;
        variantsSet = true;
        break;
      case "--help":
      case "-h":
        console.log(
          "usage: npm run bench -- [--quick] [--latency-ms N] [--out DIR] [--only scenario-id-prefix,...] [--impl runbook,terraform,engine]\n" +
            "                        [--variants | --no-variants] [--variant label] [--throttled-users N] [--scale-users N] [--anchor-sample N]\n" +
            "                        [--pulumi-users N] [--pulumi-parallel N,...] [--repeats N] [--organization-accounts N] [--organization-users N]\n" +
            "       npm run bench -- --render DIR/results.json   (rewrite DIR/results.md from the figures)",
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (!args.out) args.out = path.join(__dirname, args.quick ? "quick" : ".");
  if (args.quick && !variantsSet) args.variants = false;
  return args;
}

// ---------------------------------------------------------------------------------------------------------------
// Runs

/** One row of the results: an implementation, with engine settings other than the defaults where it has them. */
interface RunSpec {
  impl: Implementation;
  variant?: EngineVariant;
}

class RssSampler {
  peak = 0;
  private timer?: NodeJS.Timeout;
  start(): void {
    this.peak = process.memoryUsage.rss();
    this.timer = setInterval(() => (this.peak = Math.max(this.peak, process.memoryUsage.rss())), 10);
  }
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
    return this.peak;
  }
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function runImplementation(emu: RemoteEmulator, s: ScenarioSpec, { impl, variant }: RunSpec, args: Args): Promise<BenchRun> {
  await emu.start({
    latencyMs: latencyOf(s, args),
    seed: 7,
    throttle: s.throttle ? { ratePerSecond: s.throttle.ratePerSecond, burst: s.throttle.burst } : undefined,
    logRequests: true,
  });
  const seeded = await emu.seed(seedOf(s));
  const sample = impl.anchor && s.anchorSample ? s.anchorSample : s.targets.length;
  const targets: SeededUser[] = s.targets.slice(0, sample).map((spec) => {
    const r = seeded.users[spec.userName];
    return { spec, userId: r.userId, virtualSerials: r.mfaSerials.filter((m) => m.kind === "virtual").map((m) => m.serial) };
  });
  const query = {
    targets: targets.map((t) => t.spec.userName),
    bystanders: s.bystanders.map((b) => b.userName),
    targetVirtualSerials: targets.flatMap((t) => t.virtualSerials),
  };
  const before = await emu.inspect(query);

  resetIamClients();
  // The fleet CLI, like the AWS SDK's default chain, finds IAM through the environment.
  process.env.AWS_ENDPOINT_URL_IAM = emu.endpoint;
  // The emulator answers STS too (the fleet CLI asks whose credentials it runs on).
  process.env.AWS_ENDPOINT_URL_STS = emu.endpoint;
  const connected = impl.connect(emu.endpoint, variant);
  await connected.warmUp().catch(() => undefined);
  await emu.clearLog();
  (global as { gc?: () => void }).gc?.();
  const baselineRss = process.memoryUsage.rss();
  const sampler = new RssSampler();
  sampler.start();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  // Users go `parallelism` at a time, as `pulumi destroy` runs them, in the scenario's order.
  const slots = new Semaphore(s.parallelism);
  const outcomes = connected.tearDownAll
    ? await connected.tearDownAll(targets)
    : await Promise.all(targets.map((t) => slots.run(() => connected.tearDown(t))));
  const measuredWallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const peakRss = sampler.stop();
  // An implementation in its own process (the compiled fleet CLI): its own wall (spawn to exit), memory and CPU.
  const own = connected.ownProcess?.();

  connected.close();
  resetIamClients();
  delete process.env.AWS_ENDPOINT_URL_IAM;
  delete process.env.AWS_ENDPOINT_URL_STS;
  const stats = await emu.stats();
  const after = await emu.inspect(query);
  const bystandersUntouched = Object.entries(before.bystanderSnapshots).every(([k, v]) => after.bystanderSnapshots[k] === v);
  return {
    scenario: s,
    implementation: impl.id,
    label: variant ? `${impl.label} [${variant.label}]` : impl.label,
    variant: variant?.label,
    users: targets.map((t) => t.spec),
    outcomes,
    wallMs: own?.wallMs ?? measuredWallMs,
    cpuMs: own?.cpuMs ?? (cpu.user + cpu.system) / 1000,
    peakRssMb: own?.peakRssMb ?? mb(peakRss),
    baselineRssMb: own?.loadedRssMb ?? mb(baselineRss),
    ownProcess: own ? { peakRssSource: own.peakRssSource, peakHeapUsedMb: own.peakHeapUsedMb, benchPeakRssMb: mb(peakRss) } : undefined,
    stats,
    usersLeft: after.usersLeft,
    orphanedVirtual: after.orphanedVirtual,
    bystandersUntouched,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Figures

function acceptedByAction(run: BenchRun): ActionCounts {
  return Object.fromEntries(Object.entries(run.stats.byAction).map(([a, st]) => [a, st.accepted]));
}

function diffCounts(predicted: ActionCounts, measured: ActionCounts): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const a of new Set([...Object.keys(predicted), ...Object.keys(measured)])) {
    const p = predicted[a] ?? 0;
    const m = measured[a] ?? 0;
    if (p !== m) out[a] = [p, m];
  }
  return out;
}

/** A limit as a record shows it, in whole milliseconds. */
function limitDetailOf(limit: Limit): BenchRecord["limitDetail"] {
  return {
    chainMs: Math.round(limit.chainMs),
    bareChainMs: Math.round(limit.bareChainMs),
    throttleAction: limit.throttle?.action,
    throttleMs: limit.throttle ? Math.round(limit.throttle.ms) : undefined,
  };
}

/** The injected latency of a scenario: its own, or the run's (--latency-ms). */
function latencyOf(s: ScenarioSpec, args: Args): number {
  return s.latencyMs ?? args.latencyMs;
}

function toRecord(run: BenchRun, impl: Implementation, latencyMs: number, variant?: EngineVariant): BenchRecord {
  const s = run.scenario;
  const accepted = acceptedByAction(run);
  const limit = limitFor(s, run.users, latencyMs, accepted);
  // A variant that adds calls no implementation of it can avoid (the guard's activity reads, a record's reads) has
  // them in its floor.
  const unavoidable = addCounts(minimalCalls(s.targets), variant?.unavoidable?.(s.targets) ?? {});
  const minimal = limitFor(s, s.targets, latencyMs, unavoidable);
  const predicted = addCounts(impl.predictedCalls(s, run.users), variant?.predictedExtra?.(run.users) ?? {});
  const compared = Object.fromEntries(Object.entries(accepted).filter(([a]) => !impl.unpredictedActions.includes(a)));
  const failures = run.outcomes.filter((o) => !o.deleted);
  const record: BenchRecord = {
    scenario: s.id,
    scenarioTitle: s.title,
    implementation: run.label,
    implementationId: run.implementation,
    variant: run.variant,
    onePass: run.outcomes.every((o) => o.onePass) && run.usersLeft.length === 0,
    calls: run.stats.total,
    acceptedCalls: run.stats.accepted,
    throttledCalls: run.stats.throttled,
    wallMs: Math.round(run.wallMs),
    cpuMs: Math.round(run.cpuMs),
    emulatorCpuMs: Math.round(run.stats.emulatorCpuMs),
    limitMs: Math.round(limit.ms),
    latencyMs,
    limitDetail: limitDetailOf(limit),
    minimalLimitMs: Math.round(minimal.ms),
    ratioToLimit: round2(run.wallMs / limit.ms),
    peakRssMb: run.peakRssMb,
    baselineRssMb: run.baselineRssMb,
    ownProcess: run.ownProcess,
    users: run.users.length,
    usersDeleted: run.outcomes.filter((o) => o.deleted).length,
    usersNotInOnePass: run.outcomes.filter((o) => !o.onePass).length,
    secondRuns: run.outcomes.filter((o) => o.runs > 1).length,
    failures: failures.length,
    failureSamples: [...new Set(run.outcomes.map((o) => o.error).filter((e): e is string => !!e))].slice(0, 3),
    orphanedVirtual: run.orphanedVirtual.length,
    bystandersUntouched: run.bystandersUntouched,
    callsByAction: accepted,
    throttledByAction: Object.fromEntries(
      Object.entries(run.stats.byAction)
        .filter(([, st]) => st.throttled > 0)
        .map(([a, st]) => [a, st.throttled]),
    ),
    errorsByAction: Object.fromEntries(
      Object.entries(run.stats.byAction)
        .filter(([, st]) => Object.keys(st.errors).length > 0)
        .map(([a, st]) => [a, st.errors]),
    ),
    predictedByAction: predicted,
    predictionDiff: diffCounts(predicted, compared),
    getUserPerUser: round2((accepted.GetUser ?? 0) / Math.max(1, run.users.length)),
    busiest: run.stats.busiest,
  };
  if (run.users.length < s.targets.length) {
    // Measured on a sample of the targets: extrapolate calls with the call model, wall time in proportion to the limit.
    const full = addCounts(impl.predictedCalls(s, s.targets), variant?.predictedExtra?.(s.targets) ?? {});
    const fullLimit = limitFor(s, s.targets, latencyMs, full);
    const acceptedFull = sumCounts(full);
    const attemptsPerAccepted = run.stats.total / Math.max(1, run.stats.accepted);
    record.scale = {
      measuredUsers: run.users.length,
      ofUsers: s.targets.length,
      measured: {
        calls: record.calls,
        acceptedCalls: record.acceptedCalls,
        wallMs: record.wallMs,
        limitMs: record.limitMs,
        ratioToLimit: record.ratioToLimit,
      },
    };
    record.calls = Math.round(acceptedFull * attemptsPerAccepted);
    record.acceptedCalls = acceptedFull;
    record.throttledCalls = record.calls - acceptedFull;
    record.limitMs = Math.round(fullLimit.ms);
    record.limitDetail = limitDetailOf(fullLimit);
    record.wallMs = Math.round(fullLimit.ms * (run.wallMs / limit.ms));
    record.ratioToLimit = round2(record.wallMs / fullLimit.ms);
    record.extrapolated = true;
  }
  return record;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Runs of each row: a one-user scenario lasts a fraction of a second, so one run is at the mercy of a hiccup. */
function repeatsOf(s: ScenarioSpec, args: Args): number {
  return isOneUserChain(s) ? (args.repeats ?? (args.quick ? 3 : 5)) : 1;
}

/**
 * The run of median wall stands for the row; every run's wall is kept beside it. The row is one pass only if every
 * run was, and its failures are the worst run's.
 */
function medianRun(runs: BenchRecord[]): BenchRecord {
  if (runs.length === 1) return runs[0];
  const median = [...runs].sort((a, b) => a.wallMs - b.wallMs)[Math.floor((runs.length - 1) / 2)];
  const worst = [...runs].sort((a, b) => b.failures - a.failures)[0];
  return {
    ...median,
    onePass: runs.every((r) => r.onePass),
    failures: worst.failures,
    failureSamples: worst.failures > 0 ? worst.failureSamples : median.failureSamples,
    bystandersUntouched: runs.every((r) => r.bystandersUntouched),
    orphanedVirtual: Math.max(...runs.map((r) => r.orphanedVirtual)),
    usersDeleted: Math.min(...runs.map((r) => r.usersDeleted)),
    wallRunsMs: runs.map((r) => r.wallMs),
  };
}

// ---------------------------------------------------------------------------------------------------------------

/** How this run was asked for, as one would type it (without --out, which only says where the files went). */
function commandLine(argv: string[]): string {
  const kept = argv.filter((a, i) => a !== "--out" && argv[i - 1] !== "--out" && !a.startsWith("--out="));
  const quoted = kept.map((a) => (/[\s,"']/.test(a) && !/^[\w,.-]+$/.test(a) ? `"${a}"` : a));
  return `npm run bench${quoted.length > 0 ? ` -- ${quoted.join(" ")}` : ""}`;
}

/** The machine, and its load average (1, 5, 15 minutes) at the start and the end: other work may share the cores. */
function machineLine(start: number[], end: number[]): string {
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" / ");
  return `${os.cpus().length} CPU(s) (${os.cpus()[0]?.model.trim() ?? "unknown"}), load average ${load(start)} at the start, ${load(end)} at the end`;
}

/** The commit whose engine was measured, and whether provider/ had uncommitted changes. */
function engineRevision(): string {
  // A run from an exported tree (git archive) has no .git: it says which commit it is.
  if (process.env.BENCH_REVISION) return process.env.BENCH_REVISION;
  try {
    const git = (cmd: string) =>
      execSync(`git ${cmd}`, { cwd: path.join(__dirname, ".."), stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .trim();
    const head = git("rev-parse --short HEAD");
    const dirty = git("status --porcelain -- provider") !== "";
    return `commit ${head}${dirty ? " with uncommitted changes in provider/" : ""}`;
  } catch {
    return "unknown revision (not a git checkout)";
  }
}

/**
 * Compiles provider/ to provider/dist (what `npm run build` does, a few seconds), so the fleet CLI's own process runs
 * the same source as the rows that run it in this process.
 */
function buildPackage(): void {
  const root = path.join(__dirname, "..");
  console.log("bench: building the package (provider/dist) for the fleet CLI's own process");
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "provider", "tsconfig.build.json")], {
    cwd: root,
    stdio: "inherit",
  });
}

/** The organization row's headline figures, as the console shows them. */
function evaluateOrganization(r: BenchRecord): object {
  return {
    onePass: r.onePass,
    users: r.users,
    accounts: r.accounts,
    deleted: r.usersDeleted,
    failures: r.failures,
    wallMs: r.wallMs,
    slowestAccountLimitMs: r.limitMs,
    ratioToLimit: r.ratioToLimit,
    sumOfAccountLimitsMs: r.organization?.sumOfAccountLimitsMs,
    peakRssMb: r.peakRssMb,
    cpuMs: r.cpuMs,
    failureSamples: r.failureSamples,
  };
}

/** The rows to run for a scenario: every implementation, then its variants, as the options select them. */
function runsFor(s: ScenarioSpec, args: Args): RunSpec[] {
  let runs: RunSpec[] = IMPLEMENTATIONS.filter(
    (impl) => (s.implementations?.includes(impl.id) ?? true) && (impl.runsIn?.(s) ?? true),
  ).flatMap((impl) => [{ impl }, ...(args.variants ? impl.variants(s).map((variant) => ({ impl, variant })) : [])]);
  if (args.impls) runs = runs.filter((r) => args.impls!.includes(r.impl.id));
  if (args.variantFilter !== undefined) {
    const f = args.variantFilter;
    const exact = runs.some((r) => r.variant?.label === f);
    runs = runs.filter((r) => !r.variant || (exact ? r.variant.label === f : r.variant.label.includes(f)));
  }
  return runs;
}

const anchorIds = new Set(IMPLEMENTATIONS.filter((i) => i.anchor).map((i) => i.id));

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.render) {
    const saved = JSON.parse(readFileSync(args.render, "utf8")) as ResultsInput & { command: string };
    writeResults(path.dirname(args.render), { ...saved, quick: saved.command.includes("--quick") });
    console.log(`bench: rewrote ${path.join(path.dirname(args.render), "results.md")} from ${args.render}`);
    return;
  }
  const plan = benchPlan(args.quick, {
    throttledUsers: args.throttledUsers,
    anchorSample: args.anchorSample,
    organizationAccounts: args.organizationAccounts,
    organizationUsers: args.organizationUsers,
    scaleUsers: args.scaleUsers,
  });
  const scenarios = plan.scenarios.filter((s) => !args.only || args.only.some((o) => s.id.startsWith(o)));
  if (scenarios.some((s) => s.accounts !== undefined || runsFor(s, args).some((r) => r.impl.id === "fleet-cli-process"))) buildPackage();
  const loadAtStart = os.loadavg();
  const emu = await RemoteEmulator.launch();
  const records: BenchRecord[] = [];
  const started = Date.now();
  try {
    for (const s of scenarios) {
      console.log(`\n== ${s.title} (${s.id})`);
      if (s.accounts !== undefined) {
        // One CLI process over every account: a row of its own (organization.ts).
        const record = await runOrganizationScenario(emu, s, latencyOf(s, args));
        console.log(`   ${record.implementation}\n   ${JSON.stringify(evaluateOrganization(record))}`);
        records.push(record);
        continue;
      }
      const scenarioRecords: BenchRecord[] = [];
      const specs = runsFor(s, args);
      const repeats = repeatsOf(s, args);
      // Each repetition runs every row once, starting one row later each time, so neither drift in the machine's load
      // nor a place in the order falls on one row more than on another.
      const runsOf: BenchRecord[][] = specs.map(() => []);
      const t0 = Date.now();
      for (let rep = 0; rep < repeats; rep++) {
        for (let k = 0; k < specs.length; k++) {
          const i = (rep + k) % specs.length;
          const spec = specs[i];
          runsOf[i].push(toRecord(await runImplementation(emu, s, spec, args), spec.impl, latencyOf(s, args), spec.variant));
        }
      }
      for (const runs of runsOf) {
        const record = medianRun(runs);
        scenarioRecords.push(record);
        console.log(
          `   ${record.implementation.padEnd(72)} onePass=${record.onePass ? "yes" : "no "} calls=${String(record.calls).padStart(6)}` +
            ` wall=${String(record.wallMs).padStart(7)} ms limit=${String(record.limitMs).padStart(7)} ms x${record.ratioToLimit}` +
            ` cpu=${record.cpuMs} ms rss=${record.peakRssMb} MB${record.extrapolated ? ` (extrapolated from ${record.scale!.measuredUsers})` : ""}` +
            (record.wallRunsMs ? ` runs=${record.wallRunsMs.join(",")}` : ""),
        );
        if (Object.keys(record.predictionDiff).length > 0)
          console.log(`      calls vs call model (predicted, measured): ${JSON.stringify(record.predictionDiff)}`);
        if (record.failures > 0) console.log(`      failures: ${record.failures}: ${record.failureSamples.join(" | ")}`);
      }
      console.log(`   [${((Date.now() - t0) / 1000).toFixed(1)} s${repeats > 1 ? `, ${repeats} runs of each row` : ""}]`);
      const anchorWalls = scenarioRecords.filter((r) => anchorIds.has(r.implementationId)).map((r) => r.wallMs);
      if (anchorWalls.length > 0) {
        const best = Math.min(...anchorWalls);
        for (const r of scenarioRecords) r.ratioToBestAnchor = round2(r.wallMs / best);
      }
      const floor = scenarioRecords.find((r) => r.implementationId === "floor");
      if (floor) for (const r of scenarioRecords) r.ratioToMeasuredFloor = round2(r.wallMs / floor.wallMs);
      records.push(...scenarioRecords);
    }
  } finally {
    await emu.close();
  }
  // pulumi up and destroy through the real Pulumi CLI (the full set; --quick keeps CI short and skips it).
  let pulumiDestroy: PulumiDestroyOutcome | undefined;
  const pulumiParallel: PulumiDestroyResult[] = [];
  const pulumiUsers = args.pulumiUsers ?? (args.quick ? 0 : 1000);
  if (pulumiUsers > 0 && (!args.only || args.only.some((o) => "pulumi-destroy".startsWith(o)))) {
    const s = throttledScenario(pulumiUsers, 10, pulumiUsers);
    for (const parallel of args.pulumiParallel ?? [10]) {
      console.log(
        `\n== pulumi up and destroy of ${pulumiUsers} users through the Pulumi CLI, 10 requests/s per action, --parallel ${parallel}`,
      );
      const t0 = Date.now();
      const outcome = await runPulumiDestroy(s, args.latencyMs, parallel);
      console.log(`   ${JSON.stringify(outcome)} [${((Date.now() - t0) / 1000).toFixed(1)} s]`);
      if ("skipped" in outcome) {
        pulumiDestroy = outcome;
        break;
      }
      pulumiParallel.push(outcome);
    }
    // The target is judged at Pulumi's usual --parallel 10 when it ran, else at the first measured.
    pulumiDestroy ??= pulumiParallel.find((r) => r.parallel === 10) ?? pulumiParallel[0];
  }
  const elapsedS = Math.round((Date.now() - started) / 1000);
  writeResults(args.out, {
    records,
    latencyMs: args.latencyMs,
    quick: args.quick,
    scaleNotes: plan.scaleNotes,
    elapsedS,
    node: process.version,
    engineRevision: engineRevision(),
    command: commandLine(process.argv.slice(2)),
    pulumiDestroy,
    pulumiParallel: pulumiParallel.length > 1 ? pulumiParallel : undefined,
    machine: machineLine(loadAtStart, os.loadavg()),
  });
  console.log(`\nbench: ${records.length} runs in ${elapsedS} s; wrote ${path.join(args.out, "results.md")} and results.json`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
