#!/usr/bin/python3
"""Convert files in a LibreOffice that is already running, over UNO (run by tests/office.py).

UNO's Python binding comes with Debian's python3-uno and lives in the system Python only (it
cannot enter the locked .venv), so this script runs under /usr/bin/python3. It connects to
``soffice --accept=pipe,name=NAME;urp;`` and then answers one JSON request per line on stdin
with one JSON reply per line on stdout:

    {"source": "/a.docx", "target": "/b.pdf", "filter": "writer_pdf_Export", "options": null,
     "import_filter": null, "import_options": null}  →  {"ok": true} or {"error": "..."}

``{"quit": true}`` ends LibreOffice and the script.
"""

import json
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException


def properties(**values):
    found = []
    for name, value in values.items():
        if value is not None:
            prop = PropertyValue()
            prop.Name, prop.Value = name, value
            found.append(prop)
    return tuple(found)


def connect(pipe, seconds=60.0):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + seconds
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:  # soffice is still starting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)


def convert(desktop, request):
    document = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(request["source"]), "_blank", 0,
        properties(Hidden=True, FilterName=request.get("import_filter"),
                   FilterOptions=request.get("import_options")))
    if document is None:
        raise RuntimeError(f"LibreOffice cannot load {request['source']}")
    try:
        document.storeToURL(uno.systemPathToFileUrl(request["target"]),
                            properties(FilterName=request["filter"], FilterOptions=request.get("options")))
    finally:
        document.close(True)


def main():
    desktop = connect(sys.argv[1])
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("quit"):
            desktop.terminate()
            return
        try:
            convert(desktop, request)
            reply = {"ok": True}
        except Exception as exc:  # noqa: BLE001 - any UNO failure is the answer the test reads and fails on
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
