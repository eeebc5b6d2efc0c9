"""What a user would otherwise run on a Log Analytics CSV export: per-code count and
distinct users and apps, with pandas. Used side by side with `aadsts scan` in the README's
benchmark table:  python3 scripts/bench_pandas.py la.csv [--json out.json]"""
import json
import sys

import pandas as pd

path = sys.argv[1]
df = pd.read_csv(
    path,
    usecols=["ResultType", "UserPrincipalName", "AppDisplayName"],
    dtype={"ResultType": "int64", "UserPrincipalName": "string", "AppDisplayName": "string"},
    engine=sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--engine" else "c",
)
g = df.groupby("ResultType").agg(
    count=("ResultType", "size"),
    users=("UserPrincipalName", "nunique"),
    apps=("AppDisplayName", "nunique"),
)
out = {str(code): [int(r["count"]), int(r["users"]), int(r["apps"])] for code, r in g.iterrows()}
json.dump(out, sys.stdout, sort_keys=True)
print()
