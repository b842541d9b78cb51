/**
 * Finds the Pulumi CLI and the Node.js language host for end-to-end tests.
 *
 * They come from `bash scripts/setup-pulumi.sh`, which builds them into `.tools/pulumi-<version>/bin/`
 * (or from PATH). When they are missing, e2e suites are skipped with the reason, unless
 * `REQUIRE_PULUMI=1` (set in CI), which makes the suites fail instead.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
export const NODE_MODULES = path.join(REPO_ROOT, "node_modules");
/** The installed `@pulumi/pulumi`, which ships the `pulumi-resource-pulumi-nodejs` shim dynamic providers need. */
export const SDK_DIR = path.join(NODE_MODULES, "@pulumi", "pulumi");

export interface PulumiToolchain {
  /** Directory with `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`. */
  binDir: string;
  /** Absolute path of the `pulumi` executable. */
  pulumi: string;
}

export type PulumiToolchainLookup = PulumiToolchain | { skipReason: string };

const SETUP_HINT = "run `bash scripts/setup-pulumi.sh` (needs Go and the Go module proxy)";

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function whichAll(name: string, searchPath = process.env.PATH ?? ""): string[] {
  return searchPath
    .split(path.delimiter)
    .filter((dir) => dir !== "")
    .map((dir) => path.join(dir, name))
    .filter(isExecutable);
}

function installedSdkVersion(): string | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(SDK_DIR, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((n) => parseInt(n, 10) || 0);
  const pb = b.split(".").map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) {
      return d;
    }
  }
  return 0;
}

/**
 * Finds the toolchain: `$PULUMI_TOOLCHAIN_BIN` if set, else `.tools/pulumi-<v>/bin` (preferring the
 * version of the installed `@pulumi/pulumi`, else the newest), else `pulumi` on PATH together with a
 * `pulumi-language-nodejs` next to it or on PATH.
 */
export function findPulumiToolchain(): PulumiToolchainLookup {
  if (!fs.existsSync(path.join(SDK_DIR, "pulumi-resource-pulumi-nodejs"))) {
    return { skipReason: `${SDK_DIR} is missing; run \`npm ci\`` };
  }
  const check = (binDir: string, origin: string): PulumiToolchainLookup => {
    const pulumi = path.join(binDir, "pulumi");
    if (!isExecutable(pulumi)) {
      return { skipReason: `no pulumi executable in ${binDir} (${origin}); ${SETUP_HINT}` };
    }
    const hosts = [path.join(binDir, "pulumi-language-nodejs"), ...whichAll("pulumi-language-nodejs")];
    if (!hosts.some(isExecutable)) {
      return {
        skipReason: `no pulumi-language-nodejs next to ${pulumi} or on PATH (${origin}); ${SETUP_HINT}`,
      };
    }
    return { binDir, pulumi };
  };

  const override = process.env.PULUMI_TOOLCHAIN_BIN;
  if (override) {
    return check(path.resolve(override), "PULUMI_TOOLCHAIN_BIN");
  }

  const toolsDir = path.join(REPO_ROOT, ".tools");
  const versions = fs.existsSync(toolsDir)
    ? fs
        .readdirSync(toolsDir)
        .filter((d) => /^pulumi-\d/.test(d) && isExecutable(path.join(toolsDir, d, "bin", "pulumi")))
        .map((d) => d.slice("pulumi-".length))
        .sort(compareVersions)
        .reverse()
    : [];
  const wanted = installedSdkVersion();
  const version = versions.find((v) => v === wanted) ?? versions[0];
  if (version !== undefined) {
    return check(path.join(toolsDir, `pulumi-${version}`, "bin"), ".tools");
  }

  const onPath = whichAll("pulumi")[0];
  if (onPath !== undefined) {
    return check(path.dirname(onPath), "PATH");
  }
  return { skipReason: `the Pulumi CLI is not installed; ${SETUP_HINT}` };
}

/**
 * For a mocha `before` hook: returns the toolchain, or skips the suite (printing the reason), or,
 * under `REQUIRE_PULUMI=1`, throws so the suite fails.
 */
export function requirePulumiToolchain(ctx?: Mocha.Context): PulumiToolchain {
  const found = findPulumiToolchain();
  if ("binDir" in found) {
    return found;
  }
  if (process.env.REQUIRE_PULUMI === "1") {
    throw new Error(`Pulumi toolchain required (REQUIRE_PULUMI=1) but unavailable: ${found.skipReason}`);
  }
  // mocha reports skipped suites as "pending" without a reason; say why.
  console.warn(`      skipping Pulumi e2e tests: ${found.skipReason}`);
  if (ctx) {
    ctx.skip();
  }
  throw new Error(found.skipReason);
}
