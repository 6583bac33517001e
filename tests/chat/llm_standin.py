"""Stand-ins for paid LLM APIs that speak their real wire protocols on a loopback port:
OpenAI's chat completions and Anthropic's Messages. Each answers from a script — a function
of the request — and keeps every request body for the test to inspect."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from server import free_port

#: The script: (request body, how many requests came before) → (text, [(tool name, arguments)]).
Script = Callable[[dict[str, Any], int], tuple[str, list[tuple[str, dict[str, Any]]]]]


class StandIn:
    def __init__(self, wire: str, script: Script) -> None:
        self.wire = wire
        self.script = script
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the standard library's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                expected = "/v1/chat/completions" if outer.wire == "openai" else "/v1/messages"
                if self.path != expected:
                    self.send_error(404, f"no {self.path}")
                    return
                outer.requests.append(body)
                outer.headers.append(dict(self.headers))
                text, calls = outer.script(body, len(outer.requests) - 1)
                answer = (
                    outer._openai(text, calls) if outer.wire == "openai" else outer._anthropic(text, calls)
                )
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        root = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        return f"{root}/v1" if self.wire == "openai" else root

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _openai(self, text: str, calls: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
        n = len(self.requests)
        message: dict[str, Any] = {"role": "assistant", "content": text or None}
        if calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{n}_{i}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args)},
                }
                for i, (name, args) in enumerate(calls)
            ]
        return {
            "id": f"chatcmpl-{n}",
            "object": "chat.completion",
            "model": "stand-in",
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    def _anthropic(self, text: str, calls: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
        n = len(self.requests)
        content: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
        content += [
            {"type": "tool_use", "id": f"toolu_{n}_{i}", "name": name, "input": args}
            for i, (name, args) in enumerate(calls)
        ]
        return {
            "id": f"msg_{n}",
            "type": "message",
            "role": "assistant",
            "model": "stand-in",
            "content": content,
            "stop_reason": "tool_use" if calls else "end_turn",
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }


def tool_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool results in a request, in order, whatever the wire format."""
    found = []
    for message in body["messages"]:
        if message.get("role") == "tool":
            found.append(json.loads(message["content"]))
        elif isinstance(message.get("content"), list):
            found += [json.loads(b["content"]) for b in message["content"] if b.get("type") == "tool_result"]
    return found
