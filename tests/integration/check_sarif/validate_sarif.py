"""validate_sarif.py SCHEMA DIR LEAKY_C LINE VERSION — integration.check.sarif.

Validates DIR's *.sarif (written by sarif.sh) against the SARIF 2.1.0
schema, then checks what they say about check/leaky.c: 300 bytes in 3
blocks definitely lost from leak_three at LEAKY_C:LINE, level error when
the check failed and warning when it was within the thresholds; the C
library's stdio buffer (still reachable, counted with --kinds=all) as a
suppressed note; the whole stack and the code flow; a rule per kind.
"""
import json
import os
import sys
import urllib.parse

import jsonschema

schema_path, d, leaky_c, line, version = sys.argv[1:6]
line = int(line)
schema = json.load(open(schema_path))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)


def load(name):
    doc = json.load(open(os.path.join(d, name)))
    validator.validate(doc)
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1, name
    return doc["runs"][0]


def artifact_path(run, loc):
    art = loc["physicalLocation"]["artifactLocation"]
    uri = art["uri"]
    if "uriBaseId" in art:
        assert "://" not in uri and not uri.startswith("/"), uri
        uri = run["originalUriBaseIds"][art["uriBaseId"]]["uri"] + uri
    p = urllib.parse.urlparse(uri)
    assert p.scheme == "file", uri
    return urllib.parse.unquote(p.path)


run = load("leaky.sarif")
driver = run["tool"]["driver"]
assert driver["name"] == "memprof" and driver["version"] == version, driver
rules = {r["id"]: r for r in driver["rules"]}
assert sorted(rules) == sorted([
    "leak", "definitely-lost", "indirectly-lost", "possibly-lost", "still-reachable",
    "leak-growth", "peak-growth"]), sorted(rules)
for r in rules.values():
    assert r["help"]["text"] and r["shortDescription"]["text"] and r["fullDescription"]["text"], r
assert run["invocations"][0]["exitCode"] == 3, run["invocations"]

mine = [r for r in run["results"] if "suppressions" not in r]
assert len(mine) == 1, [r["message"] for r in mine]
res = mine[0]
assert res["ruleId"] == "definitely-lost", res["ruleId"]
assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
assert res["level"] == "error", res["level"]
assert res["message"]["text"] == \
    "300 bytes in 3 blocks definitely lost, allocated by leak_three", res["message"]
loc = res["locations"][0]
# The source root is the checkout holding leaky.c: the URI is relative.
assert "uriBaseId" in loc["physicalLocation"]["artifactLocation"], loc
assert os.path.realpath(artifact_path(run, loc)) == os.path.realpath(leaky_c), loc
assert loc["physicalLocation"]["region"]["startLine"] == line, loc
frames = res["stacks"][0]["frames"]
names = [f["location"].get("logicalLocations", [{}])[0].get("fullyQualifiedName") for f in frames]
assert names[:2] == ["leak_three", "main"], names
flow = res["codeFlows"][0]["threadFlows"][0]["locations"]
assert [l["location"] for l in flow] == [f["location"] for f in reversed(frames)]
assert res["properties"]["bytes"] == 300 and res["properties"]["blocks"] == 3
assert res["properties"]["kind"] == "definite", res["properties"]
key = res["partialFingerprints"]["memprof/stack"]

supp = [r for r in run["results"] if "suppressions" in r]
assert len(supp) == 1 and supp[0]["level"] == "note", supp
assert supp[0]["ruleId"] == "still-reachable", supp[0]["ruleId"]
assert supp[0]["suppressions"][0]["justification"] == \
    "leak:^_IO_file_doallocate$ (built-in)", supp[0]["suppressions"]
assert supp[0]["properties"]["bytes"] == 4096, supp[0]["properties"]

# Within --max-leaked: the same leak, a warning, the same fingerprint.
run = load("within.sarif")
mine = [r for r in run["results"] if "suppressions" not in r]
assert [r["level"] for r in mine] == ["warning"], mine
assert mine[0]["partialFingerprints"]["memprof/stack"] == key
assert run["invocations"][0]["exitCode"] == 0

run = load("clean.sarif")
assert all("suppressions" in r for r in run["results"]), run["results"]
run = load("fail4.sarif")
assert run["invocations"][0]["exitCode"] == 4
assert run["invocations"][0]["properties"]["programStatus"] == 4

# The schema does reject what it should (a level SARIF does not have).
doc = json.load(open(os.path.join(d, "leaky.sarif")))
doc["runs"][0]["results"][0]["level"] = "fatal"
try:
    validator.validate(doc)
except jsonschema.ValidationError:
    pass
else:
    raise AssertionError("the schema accepted level 'fatal'")
print("sarif: leaky, within, clean and fail4 valid and as expected")
