"""An AI chat product or assistant: conversations, model answers, tools and credits.

There is no public spec to follow here, so the names keep Segment's grammar
(``message_sent``, ``tool_called``). Message text is never a property: it is personal data
and large; ``message_length`` and token counts answer the usage questions without it.
"""

from __future__ import annotations

from types import MappingProxyType

from betterheap.taxonomy.templates.shared import (
    CURRENCY,
    FEEDBACK,
    PLAN,
    PLATFORM,
    REVENUE,
    SHARE_VIA,
    ExampleQuestion,
    Template,
    event,
    identity_events,
    prop,
)

CONVERSATION_ID = prop("conversation_id", required=True, description="The conversation's id.")
MESSAGE_ID = prop("message_id", description="The message's id.")
MODEL = prop("model", description="The model that answered, as its API names it.")
LATENCY_MS = prop("latency_ms", "number", description="How long it took, in milliseconds.")

EVENTS = (
    *identity_events(),
    event(
        "conversation_started",
        "A user started a new conversation.",
        CONVERSATION_ID,
        MODEL,
        prop("entry_point", description="Where it started: new chat button, shortcut, share link..."),
        aliases=("chat_started", "new_chat", "new_conversation", "chat_created"),
    ),
    event(
        "message_sent",
        "A user sent a message (its text is not tracked).",
        CONVERSATION_ID,
        MESSAGE_ID,
        MODEL,
        prop("message_length", "integer", description="The message's length in characters."),
        prop("has_attachment", "boolean", description="True when a file or image was attached."),
        aliases=("prompt_sent", "user_message", "chat_message_sent", "query_sent", "prompt_submitted"),
    ),
    event(
        "message_received",
        "The assistant answered.",
        CONVERSATION_ID,
        MESSAGE_ID,
        MODEL,
        prop("tokens_in", "integer", description="Prompt tokens."),
        prop("tokens_out", "integer", description="Completion tokens."),
        LATENCY_MS,
        prop("finish_reason", description="Why the answer ended: stop, length, tool_call, error..."),
        aliases=("response_received", "answer_received", "assistant_message", "completion_received"),
    ),
    event(
        "response_regenerated",
        "A user asked for another answer.",
        CONVERSATION_ID,
        MESSAGE_ID,
        MODEL,
        aliases=("regenerate", "regenerated", "answer_regenerated"),
    ),
    event(
        "tool_called",
        "The assistant used a tool.",
        CONVERSATION_ID,
        prop("tool", required=True, description="Which tool."),
        prop("success", "boolean", description="False when the tool failed."),
        LATENCY_MS,
        aliases=("tool_used", "tool_call", "function_called"),
    ),
    event(
        "response_rated",
        "A user rated an answer.",
        CONVERSATION_ID,
        MESSAGE_ID,
        MODEL,
        prop("rating", required=True, allowed=("up", "down"), description="Thumbs up or down."),
        FEEDBACK,
        aliases=("answer_rated", "message_rated", "feedback_submitted"),
    ),
    event(
        "response_copied",
        "A user copied an answer.",
        CONVERSATION_ID,
        MESSAGE_ID,
        aliases=("copy", "copied", "message_copied"),
    ),
    event(
        "conversation_shared",
        "A user shared a conversation.",
        CONVERSATION_ID,
        SHARE_VIA,
        aliases=("share", "chat_shared", "share_conversation"),
    ),
    event(
        "credits_purchased",
        "A user bought credits.",
        prop("credits", "integer", required=True, description="How many credits."),
        REVENUE,
        CURRENCY,
        aliases=("credits_bought", "buy_credits", "top_up", "topped_up"),
    ),
    event(
        "credits_exhausted",
        "A user ran out of credits.",
        PLAN,
        aliases=("out_of_credits", "credits_depleted", "quota_exceeded", "limit_reached"),
    ),
)

TEMPLATE = Template(
    kind="ai_chat",
    title="AI chat or assistant",
    description="A chat product where people talk to a model that answers and uses tools.",
    events=EVENTS,
    key_actions=(
        ("conversation_started", "start a conversation"),
        ("message_sent", "send a message"),
        ("tool_called", "use a tool"),
        ("response_rated", "rate an answer"),
        ("response_regenerated", "regenerate an answer"),
        ("response_copied", "copy an answer"),
        ("conversation_shared", "share a conversation"),
        ("credits_purchased", "buy credits"),
    ),
    companions=MappingProxyType(
        {
            "conversation_started": ("message_sent", "message_received"),
            "message_sent": ("message_received",),
            "credits_purchased": ("credits_exhausted",),
        }
    ),
    common_properties=(PLATFORM,),
    example_questions=(
        ExampleQuestion(
            "What share of new users send a message within an hour of signing up?",
            ("signed_up", "message_sent"),
        ),
        ExampleQuestion(
            "How many conversations does a user start in a week, and do they come back?",
            ("conversation_started",),
        ),
        ExampleQuestion("How many messages does a typical conversation have?", ("message_sent",)),
        ExampleQuestion(
            "What are the median and 95th percentile answer times per model?", ("message_received",)
        ),
        ExampleQuestion("How many tokens does each model use per conversation?", ("message_received",)),
        ExampleQuestion("Which tools are called most, and how often do they fail?", ("tool_called",)),
        ExampleQuestion("What share of rated answers get a thumbs down, per model?", ("response_rated",)),
        ExampleQuestion(
            "What share of users who run out of credits buy more?", ("credits_exhausted", "credits_purchased")
        ),
        ExampleQuestion("How much revenue do credit purchases bring each week?", ("credits_purchased",)),
    ),
)
