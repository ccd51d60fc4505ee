// Lists of people seen at a place: one row a person (their latest sighting),
// newest first; times in the viewer's time zone, UTC on hover.

const local = new Intl.DateTimeFormat([], { dateStyle: "medium", timeStyle: "medium" });

// at is a timestamp's milliseconds (RFC 3339 strings do not sort as text
// when their fractions differ in length).
const at = (s) => Date.parse(s);

export function timeElement(d) {
  const t = document.createElement("time");
  t.dateTime = d.toISOString();
  t.title = d.toISOString().replace(".000Z", "Z").replace("T", " ").replace("Z", " UTC");
  t.textContent = local.format(d);
  return t;
}

function row(u) {
  const li = document.createElement("li");
  li.dataset.user = u.userId;
  li.dataset.time = u.timeLogged;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = u.name;
  const where = document.createElement("span");
  where.className = "where";
  where.textContent = u.beaconName;
  li.append(who, where, timeElement(new Date(u.timeLogged)));
  return li;
}

function empty(text) {
  const li = document.createElement("li");
  li.className = "empty";
  li.textContent = text;
  return li;
}

// renderPeople replaces list's rows with users, one per person (the latest
// sighting), newest first; emptyText when there is nobody.
export function renderPeople(list, users, emptyText) {
  const latest = new Map();
  for (const u of users) {
    const seen = latest.get(u.userId);
    if (!seen || at(seen.timeLogged) < at(u.timeLogged)) latest.set(u.userId, u);
  }
  const rows = [...latest.values()].sort((a, b) => at(b.timeLogged) - at(a.timeLogged)).map(row);
  list.replaceChildren(...(rows.length ? rows : emptyText ? [empty(emptyText)] : []));
}

// upsertPerson puts a live sighting in place: the person's row moves to its
// place by time (newest first) and is highlighted for a moment.
export function upsertPerson(list, u) {
  for (const li of list.querySelectorAll("li")) {
    if (li.classList.contains("empty") || li.dataset.user === u.userId) {
      if (li.dataset.user === u.userId && at(li.dataset.time) > at(u.timeLogged)) return; // older news
      li.remove();
    }
  }
  const li = row(u);
  const later = [...list.children].find((c) => at(c.dataset.time) < at(u.timeLogged));
  list.insertBefore(li, later || null);
  li.classList.add("new");
  setTimeout(() => li.classList.remove("new"), 1500);
}
