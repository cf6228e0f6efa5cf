// Lets Node 20 run the dashboard generator (grafana/src/generate.ts) without a build step or a
// new dependency: `node --import ./grafana/tools/ts-loader.js grafana/src/generate.ts`.
import { register } from "node:module";

register("./ts-hooks.js", import.meta.url);
