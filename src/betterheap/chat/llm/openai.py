"""An OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, llama.cpp server):
``POST {base_url}/chat/completions`` with ``tools`` of type ``function``."""

from __future__ import annotations

import json
from typing import Any

from betterheap.chat.llm import Message, ProviderError, Reply, Tool, ToolCall, post_json


class OpenAICompatible:
    name = "openai"

    def __init__(self, base_url: str, api_key: str, model: str, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.timeout = timeout

    def complete(self, messages: list[Message], tools: list[Tool]) -> Reply:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [_message(m) for m in messages],
            "temperature": 0,
        }
        if tools:
            body["tools"] = [
                {
                    "type": "function",
                    "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
                }
                for t in tools
            ]
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        answer = post_json(f"{self.base_url}/chat/completions", body, headers, self.timeout)
        try:
            message = answer["choices"][0]["message"]
            calls = tuple(
                ToolCall(c["id"], c["function"]["name"], json.loads(c["function"].get("arguments") or "{}"))
                for c in message.get("tool_calls") or []
            )
        except (KeyError, IndexError, TypeError, ValueError) as error:
            raise ProviderError(f"the LLM's answer is not a chat completion: {error}") from error
        return Reply(message.get("content") or "", calls)


def _message(message: Message) -> dict[str, Any]:
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    out: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        out["tool_calls"] = [
            {
                "id": c.id,
                "type": "function",
                "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
            }
            for c in message.tool_calls
        ]
    return out
