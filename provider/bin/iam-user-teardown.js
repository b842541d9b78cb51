#!/usr/bin/env node
// The compiled CLI (built by `npm run build`, which npm install runs through `prepare`).
//
// Node starts with one option of its own here, --max-semi-space-size=16 (docs/scale.md, "Memory"). V8 sizes its young
// generation from the machine's memory: with a few GB, up to two semi-spaces of 64 MB, which the AWS SDK's garbage
// from every request fills within seconds of a fleet run, though what the run keeps is a few MB. 16 MB, V8's maximum
// before Node 19, keeps the CLI's own process in a fixed budget at any number of users. V8 reads the option only at
// start, so the launcher replaces itself once (process.execve: the same process, its standard streams and signals)
// with node started with it. Where a semi-space option is already given (to node, or in NODE_OPTIONS) or
// process.execve is missing (Windows, Node 22 before 22.15), the CLI runs as it was started.
const SEMI_SPACE_OPTION = "--max-semi-space-size=16";
const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) => /semi[-_]space/.test(a));
if (!given && typeof process.execve === "function" && process.platform !== "win32") {
  try {
    process.execve(process.execPath, [process.execPath, SEMI_SPACE_OPTION, ...process.execArgv, __filename, ...process.argv.slice(2)]);
  } catch {
    // Not replaced: run here, with V8's own sizing.
  }
}
require("../dist/cli/index.js").main();
