"""The same question as scripts/bench_pandas.py (per code: sign-ins, distinct users, distinct
apps) asked of DuckDB, on every export shape its readers take:

    python3 scripts/bench_duckdb.py portal-csv|la-csv|json-lines|graph-json FILE

`json-lines` is an Azure Monitor export (gzip or not: DuckDB undoes it by the file name),
`graph-json` a Graph `auditLogs/signIns` page. Users are compared lower-cased, as the scan
does. Prints {"code": [sign-ins, users, apps], ...} as JSON."""
import json
import sys

import duckdb

shape, path = sys.argv[1], sys.argv[2]
src = path.replace("'", "''")
if shape == "portal-csv":
    query = f"""
        select "Sign-in error code", count(*), count(distinct lower("Username")),
               count(distinct "Application")
        from read_csv('{src}', header = true, all_varchar = true) group by 1"""
elif shape == "la-csv":
    query = f"""
        select ResultType, count(*), count(distinct lower(UserPrincipalName)),
               count(distinct AppDisplayName)
        from read_csv('{src}', header = true) group by 1"""
elif shape == "json-lines":
    query = f"""
        select properties.status.errorCode, count(*),
               count(distinct lower(properties.userPrincipalName)),
               count(distinct properties.appDisplayName)
        from read_json('{src}', format = 'newline_delimited') group by 1"""
elif shape == "graph-json":
    # One document holding every sign-in: the object size limit must cover the file.
    query = f"""
        select s.status.errorCode, count(*), count(distinct lower(s.userPrincipalName)),
               count(distinct s.appDisplayName)
        from (select unnest(value) as s
              from read_json('{src}', maximum_object_size = 4000000000)) group by 1"""
else:
    sys.exit(f"unknown shape {shape}")
rows = duckdb.connect().execute(query).fetchall()
json.dump({str(int(c)): [n, u, a] for c, n, u, a in rows}, sys.stdout, sort_keys=True)
print()
