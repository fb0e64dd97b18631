// The client: starts `dvcc lsp` (the `dvcc.path` setting) for `.dvc` files.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function start(context) {
  const command = vscode.workspace.getConfiguration("dvcc").get("path") || "dvcc";
  const serverOptions = { command, args: ["lsp"] };
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "dvc" },
      { scheme: "untitled", language: "dvc" },
    ],
    synchronize: {
      // Files changed outside the editor (a git checkout) are re-read, and
      // so are the handbook's templates and runbook notes.
      fileEvents: vscode.workspace.createFileSystemWatcher(
        "**/{*.dvc,handbook/*.hbs,handbook/runbooks/*.md}"
      ),
    },
  };
  client = new LanguageClient("dvcc", "dvcc", serverOptions, clientOptions);
  return client.start().catch((err) => {
    vscode.window.showErrorMessage(
      `dvcc: could not start \`${command} lsp\` (${err.message}). Install dvcc or set \`dvcc.path\`.`
    );
  });
}

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("dvcc.restartServer", async () => {
      if (client) {
        await client.stop();
      }
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("dvcc.path")) {
        await vscode.commands.executeCommand("dvcc.restartServer");
      }
    })
  );
  return start(context);
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
