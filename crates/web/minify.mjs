// Trunk's post_build hook (Trunk.toml): minifies the page's JavaScript in the staging
// directory with terser (pinned, installed by `cargo xtask setup` into .tools/terser)
// and rewrites each file's subresource-integrity hash in index.html to match. Trunk
// 0.21 minifies CSS and HTML itself but not wasm-bindgen's glue nor copied files.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error('minify.mjs runs as Trunk post_build hook (no TRUNK_STAGING_DIR)');
if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);

const terserHome = join(process.cwd(), '.tools/terser/');
let minify;
try {
  ({ minify } = createRequire(terserHome)('terser'));
} catch {
  throw new Error('terser is missing: run `cargo xtask setup --only terser`');
}

const indexPath = join(staging, 'index.html');
let index = readFileSync(indexPath, 'utf8');
for (const name of readdirSync(staging).filter((n) => n.endsWith('.js'))) {
  const path = join(staging, name);
  const source = readFileSync(path, 'utf8');
  // The glue is an ES module (`export`); evc.js is a classic script.
  const module = /^export /m.test(source);
  const out = await minify(source, { module, compress: { passes: 2 }, mangle: true });
  if (typeof out.code !== 'string') throw new Error(`terser gave nothing for ${name}`);
  writeFileSync(path, out.code);
  const before = `sha384-${createHash('sha384').update(source).digest('base64')}`;
  const after = `sha384-${createHash('sha384').update(out.code).digest('base64')}`;
  index = index.split(before).join(after);
  console.log(`minify.mjs: ${name} ${source.length} -> ${out.code.length} B`);
}
writeFileSync(indexPath, index);
