/**
 * The package as npm publishes it: `npm pack` run in provider/ (which runs `prepack`, a clean build), and the file
 * list it reports.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../helpers/pulumi/toolchain";

export const PROVIDER_DIR = path.join(REPO_ROOT, "provider");

const run = promisify(execFile);

interface PackReport {
  name: string;
  version: string;
  filename: string;
  files: Array<{ path: string }>;
}

/**
 * Packs the package. With a destination, writes the tarball there and returns its path; without, packs with
 * `--dry-run` (nothing written). Either way returns the paths of the files in the tarball, relative to its root.
 */
export async function npmPack(destination?: string): Promise<{ files: string[]; tarball?: string }> {
  const args = ["pack", "--json", ...(destination ? ["--pack-destination", destination] : ["--dry-run"])];
  const { stdout } = await run("npm", args, {
    cwd: PROVIDER_DIR,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, npm_config_loglevel: "warn" },
  });
  const [report] = JSON.parse(stdout) as PackReport[];
  const files = report.files.map((f) => f.path).sort();
  if (!destination) return { files };
  const tarball = path.join(destination, report.filename);
  if (!fs.existsSync(tarball)) throw new Error(`npm pack reported ${report.filename} but wrote no ${tarball}`);
  return { files, tarball };
}

/** Every TypeScript source of the package (not declaration files), relative to provider/. */
export function packageSources(dir = PROVIDER_DIR, rel = ""): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name === "node_modules" || (rel === "" && entry.name === "dist")) continue;
      out.push(...packageSources(dir, child));
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      out.push(child);
    }
  }
  return out;
}
