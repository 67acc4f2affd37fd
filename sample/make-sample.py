#!/usr/bin/env python3
"""Rebuilds the committed sample: generator output plus the hand-made defects listed in sample/README.md.

    scripts/rupture generate --output /tmp/sample-gen --sites 8 --patients-per-site 50 --sessions 12 \
        --seed 2024 --dialects all --deliveries 2
    python3 sample/make-sample.py /tmp/sample-gen

Copies <generated>/landing to sample/landing and <generated>/conf/sites to conf/sites, applies each defect
to a row chosen by its content (a session after the first delivery's cutoff, so that only the last delivery
holds the key), adds a site folder that no mapping claims, and prints the defects table for the README.
Run from the repository root. Keep the defect counts in SampleDataTest in step with this script.
"""
import shutil
import sys
from datetime import date, datetime
from pathlib import Path

FIRST_CUTOFF = date(2024, 7, 2)   # the first delivery holds sessions up to this day
LAST = "2025-03-04"               # the last delivery's folder


class Table:
    """One delimited file, edited line by line with its encoding and line ends preserved."""

    def __init__(self, path, encoding, delimiter, header_lines):
        self.path, self.encoding, self.delimiter = path, encoding, delimiter
        raw = path.read_bytes()
        self.bom = raw.startswith(b"\xef\xbb\xbf")
        text = raw[3:].decode(encoding) if self.bom else raw.decode(encoding)
        self.lines = text.splitlines(keepends=True)
        self.header_lines = header_lines
        self.header = self.lines[0].rstrip("\r\n").split(delimiter)
        self.marks = []  # (line object identity, description)

    def rows(self):
        """Data lines from the last to the first, as (index, fields); quoted lines are skipped."""
        for i in range(len(self.lines) - 1, self.header_lines - 1, -1):
            line = self.lines[i]
            if '"' not in line:
                yield i, line.rstrip("\r\n").split(self.delimiter)

    def col(self, name):
        return self.header.index(name)

    def replace(self, i, fields, what):
        end = self.lines[i][len(self.lines[i].rstrip("\r\n")):]
        self.lines[i] = Line(self.delimiter.join(fields) + end)
        self.marks.append((self.lines[i], what))

    def insert_after(self, i, text, what):
        self.lines.insert(i + 1, Line(text))
        self.marks.append((self.lines[i + 1], what))

    def save(self):
        data = "".join(self.lines).encode(self.encoding)
        self.path.write_bytes((b"\xef\xbb\xbf" if self.bom else b"") + data)

    def report(self, root):
        for line, what in self.marks:
            index = next(i for i, l in enumerate(self.lines) if l is line)
            data_row = index + 1 - self.header_lines
            print(f"| `{self.path.relative_to(root)}` | {data_row} | {index + 1} | {what} |")


class Line(str):
    """A str with identity, so an edited line can be found again after insertions."""
    def __eq__(self, other):
        return self is other

    __hash__ = object.__hash__


def pick(table, predicate, used):
    for i, f in table.rows():
        if i not in used and predicate(f):
            used.add(i)
            return i, f
    raise SystemExit(f"no row fits in {table.path}")


