"""The setup interview: a few questions in plain words that end in an approved tracking plan.

1. what kind of product (e-commerce, SaaS, content, AI chat, other) picks a domain template;
2. which user actions matter most picks the template's events (plus "other: ..." ones);
3. which types of users exist becomes the allowed values of ``role``;
4. a few questions of the domain (checkout steps, plans, models...) fill allowed values;
5. the proposal is previewed with the questions its data will answer, refined with short
   commands ("rename X to Y", "drop X", "mark email as pii") and approved.

Pure: no I/O and no LLM. A terminal, the web API and the browser extension drive the same
state machine (``start``, ``question``, ``answer``) and store its JSON state between turns.
"""

from __future__ import annotations

from betterheap.taxonomy.interview.answers import AnswerError
from betterheap.taxonomy.interview.flow import Interview, Learn, Question, answer, question, start, steps
from betterheap.taxonomy.interview.preview import EventRow, Preview, PropertyRow, preview, render_preview
from betterheap.taxonomy.interview.review import HELP, Change, refine

__all__ = [
    "HELP",
    "AnswerError",
    "Change",
    "EventRow",
    "Interview",
    "Learn",
    "Preview",
    "PropertyRow",
    "Question",
    "answer",
    "preview",
    "question",
    "refine",
    "render_preview",
    "start",
    "steps",
]
