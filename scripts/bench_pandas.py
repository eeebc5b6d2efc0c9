"""What an analyst would otherwise run on a sign-in CSV export: per code, the number of
sign-ins and of distinct users and apps, with pandas. Used side by side with `aadsts scan`
by scripts/bench-scan.sh:

    python3 scripts/bench_pandas.py FILE.csv [--engine c|pyarrow]

The columns are found by the header: the portal's download (`Sign-in error code`,
`Username`, `Application`) or a Log Analytics export (`ResultType`, `UserPrincipalName`,
`AppDisplayName`). Users are compared lower-cased, as the scan does. Prints
{"code": [sign-ins, users, apps], ...} as JSON."""
import json
import sys

import pandas as pd

path = sys.argv[1]
engine = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--engine" else "c"
with open(path, encoding="utf-8-sig") as f:
    header = f.readline()
if "Sign-in error code" in header:
    code, user, app = "Sign-in error code", "Username", "Application"
else:
    code, user, app = "ResultType", "UserPrincipalName", "AppDisplayName"
df = pd.read_csv(
    path,
    usecols=[code, user, app],
    dtype={code: "int64", user: "string", app: "string"},
    engine=engine,
)
df[user] = df[user].str.lower()
g = df.groupby(code).agg(
    count=(code, "size"),
    users=(user, "nunique"),
    apps=(app, "nunique"),
)
out = {str(c): [int(r["count"]), int(r["users"]), int(r["apps"])] for c, r in g.iterrows()}
json.dump(out, sys.stdout, sort_keys=True)
print()
