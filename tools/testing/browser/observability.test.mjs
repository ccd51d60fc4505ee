// The observability profile in a real browser: Debian's Chromium, headless,
// driven by playwright-core, against the stack that `tools/browser-test
// --observability` starts (tools/stack-up --observability). Environment:
//   GATEWAY        the gateway's URL (default http://127.0.0.1:9000)
//   ZIPKIN         Zipkin's URL (default http://127.0.0.1:9411)
//   PROMETHEUS     Prometheus's URL (default http://127.0.0.1:9090)
//   CHROMIUM       the browser (default /usr/bin/chromium)
//   TRACE_SHOT     where to write the screenshot of the aggregator request's waterfall
//   METRICS_SHOT   where to write the screenshot of the find-peers console
//   SELFTEST_SHOT  where to write the screenshot of the self-test trace
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { chromium } from "playwright-core";

const GATEWAY = process.env.GATEWAY || "http://127.0.0.1:9000";
const ZIPKIN = process.env.ZIPKIN || "http://127.0.0.1:9411";
const PROMETHEUS = process.env.PROMETHEUS || "http://127.0.0.1:9090";
// The seed's bed room and hour: the aggregator asks beacon and tracking.
const AGGREGATOR_PATH = "/aggregator/locations/ce519f95-923c-4532-879e-cd19afa8dda8/1473156000";
const SERVICES = ["gateway", "aggregator", "beacon", "tracking"];
const OPS_ROUTES = 'route!~"/metrics|/healthz|/readyz"';

let context;
let profile;

before(async () => {
  profile = mkdtempSync(join(tmpdir(), "find-peers-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
  });
  // Traffic for both tests: aggregator requests through the gateway. A
  // counter's series appears with its first request, and rate() sees only
  // increases between scrapes: one request, two scrapes (5 s apart), then
  // the rest spread over 10 s.
  await aggregatorRequest();
  await sleep(11_000);
  for (let i = 0; i < 20; i++) {
    await aggregatorRequest();
    await sleep(500);
  }
});

async function aggregatorRequest() {
  const resp = await fetch(GATEWAY + AGGREGATOR_PATH);
  assert.equal(resp.status, 200, `GET ${AGGREGATOR_PATH}: ${resp.status}`);
  await resp.arrayBuffer();
}

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// poll calls f every second until it returns a truthy value or ms pass.
async function poll(ms, f) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v || Date.now() > end) return v;
    await sleep(1000);
  }
}

async function promQuery(q) {
  const resp = await fetch(`${PROMETHEUS}/api/v1/query?query=${encodeURIComponent(q)}`);
  assert.equal(resp.status, 200, `query ${q}: ${resp.status}`);
  return (await resp.json()).data.result;
}

async function zipkinJSON(path) {
  const resp = await fetch(ZIPKIN + path);
  assert.equal(resp.status, 200, `GET ${path}: ${resp.status}`);
  return resp.json();
}

