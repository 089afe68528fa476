// Compiles src/ twice with tsc: dist/esm (ES modules) and dist/cjs (CommonJS), each with its own
// .d.ts files, and marks dist/cjs as CommonJS for Node (the package itself is "type": "module").
//
//   node scripts/build-dist.mjs             always rebuild
//   node scripts/build-dist.mjs --if-stale  rebuild only when src/ or the build settings changed
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distHashFile, distIsFresh, distSourceHash } from './dist-hash.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

if (process.argv.includes('--if-stale') && distIsFresh(root)) process.exit(0);

rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const project of ['tsconfig.build.json', 'tsconfig.cjs.json']) {
  execFileSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit' });
}
mkdirSync(join(root, 'dist', 'cjs'), { recursive: true });
writeFileSync(join(root, 'dist', 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
mkdirSync(dirname(distHashFile(root)), { recursive: true });
writeFileSync(distHashFile(root), `${distSourceHash(root)}\n`);
console.log('dist: built dist/esm and dist/cjs');
