// The hash of everything dist/ is compiled from: src/ (the generated WebAssembly module included),
// the tsconfig files and the build scripts. build-dist.mjs stores it in build/ (not in dist/, which
// is published); tests that load dist/ check it, so that they never run against a stale build.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'tsconfig.cjs.json', 'scripts/build-dist.mjs', 'scripts/dist-hash.mjs'];

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]);
}

export function distSourceHash(root) {
  const hash = createHash('sha256');
  const files = [...filesUnder(join(root, 'src')), ...BUILD_INPUTS.map((f) => join(root, f))].sort();
  for (const file of files) hash.update(relative(root, file)).update(readFileSync(file));
  return hash.digest('hex');
}

export const distHashFile = (root) => join(root, 'build', 'dist-source-hash');

/** True when dist/ was built from the sources as they are now. */
export function distIsFresh(root) {
  const file = distHashFile(root);
  return existsSync(file) && existsSync(join(root, 'dist', 'esm', 'index.js')) &&
    readFileSync(file, 'utf8').trim() === distSourceHash(root);
}
