/**
 * What `npm pack` puts in the published tarball: the README, the LICENSE, package.json, the CLI launcher, the IAM
 * policy, and for every TypeScript source its compiled JavaScript and declarations. Nothing else: no sources, tests,
 * source maps (they would point at .ts files that are not shipped) or build info.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { npmPack, PROVIDER_DIR, packageSources } from "./pack";

describe("package: the npm tarball", function () {
  this.timeout(120_000);

  let files: string[];

  before(async () => {
    ({ files } = await npmPack());
  });

  it("holds exactly the README, LICENSE, package.json, bin, policy, and compiled JavaScript with its types", () => {
    const sources = packageSources();
    assert.ok(sources.includes("index.ts") && sources.includes("teardown/engine.ts"), `sources found: ${sources.join(", ")}`);
    const compiled = sources.flatMap((src) => {
      const stem = `dist/${src.replace(/\.ts$/, "")}`;
      return [`${stem}.js`, `${stem}.d.ts`];
    });
    const bin = fs.readdirSync(path.join(PROVIDER_DIR, "bin")).map((f) => `bin/${f}`);
    const jobPolicies = ["delete-record-s3", "delete", "plan", "restore"].map((job) => `policies/${job}.json`);
    const expected = ["LICENSE", "README.md", "package.json", "iam-user-teardown-policy.json", ...jobPolicies, ...bin, ...compiled].sort();
    assert.deepStrictEqual(files, expected);
  });

  it("says what it is for npm: Apache-2.0 licence text, keywords, engines, prepack, and no address it does not have", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROVIDER_DIR, "package.json"), "utf8"));
    assert.strictEqual(pkg.license, "Apache-2.0");
    assert.match(fs.readFileSync(path.join(PROVIDER_DIR, "LICENSE"), "utf8"), /Apache License\s+Version 2\.0/);
    // The project has no public repository, site or tracker yet: an address npm shows must lead somewhere.
    for (const field of ["homepage", "repository", "bugs"])
      assert.strictEqual(pkg[field], undefined, `${field} names an address that does not exist`);
    assert.ok(Array.isArray(pkg.keywords) && pkg.keywords.includes("pulumi"), "keywords name Pulumi");
    assert.match(pkg.scripts?.prepack ?? "", /npm run build/, "npm pack builds first");
    assert.strictEqual(pkg.engines?.node, "^22.12.0 || >=24.0.0");
  });

  it("takes @pulumi/pulumi from the program (a peer), never a copy of its own", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROVIDER_DIR, "package.json"), "utf8"));
    assert.strictEqual(pkg.dependencies?.["@pulumi/pulumi"], undefined, "@pulumi/pulumi must not be a dependency");
    assert.ok(pkg.peerDependencies?.["@pulumi/pulumi"], "@pulumi/pulumi is a peer dependency");
  });

  it("every entry point and the bin resolve to files in the tarball", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROVIDER_DIR, "package.json"), "utf8"));
    const targets: string[] = [pkg.main, pkg.types, ...Object.values<string>(pkg.bin)];
    const collect = (v: unknown): void => {
      if (typeof v === "string") targets.push(v);
      else if (v && typeof v === "object") Object.values(v).forEach(collect);
    };
    collect(pkg.exports);
    for (const target of targets) {
      assert.ok(files.includes(target.replace(/^\.\//, "")), `${target} is not in the tarball`);
    }
  });
});