def main(generated):
    root = Path.cwd()
    sample = root / "sample" / "landing"
    shutil.rmtree(sample, ignore_errors=True)
    shutil.copytree(generated / "landing", sample)
    conf = root / "conf" / "sites"
    shutil.rmtree(conf, ignore_errors=True)
    shutil.copytree(generated / "conf" / "sites", conf)

    def iso_late(f, c):
        return date.fromisoformat(f[c]) > FIRST_CUTOFF

    # site-001, long CSV (UTF-8 with BOM)
    t = Table(sample / "site-001" / LAST / "sessions.csv", "utf-8", ",", 1)
    used = set()
    d, r, inten, wai3 = t.col("date"), t.col("rater"), t.col("intensity"), t.col("wai_3")
    i, f = pick(t, lambda f: iso_late(f, d) and f[t.col("rupture")] == "1", used)
    f[inten] = "4-5"
    t.replace(i, f, "non-numeric rating: `intensity` = `4-5` (`NOT_NUMERIC`, field nulled)")
    i, f = pick(t, lambda f: iso_late(f, d) and f[wai3] != "NA", used)
    f[wai3] = "9"
    t.replace(i, f, "out-of-range rating: `wai_3` = `9` on the 1-7 scale (`OUT_OF_RANGE`, field nulled)")
    i, f = pick(t, lambda f: iso_late(f, d) and f[r] == "T", used)
    f[r] = "X"
    t.replace(i, f, "unknown rater code `X` (`UNKNOWN_RATER`, row quarantined)")
    i, f = pick(t, lambda f: iso_late(f, d), used)
    t.insert_after(i, t.lines[i], "identical copy of the row above (`DUPLICATE_IDENTICAL`, one copy superseded)")
    t.save()
    t.report(root)

    # site-004, long CSV
    t = Table(sample / "site-004" / LAST / "sessions.csv", "utf-8", ",", 1)
    used = set()
    d, s, q, wai5 = t.col("date"), t.col("session"), t.col("session_quality"), t.col("wai_5")
    i, f = pick(t, lambda f: iso_late(f, d) and f[s] == "1", used)
    f[s] = "0"
    t.replace(i, f, "session 0 (`BAD_SESSION_NUMBER`, row quarantined)")
    i, f = pick(t, lambda f: iso_late(f, d) and f[wai5] not in ("NA", "7"), used)
    copy = list(f)
    copy[q] = "%.1f" % min(5.0, float(f[q]) + 0.8)
    copy[wai5] = str(int(f[wai5]) + 1)
    t.insert_after(i, ",".join(copy) + "\n", "same patient, session and rater as the row above with a"
                   " different `session_quality` and `wai_5` (`DUPLICATE_CONFLICT`, both quarantined)")
    t.save()
    t.report(root)

    # site-002, wide export (Windows-1252, semicolon, CR LF)
    t = Table(sample / "site-002" / LAST / "patients.csv", "windows-1252", ";", 1)
    used = set()
    i, f = pick(t, lambda f: f[t.col("behandlung")] == "2", used)
    f[t.col("behandlung")] = "4"
    t.replace(i, f, "unknown treatment code `4` (`UNKNOWN_CODE`, treatment nulled)")
    t.save()
    t.report(root)
    t = Table(sample / "site-002" / LAST / "sessions_wide.csv", "windows-1252", ";", 1)
    used = set()

    def late_rupture(f):
        for k in range(12, 0, -1):
            day = f[t.col(f"datum_s{k}")]
            if day and datetime.strptime(day, "%d.%m.%Y").date() > FIRST_CUTOFF \
                    and f[t.col(f"psq_int_s{k}")] not in ("", "4"):
                return k
        return None

    i, f = pick(t, lambda f: late_rupture(f) is not None, used)
    k = late_rupture(f)
    f[t.col(f"psq_int_s{k}")] = "5"
    t.replace(i, f, f"out-of-range rating: `psq_int_s{k}` = `5` on the 0-4 scale (`OUT_OF_RANGE`, field nulled)")
    t.save()
    t.report(root)

    # site-003, survey-tool export (3 header lines)
    t = Table(sample / "site-003" / LAST / "sessions_psq_export.csv", "utf-8", ",", 3)
    used = set()
    rec = t.col("RecordedDate")
    i, f = pick(t, lambda f: date.fromisoformat(f[rec][:10]) > FIRST_CUTOFF, used)
    f[t.col("Q1")] = ""
    t.replace(i, f, "missing patient id: `Q1` empty (`MISSING_PATIENT`, row quarantined)")
    t.save()
    t.report(root)

    # a site folder that no mapping claims
    unmapped = sample / "unmapped-site" / LAST
    unmapped.mkdir(parents=True)
    (unmapped / "sessions.csv").write_text(
        "patient_id,session,rater,rupture,intensity,resolution\n"
        "U001,1,P,0,,\nU001,1,T,1,2,4\nU002,1,P,1,3,3\n", encoding="utf-8")
    print(f"| `{(unmapped / 'sessions.csv').relative_to(root)}` | 1-3 | 2-4 |"
          " site folder that no mapping claims (reported by the ingest, not read) |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
