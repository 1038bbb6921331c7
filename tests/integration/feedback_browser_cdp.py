#!/usr/bin/env python3
"""feedback_browser_cdp.py URL - drive headless Chromium through the
DevTools protocol over a pipe (--remote-debugging-pipe, fds 3 and 4): load
the form, check every input is labelled, choose a rating and send it with
the keyboard alone.  Prints one line per check, "name=value", for the
shell test to compare."""
import json
import os
import subprocess
import sys
import tempfile
import time

url = sys.argv[1]
to_chrome_r, to_chrome_w = os.pipe()
from_chrome_r, from_chrome_w = os.pipe()


def child_fds():
    os.dup2(to_chrome_r, 3)
    os.dup2(from_chrome_w, 4)


profile = tempfile.mkdtemp(prefix="hinge-chromium-")
chrome = subprocess.Popen(
    ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
     "--no-first-run", "--remote-debugging-pipe",
     "--user-data-dir=" + profile, "about:blank"],
    pass_fds=(3, 4), preexec_fn=child_fds,
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(to_chrome_r)
os.close(from_chrome_w)
buf = b""
next_id = 0
events = []


def read_message(deadline):
    global buf
    while b"\0" not in buf:
        if time.time() > deadline:
            raise TimeoutError("no answer from chromium")
        chunk = os.read(from_chrome_r, 65536)
        if not chunk:
            raise EOFError("chromium closed the pipe")
        buf += chunk
    msg, buf = buf.split(b"\0", 1)
    return json.loads(msg)


def call(method, session=None, **params):
    global next_id
    next_id += 1
    msg = {"id": next_id, "method": method, "params": params}
    if session:
        msg["sessionId"] = session
    os.write(to_chrome_w, json.dumps(msg).encode() + b"\0")
    deadline = time.time() + 20
    while True:
        m = read_message(deadline)
        if m.get("id") == next_id:
            if "error" in m:
                raise RuntimeError("%s: %s" % (method, m["error"]))
            return m.get("result", {})
        events.append(m)


def wait_event(name, deadline_s=20):
    deadline = time.time() + deadline_s
    while True:
        for i, m in enumerate(events):
            if m.get("method") == name:
                del events[i]
                return m
        events.append(read_message(deadline))


def key(session, name, code, text=None):
    down = {"type": "keyDown", "key": name, "code": name,
            "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}
    if text:
        down["text"] = text
    call("Input.dispatchKeyEvent", session, **down)
    call("Input.dispatchKeyEvent", session, type="keyUp", key=name, code=name,
         windowsVirtualKeyCode=code, nativeVirtualKeyCode=code)


def js(session, expr):
    r = call("Runtime.evaluate", session, expression=expr, returnByValue=True)
    return r["result"].get("value")


try:
    target = call("Target.createTarget", url="about:blank")["targetId"]
    s = call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    call("Page.enable", s)
    events.clear()
    call("Page.navigate", s, url=url)
    wait_event("Page.loadEventFired")
    print("labelled=%s" % js(s, "[...document.querySelectorAll("
                               "'input:not([type=hidden]), textarea')]"
                               ".every(e => e.labels.length > 0)"))
    print("legend=%s" % js(s, "document.querySelector('fieldset > legend').textContent"))
    key(s, "Tab", 9)
    print("focus1=%s" % js(s, "document.activeElement.id"))
    for _ in range(3):
        key(s, "ArrowRight", 39)
    print("checked=%s" % js(s, "document.querySelector('input[name=score]:checked').value"))
    key(s, "Tab", 9)
    print("focus2=%s" % js(s, "document.activeElement.id"))
    call("Input.insertText", s, text="found it fast")
    key(s, "Tab", 9)
    print("focus3=%s" % js(s, "document.activeElement.tagName"))
    events.clear()
    key(s, "Enter", 13, "\r")
    wait_event("Page.loadEventFired")
    print("answer=%s" % js(s, "document.body.innerText.trim()"))
finally:
    chrome.kill()
    chrome.wait()
    subprocess.run(["rm", "-rf", profile])
