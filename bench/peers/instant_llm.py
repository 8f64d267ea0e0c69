#!/usr/bin/env python3
"""The scripted instant LLM of bench/peers: one OpenAI chat-completions server
(POST .../chat/completions) that all three systems talk to.

Every request is answered at once with the same edit: find the *current*
program's `X=<n>` line in the prompt and replace it with `X=<n+1>`, numbered
with a per-answer comment (`# answer K`) so that no two children are alike (a
sampling model varies its answers; a dedup-ing harness must not skip them).
This is the answer logic of tests/e2e/fake_llm_server.py `--step --unique`;
only the wrapping differs, because each system parses a different format:

  Cambrian     the file's path alone on a line, then a SEARCH/REPLACE block
  OpenEvolve   a SEARCH/REPLACE block (its diff_pattern regex finds it anywhere)
  ShinkaEvolve <NAME>/<DESCRIPTION>/<DIFF> tags around the SEARCH/REPLACE block

The wrapping is chosen from the prompt itself (ShinkaEvolve's system prompt asks
for <DIFF> tags; Cambrian's names the editable file params.sh), so one server
serves all three. "The current program" is the text after the first line that is
exactly "# Current program" / "# Current Program" (the header all three
systems' diff prompts use); the first X= line anywhere is the fallback.

  instant_llm.py --port-file F [--log L]     (standard library only)
"""
import argparse
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
COUNTER = [0]
HEADER = re.compile(r"^#+ *Current [Pp]rogram *$", re.M)
XLINE = re.compile(r"^(X=(\d+)(.*))$", re.M)


def prompt_text(body):
    parts = []
    for message in body.get("messages", []):
        content = message.get("content", "")
        if isinstance(content, list):
            content = "".join(block.get("text", "") for block in content if isinstance(block, dict))
        parts.append(content or "")
    return "\n".join(parts)


def answer(prompt):
    header = HEADER.search(prompt)
    match = XLINE.search(prompt, header.end() if header else 0) or XLINE.search(prompt)
    if not match:
        return "No X= line in the prompt: nothing to change."
    with LOCK:
        COUNTER[0] += 1
        k = COUNTER[0]
    rest = re.sub(r" *# answer \d+$", "", match.group(3))
    new_line = "X=%d%s  # answer %d" % (int(match.group(2)) + 1, rest, k)
    block = "<<<<<<< SEARCH\n%s\n=======\n%s\n>>>>>>> REPLACE\n" % (match.group(1), new_line)
    if "<DIFF>" in prompt:  # ShinkaEvolve
        return ("<NAME>\nincrement_x_%d\n</NAME>\n\n<DESCRIPTION>\nIncrement X.\n</DESCRIPTION>\n\n"
                "<DIFF>\n%s</DIFF>\n" % (k, block))
    if "params.sh" in prompt:  # Cambrian's task file
        return "Increment X.\n\nparams.sh\n" + block
    return "Increment X.\n\n" + block  # OpenEvolve


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):  # /v1/models, for clients that probe
        self.reply(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        prompt = prompt_text(body)
        text = answer(prompt)
        if self.server.log:
            with LOCK, open(self.server.log, "a") as log:
                log.write(json.dumps({"path": self.path, "answer": text}) + "\n")
        tokens_in, tokens_out = len(prompt) // 4 + 1, len(text) // 4 + 1
        self.reply(200, {
            "id": "chatcmpl-%d" % COUNTER[0], "object": "chat.completion", "created": 0,
            "model": body.get("model", "fake-model"),
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": tokens_in, "completion_tokens": tokens_out,
                      "total_tokens": tokens_in + tokens_out}})

    def reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.log = args.log
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
