"""What import-logs.sh asks Python for (it runs beside import_logs.py in a Python image, with
the standard library only; run as `python3 -I -S import-helper.py <command> ...`):

  count <file>   prints "<lines> <key> <1 if the last line is complete, else 0>": the lines counted
                 as import_logs.py counts them for --skip (Python text mode: \\n, \\r\\n and \\r end a
                 line, and so does the end of the file), and the log's key, the SHA-256 of its first
                 complete line that is not a '#' header ("-" when there is none yet). A .gz or .bz2
                 name is read decompressed, as the importer does.
  reason <file>  prints, on one line, why the import_logs.py run whose output is <file> failed.
  tracker <url>  prints "on" when Matomo's tracker at <url> records hits, "off" when it answers 503
                 (Tracker\\Response: [Tracker] record_statistics = 0, or no Matomo installed), and
                 exits 1 with the reason when it does not answer. A bulk request is no test: with
                 record_statistics = 0 Matomo drops it and still answers 200, "status": "success".
  ask <socket> <timeout> <request...>
                 prints the answer of import-records.php, listening on the Unix socket, to the request
                 (its words joined by spaces, on one line), waiting at most <timeout> seconds, also
                 for the socket to accept (while import-records.php starts, or restarts).
"""
import sys


def count(path):
    import bz2, gzip, hashlib  # Each command imports what it needs: the script runs this often.

    opener = bz2.open if path.endswith(".bz2") else gzip.open if path.endswith(".gz") else open
    lines, key, last = 0, "-", "\n"
    with opener(path, "rt", encoding="latin-1") as f:
        for last in iter(f.readline, ""):
            lines += 1
            if key == "-" and last.endswith("\n") and not last.startswith("#"):
                key = hashlib.sha256(last.encode("latin-1")).hexdigest()
    print(lines, key, int(last.endswith("\n")))


def error_of(output):
    """The error import_logs.py ended with: the text of "Fatal error: <error>" (fatal_error(), e.g. a
    failed bulk request), else the last exception of a traceback (an API call that fails is not
    caught: StaticResolver's MatomoHttpBase.Error ends the run), else the last line."""
    import re

    fatal = re.search(r"^Fatal error: (.*?)(?=^You can restart the import of |\Z)", output, re.M | re.S)
    if fatal:
        return fatal.group(1)
    traceback = output.rfind("Traceback (most recent call last):")
    if traceback >= 0:
        # After the frames (indented), "<type>: <message>", the message running on to the end.
        last = re.search(r"^([A-Za-z_][\w.]*)(?:: (.*))?", output[traceback:].split("\n", 1)[-1], re.M | re.S)
        if last:
            kind, message = last.group(1), last.group(2) or ""
            if "Matomo returned an invalid response" in output[traceback:]:
                # _call_api's handler of an answer that is not JSON fails itself (str has no decode()).
                first = message.strip().split("\n")[0]
                return "Matomo's API answered something that is not JSON (import_logs.py: %s: %s)" % (kind, first)
            return message if kind.endswith("MatomoHttpBase.Error") else "%s: %s" % (kind, message)
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def text_of(markup):
    import html, re

    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", markup)).split())


def answer_of(body):
    """Matomo's message in an answer: the "message" of a JSON error, the heading and first paragraph
    of its HTML pages (the maintenance page, the error page), or the text itself."""
    import json, re

    body = body.strip()
    try:
        value = json.loads(body)
        if isinstance(value, dict) and isinstance(value.get("message"), str):
            return value["message"]
        return json.dumps(value, separators=(",", ":"))
    except ValueError:
        pass
    if re.search(r"<html|<body", body, re.I):
        body = re.sub(r"<(head|script|style)\b.*?</\1>", " ", body, flags=re.I | re.S)
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.I | re.S)
        detail = re.search(r"<(h2|p)\b[^>]*>(.*?)</\1>", body, re.I | re.S)
        parts = [text_of(m.group(m.lastindex)) for m in (heading, detail) if m]
        return ": ".join(p for p in parts if p) or text_of(body)
    return text_of(body.splitlines()[0]) if body else "an empty answer"


def reason(path):
    import re

    with open(path, encoding="utf-8", errors="replace") as f:
        error = error_of(f.read())
    http = re.match(r"HTTP Error (\d{3}) ([^,]*), response: (.*)", error, re.S)
    if http:
        error = "HTTP %s %s: %s" % (http.group(1), http.group(2), answer_of(http.group(3)))
    else:
        error = error.strip().splitlines()[0] if error.strip() else "no output"
    print(" ".join(error.split())[:400])


def tracker(url):
    import socket
    from urllib.parse import urlsplit

    # A plain HTTP/1.0 GET of matomo.php, without urllib.request (a tenth of a second to import).
    parts = urlsplit(url)
    try:
        connection = socket.create_connection((parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)), 30)
        if parts.scheme == "https":
            import ssl

            connection = ssl.create_default_context().wrap_socket(connection, server_hostname=parts.hostname)
        request = "GET %s/matomo.php HTTP/1.0\r\nHost: %s\r\nUser-Agent: Matomo/LogImport\r\n\r\n"
        connection.sendall((request % (parts.path.rstrip("/"), parts.netloc.rsplit("@", 1)[-1])).encode("ascii"))
        status = connection.makefile("rb").readline().split()
        connection.close()
    except (OSError, ValueError) as e:
        sys.exit("Matomo's tracker did not answer at %s: %s" % (url, e))
    if len(status) < 2:
        sys.exit("Matomo's tracker at %s answered no HTTP status" % url)
    print("off" if status[1] == b"503" else "on")


def ask(path, timeout, *words):
    import os, socket, time

    request = os.fsencode(" ".join(words)).replace(b"\n", b"?") + b"\n"
    deadline = time.monotonic() + float(timeout)
    try:
        with socket.socket(socket.AF_UNIX) as connection:
            while True:
                try:
                    connection.connect(path)
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            connection.settimeout(max(1.0, deadline - time.monotonic()))
            connection.sendall(request)
            answer = b"".join(iter(lambda: connection.recv(65536), b""))
    except OSError as e:
        sys.exit("no answer at %s: %s" % (path, e))
    sys.stdout.buffer.write(answer.rstrip(b"\n"))


COMMANDS = {"count": count, "reason": reason, "tracker": tracker, "ask": ask}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit("usage: import-helper.py %s ..." % "|".join(COMMANDS))
    COMMANDS[sys.argv[1]](*sys.argv[2:])
