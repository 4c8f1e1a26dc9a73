/**
 * The `npm run bench` entry: imports every module in `bench/` that exports `run()` and runs
 * them one after another, in file-name order. Pass module names (`fairshare`) to run only those.
 * Worker modules (`*-worker.ts`) are loaded by their suites inside worker threads, not here.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2);

const files = readdirSync(dir)
  .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts") && !file.endsWith("-worker.ts"))
  .filter((file) => file !== "index.ts" && file !== "reporter.ts" && file !== "fixtures.ts")
  .sort();

for (const file of files) {
  const name = file.replace(/\.ts$/, "");
  if (only.length > 0 && !only.includes(name)) continue;

  const module = (await import(pathToFileURL(`${dir}${file}`).href)) as { run?: () => unknown };
  if (typeof module.run !== "function") continue;
  process.stderr.write(`bench: ${name}\n`);
  await module.run();
}
