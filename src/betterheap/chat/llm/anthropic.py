"""Anthropic's Messages API: ``POST {base_url}/v1/messages`` with ``tools``; the system
prompt is the top-level ``system``, tool calls are ``tool_use`` blocks and their results
``tool_result`` blocks in a user turn."""

from __future__ import annotations

from typing import Any

from betterheap.chat.llm import Message, ProviderError, Reply, Tool, ToolCall, post_json

VERSION = "2023-06-01"


class Anthropic:
    name = "anthropic"

    def __init__(
        self, base_url: str, api_key: str, model: str, timeout: float = 60.0, max_tokens: int = 1024
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.timeout = timeout
        self.max_tokens = max_tokens

    def complete(self, messages: list[Message], tools: list[Tool]) -> Reply:
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "system": system,
            "messages": _turns([m for m in messages if m.role != "system"]),
            "temperature": 0,
        }
        if tools:
            body["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters} for t in tools
            ]
        headers = {"x-api-key": self.api_key, "anthropic-version": VERSION}
        answer = post_json(f"{self.base_url}/v1/messages", body, headers, self.timeout)
        try:
            blocks = answer["content"]
            text = "".join(b["text"] for b in blocks if b["type"] == "text")
            calls = tuple(
                ToolCall(b["id"], b["name"], dict(b["input"])) for b in blocks if b["type"] == "tool_use"
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ProviderError(f"the LLM's answer is not a Messages response: {error}") from error
        return Reply(text, calls)


def _turns(messages: list[Message]) -> list[dict[str, Any]]:
    """Our messages as Anthropic turns: tool results go in a user turn of their own,
    consecutive ones together."""
    turns: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "tool":
            block = {"type": "tool_result", "tool_use_id": message.tool_call_id, "content": message.content}
            if turns and turns[-1]["role"] == "user" and isinstance(turns[-1]["content"], list):
                turns[-1]["content"].append(block)
            else:
                turns.append({"role": "user", "content": [block]})
        elif message.role == "assistant":
            content: list[dict[str, Any]] = (
                [{"type": "text", "text": message.content}] if message.content else []
            )
            content += [
                {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
                for c in message.tool_calls
            ]
            turns.append({"role": "assistant", "content": content})
        else:
            turns.append({"role": "user", "content": message.content})
    return turns
