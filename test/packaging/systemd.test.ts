/**
 * deploy/systemd/mosapi-exporter.service: the hardening docs/deploy.md promises (a dynamic
 * user, a read-only system, no capabilities), the password files through LoadCredential= at
 * the paths the documented config names, and a reload that sends SIGHUP. `systemd-analyze
 * verify` needs systemd; docs/deploy.md says how to run it.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { imageEnv } from "../helpers/image-env.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const unit = readFileSync(`${ROOT}deploy/systemd/mosapi-exporter.service`, "utf8");
const deployDoc = readFileSync(`${ROOT}docs/deploy.md`, "utf8");

/** `Key=value` lines of the [Service] section (repeated keys keep every value). */
function service(): Map<string, string[]> {
  const section = unit.slice(unit.indexOf("[Service]"), unit.indexOf("[Install]"));
  const entries = new Map<string, string[]>();
  for (const line of section.split("\n")) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) entries.set(match[1]!, [...(entries.get(match[1]!) ?? []), match[2]!]);
  }
  return entries;
}

describe("the systemd unit", () => {
  const entries = service();

  it.each([
    ["DynamicUser", "yes"],
    ["ProtectSystem", "strict"],
    ["ProtectHome", "yes"],
    ["PrivateTmp", "yes"],
    ["NoNewPrivileges", "yes"],
    ["CapabilityBoundingSet", ""],
    ["RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"],
    ["ExecReload", "/bin/kill -HUP $MAINPID"],
  ])("sets %s=%s", (key, value) => {
    expect(entries.get(key)).toEqual([value]);
  });

  it("runs the installed command with a config file and reloads with SIGHUP", () => {
    expect(entries.get("ExecStart")?.[0]).toMatch(
      /^\/usr\/local\/bin\/mosapi-exporter --config\.file=\/etc\/mosapi-exporter\/config\.yml /,
    );
    expect(entries.has("MemoryDenyWriteExecute")).toBe(false); // V8 needs W+X pages
  });

  it.each(["NODE_OPTIONS", "GLIBC_TUNABLES"])("runs Node.js with the image's %s", (name) => {
    const image = imageEnv(name);
    expect(image).toBeTruthy();
    expect(entries.get("Environment")).toContain(`"${name}=${image}"`);
  });

  it("hands each password file over with LoadCredential, where the documented config reads it", () => {
    const credentials = entries.get("LoadCredential") ?? [];
    expect(credentials.length).toBeGreaterThan(0);
    for (const credential of credentials) {
      const [name, source] = credential.split(":");
      expect(source).toMatch(/^\/etc\/mosapi-exporter\//);
      expect(deployDoc).toContain(
        `password_file: /run/credentials/mosapi-exporter.service/${name}`,
      );
    }
  });
});
