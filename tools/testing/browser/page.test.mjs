// The "who is here" page in a real browser: Debian's Chromium, headless,
// driven by playwright-core, against the running system (tools/browser-test
// starts it). Environment:
//   GATEWAY        the gateway's URL (default http://127.0.0.1:9000)
//   FIND_PEERS_API_KEY  a write API key: the test posts sightings (the page
//                  itself only reads, without a key)
//   CHROMIUM       the browser (default /usr/bin/chromium)
//   TRACKING_STOP, TRACKING_START   shell commands that stop and start tracking-service
//   SCREENSHOT     where to write the screenshot of the page with live data
//   RESULTS        where to write the measured timings (JSON)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { chromium } from "playwright-core";

const GATEWAY = process.env.GATEWAY || "http://127.0.0.1:9000";
const API_KEY = process.env.FIND_PEERS_API_KEY || "";
const BED_ROOM = "ce519f95-923c-4532-879e-cd19afa8dda8";
const BED_ROOM_BEACON = "5bf966d9-8046-4fc1-ae5a-80c923ebea5a";
const ERUPAKAS = ["Avinash Erupaka", "Bhargavi Erupaka", "Shobha Erupaka"];

let context;
let profile;
const timings = {};

before(async () => {
  profile = mkdtempSync(join(tmpdir(), "find-peers-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
    viewport: { width: 1100, height: 900 },
  });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (process.env.RESULTS) writeFileSync(process.env.RESULTS, JSON.stringify(timings, null, 2) + "\n");
});

// open loads the page and records every console error and uncaught error.
async function open(path = "/") {
  const page = await context.newPage();
  const errors = [];
  // A failed resource's message does not name it; its location does.
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const url = m.location()?.url;
    errors.push(url ? `${m.text()} (${url.replace(GATEWAY, "")})` : m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(GATEWAY + path);
  return { page, errors };
}

async function postSighting(name) {
  const s = { beaconId: BED_ROOM_BEACON, timeLogged: new Date().toISOString(), userId: randomUUID(), name };
  const resp = await fetch(`${GATEWAY}/tracking/sightings`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Authorization": `Bearer ${API_KEY}` },
    body: JSON.stringify(s),
  });
  assert.equal(resp.status, 201, `POST /tracking/sightings: ${resp.status} ${await resp.text()}`);
  return s;
}

const rowOf = (page, userId) => page.locator(`#now li[data-user="${userId}"]`);
const liveStatus = (page) => page.locator("#live-status");

