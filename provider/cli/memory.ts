import * as v8 from "node:v8";

/** The young generation's size the CLI keeps to: two semi-spaces of 16 MB, V8's maximum before Node 19. */
export const MAX_NEW_SPACE_BYTES = 32 * 1024 * 1024;

/**
 * Stops V8's young generation growing past MAX_NEW_SPACE_BYTES, for the CLI's own process only (main), never for a
 * program that calls runCli.
 *
 * What a fleet run keeps is small and does not grow with the users: after a full GC the heap of a 1,000-user run is
 * about 15 MB from the first seconds to the end (mostly the loaded code). Its peak RSS was the young generation: the
 * AWS SDK allocates quickly for every request, and V8 (Node 19 and later) lets the young generation grow with the
 * heap limit, to 2 x 64 MB on a machine with a few GB, which took a 1,000-user run to 240 MB of RSS. A young
 * generation of 32 MB keeps it well under 200 MB at the same CPU time (a smaller one costs more scavenges).
 *
 * V8 reads its semi-space limits once, at start, so the limit cannot be set from here; the growth factor is read at
 * every growth, so once the young generation has reached the limit it is told to grow no more (checked every 50 ms;
 * the young generation doubles at most once per scavenge). A --max-semi-space-size or --semi-space-growth-factor given
 * to node (directly or in NODE_OPTIONS) is left alone.
 */
export function capYoungGeneration(maxNewSpaceBytes = MAX_NEW_SPACE_BYTES): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) => /semi[-_]space/.test(a));
  if (given) return;
  const timer = setInterval(() => {
    const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
    if (!newSpace || newSpace.space_size < maxNewSpaceBytes) return;
    v8.setFlagsFromString("--semi-space-growth-factor=1");
    clearInterval(timer);
  }, 50);
  // Never what keeps the process alive.
  timer.unref();
}
