"""Runs SQL on current ClickHouse embedded in Python (chDB), for test/dashboards/current-clickhouse.int.test.ts.

Production runs current ClickHouse while the local stack runs Debian's 18.16; chDB carries a current
engine in a wheel, so both dialects are checked without a second server. Reads one JSON object on stdin,
{"setup": [sql, ...], "queries": [{"key": str, "sql": str}, ...]}, and prints
{"version": str, "results": [{"key", "columns": [[name, type], ...], "rows": int} | {"key", "error"}]}.
"""
import json
import sys
import tempfile

from chdb import session

request = json.load(sys.stdin)
with tempfile.TemporaryDirectory(prefix="salonwatch-chdb-") as path:
    s = session.Session(path)
    s.query("CREATE DATABASE salonwatch")
    s.query("USE salonwatch")
    for statement in request["setup"]:
        s.query(statement)
    version = str(s.query("SELECT version()", "TSV")).strip()
    results = []
    for q in request["queries"]:
        try:
            answer = json.loads(str(s.query(q["sql"], "JSONCompact")))
            results.append({"key": q["key"], "columns": [[m["name"], m["type"]] for m in answer["meta"]], "rows": answer["rows"]})
        except Exception as error:  # every failure is reported per query, with ClickHouse's message
            results.append({"key": q["key"], "error": str(error)[:2000]})
    s.close()
json.dump({"version": version, "results": results}, sys.stdout)
