// The TextMate grammar, tokenized by the engine VS Code uses
// (vscode-textmate with Oniguruma): exact scopes on lines written to show
// each rule, and every `.dvc` file of the repository tokenized without a
// string or comment left open at its end.
"use strict";

const fs = require("fs");
const path = require("path");
const assert = require("assert");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const root = path.resolve(__dirname, "..", "..", "..");
const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;

async function main() {
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p) => new oniguruma.OnigScanner(p),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => {
      const file = path.join(__dirname, "..", "syntaxes", "dvc.tmLanguage.json");
      return vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
    },
  });
  const grammar = await registry.loadGrammar("source.dvc");

  // The tokens of some lines: [text, innermost scope] pairs, blanks left out.
  function tokenize(text) {
    let stack = vsctm.INITIAL;
    const out = [];
    for (const line of text.split("\n")) {
      const r = grammar.tokenizeLine(line, stack);
      for (const t of r.tokens) {
        const piece = line.slice(t.startIndex, t.endIndex);
        if (piece.trim() !== "") {
          out.push([piece.trim(), t.scopes[t.scopes.length - 1]]);
        }
      }
      stack = r.ruleStack;
    }
    return { tokens: out, stack };
  }

  function scopeOf(text, piece) {
    const found = tokenize(text).tokens.find(([p]) => p === piece);
    assert.ok(found, `\`${piece}\` is a token of ${JSON.stringify(text)}: ${JSON.stringify(tokenize(text).tokens)}`);
    return found[1];
  }

  const cases = [
    ["service api {", "service", "keyword.other.block.dvc"],
    ["service api {", "api", "entity.name.type.dvc"],
    ["  replicas = 2", "replicas", "variable.other.property.dvc"],
    ["  replicas = 2", "=", "keyword.operator.assignment.dvc"],
    ["  replicas = 2", "2", "constant.numeric.dvc"],
    ["  memory = 512Mi", "Mi", "keyword.other.unit.dvc"],
    ["  for = 1h30m", "1", "constant.numeric.dvc"],
    ["  weight = 20%", "%", "keyword.other.unit.dvc"],
    ["  resources { cpu = 500m  memory = 512Mi }", "resources", "keyword.other.block.dvc"],
    ["  resources { cpu = 500m  memory = 512Mi }", "memory", "variable.other.property.dvc"],
    ["  type = service", "service", "variable.other.dvc"],
    ["  services = [api]", "services", "variable.other.property.dvc"],
    ["  uses checkout", "uses", "keyword.other.block.dvc"],
    ["  uses checkout", "checkout", "entity.name.type.dvc"],
    ['  run "npm ci"', "run", "keyword.other.block.dvc"],
    ['  run "npm ci"', "npm ci", "string.quoted.double.dvc"],
    ["  resource aws_sns_topic alerts {", "alerts", "entity.name.dvc"],
    ["  extends = dev", "dev", "variable.other.dvc"],
    ["  approval = true", "true", "constant.language.boolean.dvc"],
    ['  image = "${project.registry}/api"', "project.registry", "variable.other.dvc"],
    ['  image = "${project.registry}/api"', "/api", "string.quoted.double.dvc"],
    ['  if = "${{ github.ref }}"', "github.ref", "meta.embedded.expression.github-actions.dvc"],
    ['  msg = "a \\"b\\" # not a comment"', "# not a comment", "string.quoted.double.dvc"],
    ['  bad = "a \\q"', "\\q", "invalid.illegal.escape.dvc"],
    ["  expr = `rate(x[5m]) > 0.05`", "rate(x[5m]) > 0.05", "string.quoted.other.raw.dvc"],
    ["  nodes = 3..10", "..", "keyword.operator.range.dvc"],
    ['  DATABASE_URL = secret("db")', "secret", "support.function.dvc"],
    ['  "kubernetes.io/arch" = "arm64"', "kubernetes.io/arch", "variable.other.property.dvc"],
    ["# a comment", "# a comment", "comment.line.number-sign.dvc"],
    ["x = 1 // trailing", "// trailing", "comment.line.double-slash.dvc"],
    ['import "std/docker"', "import", "keyword.control.import.dvc"],
    ["  on push { branches = [\"main\"] }", "on", "keyword.other.block.dvc"],
    ["  on push { branches = [\"main\"] }", "push", "entity.name.type.dvc"],
  ];
  for (const [text, piece, scope] of cases) {
    assert.strictEqual(scopeOf(text, piece), scope, `${piece} in ${text}`);
  }

  // A block string spans lines, with interpolation inside.
  const block = tokenize('run """\n  echo ${service.name}\n  # not a comment\n"""\nx = 1');
  assert.ok(block.tokens.some(([p, s]) => p === "service.name" && s === "variable.other.dvc"));
  assert.ok(block.tokens.some(([p, s]) => p === "# not a comment" && s === "string.quoted.triple.dvc"));
  assert.ok(block.tokens.some(([p, s]) => p === "x" && s === "variable.other.property.dvc"));

  // Every .dvc file of the repository ends outside any string or comment.
  let files = 0;
  function walk(dir) {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!["node_modules", "target", ".git", "fuzz"].includes(entry.name)) walk(p);
      } else if (entry.name.endsWith(".dvc") && !p.includes(`${path.sep}hostile${path.sep}`) && !p.includes(`${path.sep}cases${path.sep}`) && !p.includes(`${path.sep}newcomers${path.sep}`)) {
        const { stack } = tokenize(fs.readFileSync(p, "utf8"));
        assert.strictEqual(stack.depth, 1, `${path.relative(root, p)} ends inside a string or comment`);
        files += 1;
      }
    }
  }
  walk(root);
  assert.ok(files > 10, `only ${files} files found`);
  console.log(`grammar: ${cases.length} scope checks, ${files} repository files tokenized`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
