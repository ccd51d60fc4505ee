// Calls to the find-peers API through the gateway, and what the page says
// when one fails.

// The seed data's first question: the bed room, 2016-09-06 10:00 UTC.
export const SEED = { location: "ce519f95-923c-4532-879e-cd19afa8dda8", date: "2016-09-06", hour: 10 };

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// api GETs path and returns its JSON, or throws an ApiError with the API's
// {"error": "..."} message (every error of the API has one).
export async function api(path) {
  let resp;
  try {
    resp = await fetch(path, { headers: { Accept: "application/json" } });
  } catch {
    throw new ApiError(0, "the gateway cannot be reached");
  }
  let body = null;
  try {
    body = await resp.json();
  } catch {
    // not JSON: described by its status below
  }
  if (!resp.ok) throw new ApiError(resp.status, body?.error || resp.statusText);
  return body;
}

const HEADINGS = {
  0: "No connection",
  400: "That request is not valid",
  404: "Not found",
  413: "Too large",
  502: "A service behind the gateway failed",
  503: "A service is unavailable; try again shortly",
  504: "A service took too long to answer",
};

// describeError is a sentence for a person: what kind of failure, and the
// API's own message (which names failing beacons on a 502).
export function describeError(err) {
  if (!(err instanceof ApiError)) return `Something went wrong: ${err}`;
  const heading = HEADINGS[err.status] || `Error ${err.status}`;
  return `${heading}: ${err.message}.`;
}

export function isUUID(s) {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

// hourStart is the start of d's UTC clock hour (the API's hour buckets).
export function hourStart(d) {
  const h = new Date(d);
  h.setUTCMinutes(0, 0, 0);
  return h;
}
