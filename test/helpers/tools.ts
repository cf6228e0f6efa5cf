/**
 * Where the external programs the tests run are: PATH first, then Debian's /usr/bin and
 * /usr/sbin (the same lookup as scripts/pretest.js, which installs what is missing before
 * `npm test`). A missing program is an error naming its package, never a skip.
 */
import { accessSync, constants } from "node:fs";
import path from "node:path";

const FALLBACK_DIRS = ["/usr/bin", "/usr/sbin"];

/**
 * The absolute path of `program`.
 * @throws Error naming the Debian package and the install command when it is nowhere
 */
export function findTool(program: string, debianPackage: string): string {
  const dirs = (process.env["PATH"] ?? "").split(path.delimiter).filter((dir) => dir !== "");
  for (const dir of [...dirs, ...FALLBACK_DIRS]) {
    const candidate = path.join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    `${program} not found on PATH or in ${FALLBACK_DIRS.join(", ")}: install Debian's ` +
      `${debianPackage} package (apt-get install ${debianPackage}; npm test's pretest step ` +
      "does it when run as root)",
  );
}