test("the page loads without console errors and lists the locations", async () => {
  const { page, errors } = await open();
  await page.locator("#location option", { hasText: "Bed Room Beacon" }).first().waitFor({ state: "attached" });
  await page.waitForLoadState("networkidle");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the seed hour shows the three Erupaka users in the bed room, one click away", async () => {
  const { page, errors } = await open();
  await page.getByRole("button", { name: /Example: bed room/ }).click();
  const names = page.locator("#history-list li .who");
  await names.nth(2).waitFor();
  assert.deepEqual((await names.allTextContents()).sort(), ERUPAKAS);
  assert.match(await page.locator("#history-list li .where").first().textContent(), /Bed Room Beacon/);
  // Local time shown, UTC on hover.
  assert.match(await page.locator("#history-list time").first().getAttribute("title"), /^2016-09-06 10:00:00 UTC$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a sighting POSTed through the gateway appears without reload (20 times, median under 1 s)", async () => {
  const { page } = await open(`/#${BED_ROOM}`);
  await liveStatus(page).filter({ hasText: /^live$/ }).waitFor();
  const ms = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const s = await postSighting(`Browser Visitor ${i + 1}`);
    await rowOf(page, s.userId).waitFor({ timeout: 5000 });
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  timings.liveAppearMs = { median: ms[10], min: ms[0], max: ms[19], all: ms.map((v) => Math.round(v)) };
  console.log(`live sighting on the page: median ${ms[10].toFixed(0)} ms, min ${ms[0].toFixed(0)}, max ${ms[19].toFixed(0)} (20 POSTs)`);
  assert.ok(ms[10] < 1000, `median ${ms[10]} ms`);
  // The newest is first and highlighted for a moment.
  assert.match(await page.locator("#now li").first().textContent(), /Browser Visitor 20/);
  await page.waitForTimeout(3000); // the highlights fade (a 2 s transition)
  const last = await postSighting("Ada Okafor");
  await rowOf(page, last.userId).waitFor();
  assert.equal(await page.locator("#now li.new").count(), 1);
  assert.match(await page.locator("#now li").first().textContent(), /Ada Okafor/);
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  await page.close();
});

test("with tracking-service stopped the page says so, and recovers when it is back", async () => {
  assert.ok(process.env.TRACKING_STOP && process.env.TRACKING_START, "TRACKING_STOP and TRACKING_START must be set (tools/browser-test sets them)");
  const { page } = await open(`/#${BED_ROOM}`);
  await liveStatus(page).filter({ hasText: /^live$/ }).waitFor();
  try {
    execSync(process.env.TRACKING_STOP, { stdio: "inherit", timeout: 60_000 });
    await liveStatus(page).filter({ hasText: "paused" }).waitFor({ timeout: 30_000 });
    assert.match(await page.locator("#now-error").textContent(), /tracking-service is not reachable/);
    assert.ok(await page.locator("#now-error").isVisible());
  } finally {
    execSync(process.env.TRACKING_START, { stdio: "inherit", timeout: 120_000 });
  }
  const t0 = performance.now();
  await liveStatus(page).filter({ hasText: /^live$/ }).waitFor({ timeout: 90_000 });
  timings.recoveredAfterStartMs = Math.round(performance.now() - t0);
  assert.ok(await page.locator("#now-error").isHidden());
  const s = await postSighting("Back Again");
  await rowOf(page, s.userId).waitFor({ timeout: 5000 });
  await page.close();
});

test("keyboard only: an id typed and Enter, then the example hour", async () => {
  const { page, errors } = await open();
  await page.locator("body").focus();
  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
  const seen = [];
  for (let i = 0; i < 8 && !seen.includes("location-id"); i++) {
    await page.keyboard.press("Tab");
    seen.push(await focused());
  }
  assert.ok(seen.includes("location"), `Tab order ${seen}`);
  assert.ok(seen.includes("location-id"), `Tab order ${seen}`);
  await page.keyboard.type(BED_ROOM);
  await page.keyboard.press("Enter");
  await liveStatus(page).filter({ hasText: /^live$/ }).waitFor();
  assert.equal(new URL(page.url()).hash, `#${BED_ROOM}`);
  // On to the example button, and Enter.
  for (let i = 0; i < 10 && (await focused()) !== "seed-example"; i++) await page.keyboard.press("Tab");
  assert.equal(await focused(), "seed-example");
  await page.keyboard.press("Enter");
  await page.locator("#history-list li .who").nth(2).waitFor();
  assert.deepEqual((await page.locator("#history-list li .who").allTextContents()).sort(), ERUPAKAS);
  // A wrong id is a readable message, not a blank page.
  await page.locator("#location-id").fill("not-an-id");
  await page.keyboard.press("Enter");
  assert.match(await page.locator("#now-error").textContent(), /is not a location id/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("an API error is a readable message; an empty hour says nobody was seen", async () => {
  const { page } = await open(`/#${BED_ROOM}`);
  await page.locator("#history-date").fill("2016-09-06");
  await page.locator("#history-hour").selectOption("11");
  await page.getByRole("button", { name: "Show that hour" }).click();
  await page.locator("#history-list li.empty", { hasText: "Nobody seen in that hour." }).waitFor();
  // An unknown location: the aggregator answers 404 or an empty list.
  const unknown = randomUUID();
  await page.locator("#location-id").fill(unknown);
  await page.getByRole("button", { name: "Show that hour" }).click();
  await page.locator("#history-list li.empty, #history-error:not([hidden])").first().waitFor();
  await page.close();
});

test("readable at 375 px: nothing wider than the screen", async () => {
  const page = await context.newPage();
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(`${GATEWAY}/#${BED_ROOM}`);
  await liveStatus(page).filter({ hasText: /^live$/ }).waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `page is ${width} px wide at a 375 px viewport`);
  await page.close();
});
