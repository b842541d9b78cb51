/**
 * Preloaded (`node --require`) into the fleet CLI's own process by the bench (implementations.ts, the "own process"
 * row); plain JavaScript because that process runs the compiled package, without ts-node. When the process exits it
 * writes its own figures, as JSON, to the file named by BENCH_CHILD_FIGURES:
 *
 * - peakRssKiB: the process's peak RSS. On Linux VmHWM from /proc/self/status, the high-water mark of this process's
 *   own address space. Not process.resourceUsage().maxRSS: Linux carries the parent's RSS at fork into the child's
 *   maxrss across exec, so a child of a 400 MB bench reports 400 MB there whatever it uses itself. maxRSS is the
 *   fallback only where /proc is missing (peakRssSource says which).
 * - loadedRssKiB: RSS on the first turn of the event loop, once the CLI and the AWS SDK are loaded and before any
 *   request: what the process costs before it has any user.
 * - peakHeapUsedKiB / peakExternalKiB: the largest V8 heap use and external memory seen, sampled every 50 ms.
 * - cpuUserUs / cpuSystemUs: the process's own CPU time.
 */

const fs = require("node:fs");

const out = process.env.BENCH_CHILD_FIGURES;
if (out) {
  // Kept in the environment: the CLI's launcher replaces itself once (process.execve) with node started with its memory
  // option, and the figures are that process's; nothing else reads the variable.
  let loadedRssKiB;
  let peakHeapUsed = 0;
  let peakExternal = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeapUsed = Math.max(peakHeapUsed, m.heapUsed);
    peakExternal = Math.max(peakExternal, m.external);
  };
  setImmediate(() => {
    loadedRssKiB = Math.round(process.memoryUsage.rss() / 1024);
    sample();
  });
  // unref: the sampling never keeps the process alive.
  setInterval(sample, 50).unref();
  process.on("exit", (code) => {
    sample();
    let hwm;
    try {
      const m = /^VmHWM:\s*(\d+)\s*kB/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
      if (m) hwm = Number(m[1]);
    } catch {
      // Not Linux: fall back to getrusage below.
    }
    const usage = process.resourceUsage();
    const figures = {
      peakRssKiB: hwm ?? usage.maxRSS,
      peakRssSource: hwm === undefined ? "maxRSS" : "VmHWM",
      loadedRssKiB,
      peakHeapUsedKiB: Math.round(peakHeapUsed / 1024),
      peakExternalKiB: Math.round(peakExternal / 1024),
      cpuUserUs: usage.userCPUTime,
      cpuSystemUs: usage.systemCPUTime,
      exitCode: code,
    };
    fs.writeFileSync(out, `${JSON.stringify(figures)}\n`);
  });
}
