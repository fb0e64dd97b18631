// Parses each file with Mermaid's own parser (in jsdom); exits 1 if any
// fails. Used by the tests to prove `dvcc graph --format mermaid` output is
// a valid flowchart. Usage: node mermaid-check.mjs FILE...
import { JSDOM } from "jsdom";
import fs from "node:fs";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
Object.defineProperty(globalThis, "navigator", { value: dom.window.navigator, configurable: true });
globalThis.DOMParser = dom.window.DOMParser;
globalThis.Element = dom.window.Element;

const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });
let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const result = await mermaid.parse(fs.readFileSync(file, "utf8"));
    console.log(`ok ${file} ${result.diagramType}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${file} ${String(e.message || e)}`);
  }
}
process.exit(failed ? 1 : 0);
