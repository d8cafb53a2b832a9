"""What import-logs.sh asks Python for (it runs beside import_logs.py in a Python image, with
the standard library only; run as `python3 -I -S import-helper.py <command> ...`):

  count <file>   prints "<lines> <key> <1 if the last line is complete, else 0>": the lines counted
                 as import_logs.py counts them for --skip (Python text mode: \\n, \\r\\n and \\r end a
                 line, and so does the end of the file), and the log's key, the SHA-256 of its first
                 complete line that is not a '#' header ("-" when there is none yet). A .gz or .bz2
                 name is read decompressed, as the importer does.
"""
import bz2
import gzip
import hashlib
import sys


def count(path):
    opener = bz2.open if path.endswith(".bz2") else gzip.open if path.endswith(".gz") else open
    lines, key, last = 0, "-", "\n"
    with opener(path, "rt", encoding="latin-1") as f:
        for last in iter(f.readline, ""):
            lines += 1
            if key == "-" and last.endswith("\n") and not last.startswith("#"):
                key = hashlib.sha256(last.encode("latin-1")).hexdigest()
    print(lines, key, int(last.endswith("\n")))


COMMANDS = {"count": count}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit("usage: import-helper.py %s ..." % "|".join(COMMANDS))
    COMMANDS[sys.argv[1]](*sys.argv[2:])
