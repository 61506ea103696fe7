#!/usr/bin/env python3
"""Write the root table of an ODK Central CSV export, as Central's lib/data/briefcase.js lays it
out, from submission instances (XML) and the XForm they were filled in:

    central.py [--deprecated-column] FORM.xml OUT.csv INSTANCE.xml[@KEY[@EDITS]]...

Columns: SubmissionDate, the primary instance's leaves in form order with their group path
joined by '-' (meta/instanceID is meta-instanceID), then KEY, SubmitterID, SubmitterName,
AttachmentsPresent, AttachmentsExpected, Status, ReviewState, DeviceID, Edits, FormVersion.
KEY is the submission's first version's instanceID (give it for an edit: Central shows the
current version under its first one's KEY) and EDITS the number of edits (0). With
--deprecated-column the meta group also has deprecatedID (a form that declares it)."""
import csv
import sys
import xml.etree.ElementTree as ET

XF = "{http://www.w3.org/2002/xforms}"


def local(tag):
    return tag.rsplit("}", 1)[-1]


def leaves(elem, path=()):
    kids = list(elem)
    if not kids:
        yield path
    for k in kids:
        yield from leaves(k, path + (local(k.tag),))


def main(argv):
    dep = "--deprecated-column" in argv
    argv = [a for a in argv if a != "--deprecated-column"]
    form, out, instances = argv[0], argv[1], argv[2:]
    root = None
    for inst in ET.parse(form).getroot().iter(XF + "instance"):
        root = list(inst)[0]
        break
    paths = list(leaves(root))
    if dep:
        at = paths.index(("meta", "instanceName")) + 1
        paths.insert(at, ("meta", "deprecatedID"))
    header = ["SubmissionDate"] + ["-".join(p) for p in paths] + [
        "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
        "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for spec in instances:
            file, *rest = spec.split("@")
            x = ET.parse(file).getroot()
            values = {}
            for p in leaves(x):
                e = x
                for name in p:
                    e = next(k for k in e if local(k.tag) == name)
                values[p] = (e.text or "").strip()
            iid = values[("meta", "instanceID")]
            key = rest[0] if rest else iid
            edits = rest[1] if len(rest) > 1 else "0"
            row = ["2026-01-12T03:00:00.000Z"] + [values.get(p, "") for p in paths] + [
                key, "7", "Điều tra viên", "0", "0", "", "", "", edits, x.get("version")]
            w.writerow(row)


main(sys.argv[1:])
