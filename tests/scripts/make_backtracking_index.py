#!/usr/bin/env python3
"""Builds a tiny local index on which a real pip backtracks the way the seed session's did.

Usage: make_backtracking_index.py DIR

Writes metadata-only wheels (a zip holding <name>-<ver>.dist-info/METADATA, WHEEL and RECORD, no
code) into DIR, for `pip install --dry-run --no-index --find-links DIR ...`. Standard library only.

The packages peg each other as aiobotocore, boto3 and botocore do (aiobotocore 2.6 allows one
botocore patch release; boto3 1.28.N needs botocore >= 1.31.N):

  botocore     1.31.17 .. 1.31.25   no requirements
  boto3        1.28.22 .. 1.28.25   1.28.N requires botocore<1.32.0,>=1.31.N
  aiobotocore  2.5.4                requires botocore<1.32.0,>=1.31.17   (the pinned release)
               2.6.0 .. 2.6.4       2.6.K requires botocore<1.31.(18+K),>=1.31.(17+K)
                                    (2.6.0 pegs 1.31.17 as the real one does; 2.6.4 pegs 1.31.21)

The constraints this stands for pin aiobotocore 2.5.4, boto3 1.28.22 and botocore 1.31.22, so the
candidates' limits are aiobotocore<=2.5.4 boto3<=1.28.22 botocore<=1.31.22.

What Debian's pip 23.0.1 does with `aiobotocore boto3 botocore` followed by the limits given:
  - no limit: it pins aiobotocore 2.6.4 first (botocore 1.31.21), then finds no boto3 that fits
    and backtracks through aiobotocore 2.6.4 .. 2.6.0 to 2.5.4, printing
    `INFO: pip is looking at multiple versions of aiobotocore ...`;
  - `aiobotocore<=2.5.4` alone: every other newest release fits, nothing backtracks;
  - `boto3<=1.28.22`, `botocore<=1.31.22` or both: still backtracks (aiobotocore is the culprit);
  - `aiobotocore==2.6.4 boto3==1.28.25`: no answer; pip prints `The conflict is caused by:`.
The resolver takes the user's requirements in the order first named, so the limits go after the
three names, as a probe command appends them; each run takes about half a second.
"""
import base64
import hashlib
import os
import sys
import zipfile

BOTOCORE = [f"1.31.{n}" for n in range(17, 26)]
BOTO3 = [(f"1.28.{n}", [f"botocore<1.32.0,>=1.31.{n}"]) for n in range(22, 26)]
AIOBOTOCORE = [("2.5.4", ["botocore<1.32.0,>=1.31.17"])] + [
    (f"2.6.{k}", [f"botocore<1.31.{18 + k},>=1.31.{17 + k}"]) for k in range(0, 5)
]

# Fixed timestamps keep the wheels byte-identical from run to run.
DATE = (2023, 8, 1, 0, 0, 0)


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def write_wheel(directory, name, version, requires):
    dist_info = f"{name}-{version}.dist-info"
    metadata = "".join(
        [
            "Metadata-Version: 2.1\n",
            f"Name: {name}\n",
            f"Version: {version}\n",
            f"Summary: metadata-only stand-in for {name} (breeze tests)\n",
        ]
        + [f"Requires-Dist: {r}\n" for r in requires]
    ).encode()
    wheel = b"Wheel-Version: 1.0\nGenerator: breeze-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files = [(f"{dist_info}/METADATA", metadata), (f"{dist_info}/WHEEL", wheel)]
    record = "\n".join([record_line(p, d) for p, d in files] + [f"{dist_info}/RECORD,,", ""]).encode()
    files.append((f"{dist_info}/RECORD", record))

    path = os.path.join(directory, f"{name}-{version}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files:
            info = zipfile.ZipInfo(member, DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    directory = argv[1]
    os.makedirs(directory, exist_ok=True)
    for version in BOTOCORE:
        write_wheel(directory, "botocore", version, [])
    for version, requires in BOTO3:
        write_wheel(directory, "boto3", version, requires)
    for version, requires in AIOBOTOCORE:
        write_wheel(directory, "aiobotocore", version, requires)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
