"""Joins `aadsts export --format csv` to a synthetic SigninLogs-shaped table in DuckDB and
checks the per-code, per-signal counts against counts computed here from the same rows.

Usage: check_export.py <catalog.csv> [<out-dir>]   (prints a summary; exits 1 on any mismatch)

With <out-dir>, also writes the same sign-ins as a Log Analytics CSV export
(`signins.csv`) and DuckDB's per-code counts (`duckdb_counts.json`), so the caller can
check that `aadsts scan` on those rows gives the same numbers.
"""
import json
import os
import collections
import csv
import random
import sys

import duckdb

catalog_path = sys.argv[1]
with open(catalog_path, newline="", encoding="utf-8") as f:
    catalog = {row["ResultType"]: row for row in csv.DictReader(f)}
if not catalog:
    sys.exit("the exported catalog is empty")

# Synthetic sign-ins: known codes (weighted towards the common ones), success, and codes
# the catalog does not know, across users, apps and IP addresses.
rng = random.Random(20261122)
known = sorted(catalog)
common = [c for c in ("0", "50126", "50053", "50074", "50076", "50140", "500121", "53003", "700016") if c in catalog]
unknown = ["4242421", "999999"]
rows = []
for i in range(20000):
    r = rng.random()
    if r < 0.5 and common:
        code = rng.choice(common)
    elif r < 0.97:
        code = rng.choice(known)
    else:
        code = rng.choice(unknown)
    rows.append((f"2026-11-{1 + i % 20:02d}T{i % 24:02d}:00:00Z", code, f"user{rng.randrange(300)}@contoso.com",
                 rng.choice(["Outlook", "Teams", "Azure Portal", "Contoso HR"]), f"203.0.113.{rng.randrange(60)}"))

con = duckdb.connect()
con.execute("CREATE TABLE SigninLogs (TimeGenerated TIMESTAMP, ResultType VARCHAR, UserPrincipalName VARCHAR, AppDisplayName VARCHAR, IPAddress VARCHAR)")
con.executemany("INSERT INTO SigninLogs VALUES (?, ?, ?, ?, ?)", rows)
con.execute(f"CREATE TABLE AadstsCatalog AS SELECT * FROM read_csv('{catalog_path}', header=true, all_varchar=true)")

got = {
    (code, signal or "unknown"): (n, users)
    for code, signal, n, users in con.execute(
        """SELECT s.ResultType, c.Signal, count(*), count(DISTINCT s.UserPrincipalName)
           FROM SigninLogs s LEFT JOIN AadstsCatalog c USING (ResultType)
           GROUP BY ALL"""
    ).fetchall()
}

expected_rows = collections.defaultdict(list)
for _, code, user, _, _ in rows:
    signal = catalog[code]["Signal"] if code in catalog else "unknown"
    expected_rows[(code, signal)].append(user)
expected = {k: (len(v), len(set(v))) for k, v in expected_rows.items()}

if got != expected:
    for k in sorted(set(got) | set(expected)):
        if got.get(k) != expected.get(k):
            print(f"mismatch {k}: duckdb {got.get(k)} expected {expected.get(k)}")
    sys.exit(1)
by_signal = collections.Counter()
for (code, signal), (n, _) in got.items():
    by_signal[signal] += n
print(f"duckdb join of {len(catalog)} catalog rows to {len(rows)} sign-ins: {len(got)} (code, signal) groups match; "
      + ", ".join(f"{s}={n}" for s, n in sorted(by_signal.items())))

if len(sys.argv) > 2:
    out = sys.argv[2]
    with open(os.path.join(out, "signins.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["TimeGenerated [UTC]", "ResultType", "UserPrincipalName", "AppDisplayName", "IPAddress"])
        for row in rows:
            w.writerow(row)
    per_code = {
        code: [n, users, apps]
        for code, n, users, apps in con.execute(
            """SELECT ResultType, count(*), count(DISTINCT UserPrincipalName), count(DISTINCT AppDisplayName)
               FROM SigninLogs s LEFT JOIN AadstsCatalog c USING (ResultType) GROUP BY ALL"""
        ).fetchall()
    }
    with open(os.path.join(out, "duckdb_counts.json"), "w", encoding="utf-8") as f:
        json.dump(per_code, f)
