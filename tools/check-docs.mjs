// Opens the rendered reference in headless Chromium and checks that every expected heading is
// shown at its own deep link; writes a screenshot. Run by `cargo xtask docs`:
//   node tools/check-docs.mjs CHROMIUM PAGE.html EXPECTED.json SCREENSHOT.png
// EXPECTED.json is a list of [deep link, heading] pairs, one per operation and per schema (the
// page renders the part of a section in view, so each is visited). Exits 1, naming them, when
// any heading is missing.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [executablePath, html, expectedFile, screenshot] = process.argv.slice(2);
const expected = JSON.parse(readFileSync(expectedFile, 'utf8'));
const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const missing = [];
let shown = 0;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 2400 } });
  for (const [link, heading] of expected) {
    await page.goto(`file://${html}#${link}`);
    const anchor = page.locator(`[aria-label=${JSON.stringify(`link to ${heading}`)}]`).first();
    try {
      await anchor.waitFor({ state: 'attached', timeout: 15000 });
      shown += 1;
    } catch {
      missing.push(`${link}: ${heading}`);
    }
  }
  await page.goto(`file://${html}#/customertenants`);
  await page.waitForTimeout(1000);
  await page.screenshot({ path: screenshot });
} finally {
  await browser.close();
}
if (missing.length > 0) {
  console.error(`the rendered reference does not show:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log(`${shown} headings shown`);
