/**
 * The shell every status-board page shares: document head (self-refresh, viewport, inline
 * style), a header with build facts and links, the `<main>` landmark, and a footer. No script:
 * the pages work with JavaScript disabled.
 */
import { formatDuration, iso } from "./board.js";
import { html, raw } from "./html.js";
import type { SafeHtml } from "./html.js";
import type { BuildInfo } from "../version.js";

/** Build facts and the process start, shown in the header. */
export interface RunInfo extends BuildInfo {
  /** ms since the epoch. */
  readonly startedAt: number;
}

/** What a page shows around its content. */
export interface PageFrame {
  readonly info: RunInfo;
  /** ms since the epoch; uptime is shown relative to it. */
  readonly now: number;
  readonly ready: boolean;
}

/** Seconds between automatic reloads (`<meta http-equiv="refresh">`). */
export const REFRESH_SECONDS = 60;

/**
 * A complete HTML document: `title` in `<title>`, `heading` as the one `<h1>`, `content` inside
 * `<main>`. `refresh` (default true) makes the browser reload the page every
 * {@link REFRESH_SECONDS}; error pages pass false.
 */
export function renderPage(
  frame: PageFrame,
  title: string,
  heading: SafeHtml | string,
  content: SafeHtml,
  refresh = true,
): string {
  const { info, now, ready } = frame;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        ${refresh ? html`<meta http-equiv="refresh" content="${REFRESH_SECONDS}" />` : ""}
        <title>${title}</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <h1>${heading}</h1>
          <p>
            Version ${info.version} (revision ${info.revision}), Node.js ${info.nodeVersion}. Up
            ${formatDuration(now - info.startedAt)}, since ${utc(info.startedAt)}.
            ${ready ? "Ready." : "Not ready: waiting for the first state refresh."} Page generated
            ${utc(now)}${refresh ? html`; reloads every ${REFRESH_SECONDS} s` : ""}.
          </p>
          <nav aria-label="Exporter">
            <a href="/">Status board</a> · <a href="/metrics">Metrics</a> ·
            <a href="/-/healthy">Health</a> · <a href="/-/ready">Readiness</a> ·
            <a href="/api/v1/status">Status JSON</a>
          </nav>
        </header>
        <main>${content}</main>
        <footer>
          <p>
            Data as last fetched from ICANN's MoSAPI; the exporter refreshes in the background and
            keeps the last good values when a refresh fails.
          </p>
        </footer>
      </body>
    </html> `.toString();
}

/** An absolute time, kept on one line. */
function utc(ms: number): SafeHtml {
  return html`<time datetime="${iso(ms)}">${iso(ms)}</time>`;
}

/**
 * Dark text on light tints: every text/background pair is at least 7:1 (WCAG AAA), the links
 * 8.6:1. Colour is never the only signal: every cell also says its status in words.
 */
const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; margin: 0 auto; padding: 1rem; max-width: 90rem; color: #111; background: #fff; line-height: 1.4; overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .25rem; }
a { color: #0645ad; }
footer { margin-top: 2rem; font-size: .85rem; color: #333; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: .9rem; margin-bottom: .5rem; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
th, td { border: 1px solid #999; padding: .3rem .45rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: #e8e8e8; }
.grid td, .grid th { min-width: 8.5rem; overflow-wrap: normal; }
.grid tbody th { white-space: nowrap; min-width: 0; }
ul { margin: 0; padding-left: 1.1rem; }
.status { font-weight: bold; }
.note { font-size: .85rem; }
.flag { display: inline-block; margin-top: .2rem; padding: 0 .3rem; border: 2px solid #5c0707; background: #fff; color: #5c0707; font-weight: bold; font-size: .8rem; }
.flag.warn { border-color: #403000; color: #403000; border-style: dashed; white-space: nowrap; }
.bar { position: relative; height: .7rem; margin-top: .3rem; background: #fff; border: 1px solid #555; min-width: 6rem; }
.bar .fill { position: absolute; left: 0; top: 0; bottom: 0; background: #2f6b3a; }
.bar .fill.t10 { background: #8a6d00; }
.bar .fill.t25 { background: #b45309; }
.bar .fill.t50, .bar .fill.t75, .bar .fill.t100 { background: #b00020; }
.bar::after { content: ""; position: absolute; top: -2px; bottom: -2px; left: 0; right: 0; background: linear-gradient(90deg, transparent calc(10% - 1px), #111 0 10%, transparent 0 calc(25% - 1px), #111 0 25%, transparent 0 calc(50% - 1px), #111 0 50%, transparent 0 calc(75% - 1px), #111 0 75%, transparent 0 calc(100% - 1px), #111 0); }
time { white-space: nowrap; }
.filters ul { list-style: none; padding: 0; margin: .5rem 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
.filters .current { font-weight: bold; color: #111; text-decoration: none; }
.filters form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.incident { border-left: 4px solid #b00020; padding-left: .75rem; margin-bottom: 1rem; }
.s-up { background: #d7f3dc; color: #0b3d17; }
.s-down { background: #fcd4d4; color: #5c0707; }
.s-inconclusive { background: #fff0bf; color: #403000; }
.s-unknown { background: #e6e0f5; color: #2b1c59; }
.s-disabled { background: #eeeeee; color: #333; }
.s-none { background: #fff; color: #444; }
.s-stale { background: #eeeeee; color: #333; border-style: dashed; }
`;
