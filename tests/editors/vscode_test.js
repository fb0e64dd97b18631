// The extension inside a real VS Code (code-server, the browser build of VS
// Code) driven by Playwright in Debian's Chromium: opening a `.dvc` file with
// a mistake shows its diagnostic in the Problems view, and its quick fix
// applies. Run by .ci/check-vscode-host, which installs and starts
// code-server with the packaged extension; this script gets its address,
// the project and where Chromium is from the environment.
"use strict";

const { chromium } = require("playwright-core");

const url = process.env.CODE_SERVER_URL;
const project = process.env.DVCC_PROJECT;
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";

function log(msg) {
  console.log(msg);
}

// Waits until the open quick pick lists a row whose text holds `text`,
// then lets the list settle on it.
async function quickPickShows(page, text) {
  await page.waitForFunction(
    (t) =>
      Array.from(document.querySelectorAll(".quick-input-list .monaco-list-row")).some((row) =>
        (row.textContent || "").includes(t),
      ),
    text,
    { timeout: 60000 },
  );
  await page.waitForTimeout(300);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: browserPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const consoleErrors = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  try {
    await page.goto(`${url}/?folder=${encodeURIComponent(project)}`, { waitUntil: "domcontentloaded" });
    await page.waitForSelector(".monaco-workbench", { timeout: 120000 });
    log("ok workbench loaded");

    // Open services.dvc through Quick Open.
    await page.waitForTimeout(2000);
    await page.keyboard.press("Control+P");
    await page.waitForSelector(".quick-input-widget input", { timeout: 30000 });
    await page.keyboard.type("services.dvc");
    // (Enter before the file search has listed it opens nothing.)
    await quickPickShows(page, "services.dvc");
    await page.keyboard.press("Enter");
    await page.waitForSelector(".monaco-editor .view-lines", { timeout: 60000 });
    await page.waitForFunction(
      () => [...document.querySelectorAll(".tab")].some((t) => t.textContent.includes("services.dvc")),
      null,
      { timeout: 60000 }
    );
    log("ok services.dvc open");

    // The language is dvc (the extension's grammar and client are active).
    await page.waitForFunction(
      () => [...document.querySelectorAll(".statusbar-item")].some((s) => /\bdvc\b/.test(s.textContent || "")),
      null,
      { timeout: 60000 }
    );
    log("ok language mode dvc");

    // The Problems view shows the diagnostic with its code.
    await page.keyboard.press("Control+Shift+M");
    await page.waitForFunction(
      () => {
        const panel = document.querySelector(".markers-panel");
        return panel && /512MB/.test(panel.textContent || "") && /DVC0303/.test(panel.textContent || "");
      },
      null,
      { timeout: 120000 }
    );
    log("ok Problems view shows DVC0303");

    // Quick fix: go to the problem (F8 in the editor), then apply the
    // preferred fix there ("Auto Fix...").
    await page.click(".monaco-editor .view-lines");
    await page.keyboard.press("Control+Home");
    await page.keyboard.press("F8");
    await page.waitForTimeout(800);
    await page.keyboard.press("Escape");
    await page.keyboard.press("F1");
    await page.waitForSelector(".quick-input-widget input", { timeout: 30000 });
    await page.keyboard.type("Auto Fix");
    await quickPickShows(page, "Auto Fix");
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      () => /memory\s*=\s*512Mi/.test(document.querySelector(".monaco-editor .view-lines")?.textContent || ""),
      null,
      { timeout: 60000 }
    );
    log("ok quick fix applied: 512Mi");

    // And the Problems view clears.
    await page.waitForFunction(
      () => !/DVC0303/.test(document.querySelector(".markers-panel")?.textContent || ""),
      null,
      { timeout: 60000 }
    );
    log("ok problem cleared");
  } catch (err) {
    await page.screenshot({ path: process.env.SCREENSHOT || "/tmp/vscode-failure.png" }).catch(() => {});
    console.error("FAIL", err.message);
    console.error("console errors:", consoleErrors.slice(0, 10).join("\n"));
    await browser.close();
    process.exit(1);
  }
  await browser.close();
}

main();
