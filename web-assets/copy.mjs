// Copies the browser builds the pages load into the app's static folder (a build output,
// not committed), with the versions in a manifest the app reads.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

const target = "../src/betterheap/web/static/vendor";
const files = {
  "htmx.min.js": "node_modules/htmx.org/dist/htmx.min.js",
  "vega.min.js": "node_modules/vega/build/vega.min.js",
  "vega-lite.min.js": "node_modules/vega-lite/build/vega-lite.min.js",
  "vega-embed.min.js": "node_modules/vega-embed/build/vega-embed.min.js",
};
mkdirSync(target, { recursive: true });
const versions = {};
for (const [name, source] of Object.entries(files)) {
  copyFileSync(source, `${target}/${name}`);
  const pkg = source.split("/")[1];
  versions[name] = JSON.parse(readFileSync(`node_modules/${pkg}/package.json`, "utf8")).version;
}
writeFileSync(`${target}/versions.json`, JSON.stringify(versions, null, 2) + "\n");
