#!/usr/bin/env python3
"""A local LLM server for end-to-end tests, speaking OpenAI chat completions
(/v1/chat/completions) and Anthropic messages (/v1/messages) wire formats.

It plays a model that edits the quadratic test task: it finds the parent's
`X=<n>` / `Y=<n>` lines in the prompt and answers with a SEARCH/REPLACE block
moving one of them to the optimum (X=13, Y=4). Every request is appended to
--log as JSON (path, headers, body) so tests can check what was sent. It also
serves OpenAI /v1/embeddings: a text's letter histogram, blind to digits and
to `#` comments, so children that differ only in numbers embed alike.

  fake_llm_server.py --port-file F --log L [--delay S] [--status CODE] [--step [--unique]]
                     [--body RAW]
"""
import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TARGET = {"X": 13, "Y": 4}
LOCK = threading.Lock()


def prompt_text(body):
    parts = [body.get("system") or ""]
    for message in body.get("messages", []):
        content = message.get("content", "")
        if isinstance(content, list):
            content = "".join(block.get("text", "") for block in content)
        parts.append(content)
    return "\n".join(parts)


COUNTER = [0]


def make_edit(prompt, step, unique=False):
    """A SEARCH/REPLACE block that moves the first parameter not yet at its optimum
    (or, with --step, adds 1 to X: a model that always finds a small gain; with
    --unique each answer also numbers the line, as a sampling model varies)."""
    if step:
        match = re.search(r"^(X=(\d+)(.*))$", prompt, re.M)
        if match:
            rest = re.sub(r" # answer \d+$", "", match.group(3))
            if unique:
                with LOCK:
                    COUNTER[0] += 1
                    rest += " # answer %d" % COUNTER[0]
            new_line = "X=%d%s" % (int(match.group(2)) + 1, rest)
            return ("Increment X.\n\nparams.sh\n<<<<<<< SEARCH\n%s\n=======\n%s\n"
                    ">>>>>>> REPLACE\n" % (match.group(1), new_line))
    for name, value in TARGET.items():
        match = re.search(r"^(%s=(\d+)(.*))$" % name, prompt, re.M)
        if match and int(match.group(2)) != value:
            new_line = "%s=%d%s" % (name, value, match.group(3))
            return ("I will move %s to %d.\n\nparams.sh\n<<<<<<< SEARCH\n%s\n=======\n%s\n"
                    ">>>>>>> REPLACE\n" % (name, value, match.group(1), new_line))
    return "Nothing to improve.\n\nparams.sh\n<<<<<<< SEARCH\nno such line\n=======\nx\n>>>>>>> REPLACE\n"


def embedding(text):
    text = re.sub(r"#.*$", "", text, flags=re.M)
    counts = [0.0] * 26
    for c in text.lower():
        if "a" <= c <= "z":
            counts[ord(c) - ord("a")] += 1
    return counts


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        with LOCK:
            with open(self.server.args.log, "a") as log:
                log.write(json.dumps({"path": self.path, "headers": dict(self.headers),
                                      "body": body}) + "\n")
        if self.server.args.delay:
            time.sleep(self.server.args.delay)
        if self.server.args.body is not None:
            return self.reply_raw(self.server.args.status, self.server.args.body.encode())
        if self.path.endswith("/embeddings"):
            return self.reply(200, {"object": "list", "model": body.get("model"), "data": [
                {"object": "embedding", "index": 0, "embedding": embedding(body["input"])}]})
        if self.server.args.status != 200:
            return self.reply(self.server.args.status,
                              {"error": {"message": "scripted failure", "type": "server_error"}})
        prompt = prompt_text(body)
        text = make_edit(prompt, self.server.args.step, self.server.args.unique)
        tokens_in, tokens_out = len(prompt) // 4 + 1, len(text) // 4 + 1
        if self.path.endswith("/messages"):
            return self.reply(200, {
                "id": "msg_1", "type": "message", "role": "assistant", "model": body.get("model"),
                "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out}})
        return self.reply(200, {
            "id": "chatcmpl-1", "object": "chat.completion", "model": body.get("model"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": tokens_in, "completion_tokens": tokens_out,
                      "total_tokens": tokens_in + tokens_out}})

    def reply(self, status, payload):
        self.reply_raw(status, json.dumps(payload).encode())

    def reply_raw(self, status, data):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--delay", type=float, default=0)
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--step", action="store_true", help="answer X+1 instead of the optimum")
    parser.add_argument("--unique", action="store_true", help="with --step: no two answers alike")
    parser.add_argument("--body", help="answer every request with this raw body")
    parser.add_argument("--lifetime", type=float, default=300, help="exit after this many seconds")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.args = args
    server.daemon_threads = True
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    threading.Timer(args.lifetime, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