test("Prometheus scrapes the four services and the find-peers console graphs them", async () => {
  // Every service's target is up, and the requests made above are counted
  // (a scrape every 5 s, rate over 1 min: two scrapes after the requests).
  const up = await poll(60_000, async () => {
    const r = await promQuery(`up{job=~"${SERVICES.join("|")}"}`);
    return r.length === 4 && r.every((s) => s.value[1] === "1") && r;
  });
  assert.ok(up, "not every service's target is up in Prometheus (http://127.0.0.1:9090/classic/targets says why)");
  // The console's queries, asked of the API: each service has a request
  // rate and a p99 latency (NaN, and no line, without requests).
  for (const job of SERVICES) {
    const rate = await poll(60_000, async () => {
      const r = await promQuery(`sum(rate(http_requests_total{job="${job}",${OPS_ROUTES}}[1m])) > 0`);
      return r.length === 1 && r;
    });
    assert.ok(rate, `no request rate for ${job}`);
    const p99 = await promQuery(`histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="${job}",${OPS_ROUTES}}[1m]))) > 0`);
    assert.equal(p99.length, 1, `no p99 latency for ${job}`);
    console.log(`${job}: ${Number(rate[0].value[1]).toFixed(2)} requests/s, p99 ${(1000 * p99[0].value[1]).toFixed(1)} ms`);
  }
  const page = await context.newPage();
  const errors = [];
  // The classic UI's ajax-loader image is not in Debian's package: a 404
  // that does not matter; anything else does.
  page.on("console", (m) => { if (m.type() === "error" && !/404/.test(m.text())) errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${PROMETHEUS}/consoles/find-peers.html`);
  assert.equal(await page.locator("#targets td", { hasText: /^no$/ }).count(), 0, "a service is down in the console's table");
  for (const job of SERVICES) {
    assert.ok(await page.locator("#targets a", { hasText: job }).count(), `${job} missing from the console's table`);
    for (const graph of ["rate", "latency", "errors"]) {
      // Rickshaw draws each series as an SVG path once the data is in (a
      // flat 0 line has no height: attached, not "visible").
      await page.locator(`#${job}-${graph} svg path`).first().waitFor({ state: "attached", timeout: 20_000 });
      assert.equal(await page.locator(`#${job}-${graph}`, { hasText: "No timeseries returned" }).count(), 0, `${job} ${graph}: no data`);
    }
  }
  await page.waitForLoadState("networkidle");
  assert.deepEqual(errors, []);
  if (process.env.METRICS_SHOT) await page.screenshot({ path: process.env.METRICS_SHOT, fullPage: true });
  await page.close();
});

// openTrace opens Zipkin's waterfall of traceId and returns the page and its text.
async function openTrace(traceId, serviceNames) {
  const page = await context.newPage();
  await page.goto(`${ZIPKIN}/zipkin/traces/${traceId}`);
  // Each span's row reads "<service>: <span name>".
  await page.waitForFunction((names) => {
    const text = document.body.innerText.toLowerCase();
    return names.every((n) => text.includes(`${n}: `));
  }, serviceNames, { timeout: 20_000 });
  await page.waitForLoadState("networkidle");
  return { page, text: await page.locator("body").innerText() };
}

test("Zipkin shows the waterfall of one aggregator request: gateway root, aggregator, beacon, tracking", async (t) => {
  // Spans are exported in batches (every few seconds).
  const services = await poll(30_000, async () => {
    const s = await zipkinJSON("/api/v2/services");
    return SERVICES.every((n) => s.includes(n)) && s;
  });
  assert.ok(services, "the four services exported no spans to Zipkin within 30 s (OTEL_TRACES_EXPORTER=zipkin in the profile)");
  // The newest trace whose root is the gateway's span for the aggregator
  // route and that has spans of all four services.
  const traces = await zipkinJSON(`/api/v2/traces?serviceName=aggregator&lookback=900000&limit=50`);
  const trace = traces.find((spans) => {
    const root = spans.find((s) => !s.parentId);
    const names = new Set(spans.map((s) => s.localEndpoint?.serviceName));
    return root?.localEndpoint?.serviceName === "gateway" && SERVICES.every((n) => names.has(n));
  });
  assert.ok(trace, `no trace with a gateway root and spans of ${SERVICES.join(", ")} among ${traces.length}`);
  const traceId = trace[0].traceId;
  const { page, text } = await openTrace(traceId, SERVICES);
  for (const s of SERVICES) assert.match(text, new RegExp(s, "i"), `the waterfall lacks ${s}`);
  if (process.env.TRACE_SHOT) await page.screenshot({ path: process.env.TRACE_SHOT, fullPage: true });
  await page.close();
});

test("Zipkin's UI shows a trace POSTed to its span API (self-test, throw-away service names)", async () => {
  // The shape of a real request, under names no service uses, so that the
  // UI and the span API are proven before (and apart from) the services'
  // own tracing.
  const traceId = randomBytes(16).toString("hex");
  const id = () => randomBytes(8).toString("hex");
  const now = Date.now() * 1000;
  const root = id(), agg = id();
  const span = (sid, parentId, svc, name, start, duration, kind = "SERVER") =>
    ({ traceId, id: sid, ...(parentId && { parentId }), name, kind, timestamp: now + start, duration,
      localEndpoint: { serviceName: svc }, tags: { "http.method": "GET" } });
  const spans = [
    span(root, null, "selftest-gateway", "get /aggregator/locations/{id}/{time}", 0, 40_000),
    span(agg, root, "selftest-aggregator", "get /aggregator/locations/{id}/{time}", 2_000, 35_000),
    span(id(), agg, "selftest-beacon", "get /beacons/locations/{id}", 4_000, 10_000),
    span(id(), agg, "selftest-tracking", "get /tracking/locations/{id}/{time}", 15_000, 18_000),
  ];
  const resp = await fetch(`${ZIPKIN}/api/v2/spans`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(spans),
  });
  assert.equal(resp.status, 202, `POST /api/v2/spans: ${resp.status} ${await resp.text()}`);
  const got = await poll(10_000, async () => (await fetch(`${ZIPKIN}/api/v2/trace/${traceId}`)).ok);
  assert.ok(got, "the POSTed trace never appeared in Zipkin's API");
  const names = spans.map((s) => s.localEndpoint.serviceName);
  const { page, text } = await openTrace(traceId, names);
  for (const n of names) assert.ok(text.toLowerCase().includes(n), `the waterfall lacks ${n}`);
  if (process.env.SELFTEST_SHOT) await page.screenshot({ path: process.env.SELFTEST_SHOT, fullPage: true });
  await page.close();
});
