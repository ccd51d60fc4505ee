// The "who is here" page: plain ES modules, no build step, no dependency.
// It talks only to the gateway it was served by (same origin):
//   GET /beacons/locations                        the locations to choose from
//   GET /aggregator/locations/{id}/{epochSeconds}  who was there in an hour
//   GET /aggregator/locations/{id}/live           new sightings (server-sent events)
import { api, describeError, hourStart, isUUID, SEED } from "./api.js";
import { renderPeople, upsertPerson, timeElement } from "./people.js";

const $ = (id) => document.getElementById(id);
let live = null; // the open EventSource of "now", if any

// --- locations ------------------------------------------------------------

async function loadLocations() {
  const select = $("location");
  const found = [];
  try {
    let page = "";
    // Bounded: five pages of 100 are more than a person scrolls through.
    for (let i = 0; i < 5; i++) {
      const q = new URLSearchParams({ limit: "100" });
      if (page) q.set("page", page);
      const body = await api(`/beacons/locations?${q}`);
      found.push(...body.locations);
      if (!body.next) break;
      page = body.next;
    }
  } catch (err) {
    select.replaceChildren(new Option(`Locations unavailable (${describeError(err)})`, ""));
    return;
  }
  if (found.length === 0) {
    select.replaceChildren(new Option("No locations yet: paste an id", ""));
    return;
  }
  const options = found.map((l) => {
    const names = l.beacons.map((b) => b.beaconName).join(", ") || "no beacons";
    return new Option(`${names} (${l.locationId.slice(0, 8)}…)`, l.locationId);
  });
  options.sort((a, b) => a.text.localeCompare(b.text));
  select.replaceChildren(new Option("Choose a location…", ""), ...options);
  const current = location.hash.slice(1);
  if (current) select.value = current;
}

function chosenLocation() {
  const typed = $("location-id").value.trim();
  return typed || $("location").value;
}

// --- now: the current hour, then live -----------------------------------

async function showNow(id) {
  const list = $("now");
  const error = $("now-error");
  if (live) live.close();
  let hour = hourStart(new Date());
  $("now-hour").textContent = `Seen since ${hour.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}, newest first.`;
  const fill = async () => {
    try {
      const users = await api(`/aggregator/locations/${id}/${hour.getTime() / 1000}`);
      error.hidden = true;
      renderPeople(list, users, "Nobody seen this hour yet.");
    } catch (err) {
      error.textContent = describeError(err);
      error.hidden = false;
    }
  };
  await fill();
  live = new EventSource(`/aggregator/locations/${id}/live`);
  const status = (text, cls) => {
    $("live-status").textContent = text;
    $("live-status").className = `status ${cls}`;
  };
  status("connecting…", "");
  live.addEventListener("open", () => status("connecting…", ""));
  // The aggregator says whether it follows every tracking replica; once it
  // does again, what was missed meanwhile comes from the hour's answer.
  live.addEventListener("status", (e) => {
    const s = JSON.parse(e.data);
    if (s.connected) {
      status("live", "live");
      error.hidden = true;
      fill();
    } else {
      status("live updates paused", "down");
      error.textContent = s.error || "Live updates are paused.";
      error.hidden = false;
    }
  });
  live.addEventListener("message", (e) => {
    const u = JSON.parse(e.data);
    const now = hourStart(new Date());
    if (now.getTime() !== hour.getTime()) { // a new hour: start afresh
      hour = now;
      renderPeople(list, [], "");
    }
    if (new Date(u.timeLogged) >= hour) upsertPerson(list, u);
  });
  // EventSource reconnects by itself, sending the last sighting's id as
  // Last-Event-ID, and the aggregator starts with what was missed; it gives
  // up only when the answer is not a stream.
  live.addEventListener("error", () => {
    if (live.readyState === EventSource.CLOSED) {
      status("disconnected", "down");
      error.textContent = "The live stream was refused; retrying in 5 s.";
      error.hidden = false;
      setTimeout(() => { if (chosenLocation() === id) showNow(id); }, 5000);
    } else {
      status("reconnecting…", "down");
    }
  });
}

// --- history --------------------------------------------------------------

async function showHistory(id, date, hourOfDay) {
  const start = new Date(`${date}T${String(hourOfDay).padStart(2, "0")}:00:00Z`);
  const list = $("history-list");
  const error = $("history-error");
  const caption = $("history-caption");
  caption.replaceChildren("Seen between ", timeElement(start), " and ", timeElement(new Date(start.getTime() + 3600e3)), ":");
  try {
    const users = await api(`/aggregator/locations/${id}/${start.getTime() / 1000}`);
    error.hidden = true;
    renderPeople(list, users, "Nobody seen in that hour.");
  } catch (err) {
    list.replaceChildren();
    error.textContent = describeError(err);
    error.hidden = false;
  }
}

// --- wiring ---------------------------------------------------------------

function choose(id) {
  if (!isUUID(id)) {
    $("now-error").textContent = `"${id}" is not a location id (a UUID such as ${SEED.location}).`;
    $("now-error").hidden = false;
    $("location-id").focus();
    return;
  }
  history.replaceState(null, "", `#${id}`);
  showNow(id);
}

function init() {
  const hours = $("history-hour");
  for (let h = 0; h < 24; h++) hours.add(new Option(`${String(h).padStart(2, "0")}:00`, String(h)));
  const now = new Date();
  $("history-date").value = now.toISOString().slice(0, 10);
  hours.value = String(now.getUTCHours());

  $("where").addEventListener("submit", (e) => { e.preventDefault(); choose(chosenLocation()); });
  $("location").addEventListener("change", () => { $("location-id").value = ""; choose($("location").value); });
  $("history").addEventListener("submit", (e) => {
    e.preventDefault();
    const id = chosenLocation();
    if (isUUID(id)) showHistory(id, $("history-date").value, Number(hours.value));
    else choose(id);
  });
  $("seed-example").addEventListener("click", () => {
    $("location").value = SEED.location;
    $("location-id").value = $("location").value === SEED.location ? "" : SEED.location;
    $("history-date").value = SEED.date;
    hours.value = String(SEED.hour);
    choose(SEED.location);
    showHistory(SEED.location, SEED.date, SEED.hour);
  });
  loadLocations();
  const fromLink = location.hash.slice(1);
  if (isUUID(fromLink)) choose(fromLink);
}

init();
