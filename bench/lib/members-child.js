/**
 * Child of bench/members.js: compresses the chunks of an `n`-target body into one gzip member
 * each, with zlib's default settings and with the exporter's, alternating, and sends the CPU
 * per body and the bytes of each. Run as a child so that it starts with the environment under
 * test (glibc reads GLIBC_TUNABLES once, at start).
 */
import { gzipSync } from "node:zlib";
import { GZIP_LEVEL, gzipMemberSync } from "../../dist/metrics/gzip-blocks.js";
import { SnapshotRenderer } from "../../dist/metrics/snapshot-renderer.js";
import { clonedSnapshot, templateEntries } from "./fleet.js";

const n = Number(process.argv[2]);
const repeats = Number(process.argv[3]);
const chunks = new SnapshotRenderer().renderChunks(clonedSnapshot(await templateEntries(), n));
const ways = {
  defaults: (chunk) => gzipSync(chunk, { level: GZIP_LEVEL }),
  exporter: gzipMemberSync,
};
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const result = {
  chunks: chunks.length,
  text: chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0),
  whole: gzipSync(Buffer.concat(chunks), { level: GZIP_LEVEL }).byteLength,
  defaults: [],
  exporter: [],
  bytes: {},
};
// One body each first: zlib's and V8's first calls are not what a running exporter pays.
for (const [name, way] of Object.entries(ways)) {
  result.bytes[name] = chunks.reduce((sum, chunk) => sum + way(chunk).byteLength, 0);
}
for (let i = 0; i < repeats; i++) {
  for (const [name, way] of Object.entries(ways)) {
    const started = cpuMs();
    for (const chunk of chunks) way(chunk);
    result[name].push(cpuMs() - started);
  }
}
process.send(result, () => process.exit(0));
