"""LLM providers behind one Protocol: an OpenAI-compatible endpoint (OpenAI, Ollama, vLLM,
llama.cpp's server) and Anthropic, each one module speaking its own wire format.

A provider takes the conversation (the system prompt first, then user, assistant and tool
messages) and the tools, and answers with text and/or tool calls. Nothing else of the chat
knows which provider is in use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import httpx


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Message:
    role: Literal["system", "user", "assistant", "tool"]
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    #: For ``role="tool"``: the call this answers.
    tool_call_id: str = ""


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    #: JSON Schema of the arguments.
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})


@dataclass(frozen=True)
class Reply:
    text: str
    tool_calls: tuple[ToolCall, ...] = ()


class ProviderError(RuntimeError):
    """The provider could not be reached or answered something unusable."""


class Provider(Protocol):
    name: str

    def complete(self, messages: list[Message], tools: list[Tool]) -> Reply: ...


def post_json(url: str, body: dict[str, Any], headers: dict[str, str], timeout: float) -> Any:
    """POST a provider request; its JSON answer, or :class:`ProviderError` saying what went
    wrong (the key is in the headers and never in the message)."""
    try:
        answer = httpx.post(url, json=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as error:
        raise ProviderError(f"the LLM at {url} did not answer: {error}") from error
    if answer.status_code != 200:
        raise ProviderError(f"the LLM answered {answer.status_code}: {answer.text[:300]}")
    try:
        return answer.json()
    except ValueError as error:
        raise ProviderError(f"the LLM's answer is not JSON: {error}") from error
