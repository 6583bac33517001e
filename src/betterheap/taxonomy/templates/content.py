"""A publisher, blog, media or streaming product, after the Segment video spec and the
usual content-engagement events.

Segment's ``Video Playback Started`` becomes ``video_playback_started``. Every content
event carries ``content_id`` so views, reads, likes and comments of one piece join up.
"""

from __future__ import annotations

from types import MappingProxyType

from betterheap.taxonomy.templates.shared import (
    CURRENCY,
    EMAIL,
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

CONTENT_ID = prop("content_id", required=True, description="The piece of content's id.")
CONTENT_TYPE = prop("content_type", description="What kind of content: article, video, podcast...")
CONTENT = (CONTENT_ID, CONTENT_TYPE)
PLAYBACK = (
    CONTENT_ID,
    prop("session_id", description="The playback session's id, the same for start, pause and completion."),
    prop("position", "integer", description="The playhead's position, in seconds."),
    prop("total_length", "integer", description="The video's length, in seconds."),
    prop("video_player", description="The player: html5, youtube, vimeo..."),
    prop("full_screen", "boolean", description="True when playing full screen."),
)

EVENTS = (
    *identity_events(),
    event(
        "content_viewed",
        "A reader opened a piece of content.",
        *CONTENT,
        prop("title", description="The content's title."),
        prop("author", description="The content's author."),
        prop("category", description="The content's section or category."),
        prop("url", description="The content's address."),
        aliases=("view_content", "content_view", "article_viewed", "post_viewed", "video_viewed"),
    ),
    event(
        "content_searched",
        "A reader searched for content.",
        prop("query", description="What was searched for."),
        aliases=("search", "search_performed", "searched"),
    ),
    event(
        "article_read",
        "A reader read an article to the end (or most of it).",
        CONTENT_ID,
        prop("read_percent", "number", description="How much of the article was scrolled through, 0-100."),
        prop("time_spent_seconds", "number", description="Seconds spent on the article."),
        aliases=("read_article", "article_completed", "article_finished"),
    ),
    event(
        "video_playback_started",
        "A viewer started playing a video.",
        *PLAYBACK,
        aliases=("video_start", "video_started", "video_play", "play"),
    ),
    event(
        "video_playback_paused",
        "A viewer paused a video.",
        *PLAYBACK,
        aliases=("video_pause", "video_paused", "pause"),
    ),
    event(
        "video_playback_completed",
        "A viewer watched a video to the end.",
        *PLAYBACK,
        aliases=("video_complete", "video_completed", "video_finished"),
    ),
    event(
        "content_liked",
        "A reader liked a piece of content.",
        *CONTENT,
        aliases=("like", "liked", "content_like", "post_liked"),
    ),
    event(
        "content_shared",
        "A reader shared a piece of content.",
        *CONTENT,
        SHARE_VIA,
        aliases=("share", "shared", "content_share", "article_shared"),
    ),
    event(
        "content_saved",
        "A reader saved a piece of content for later.",
        *CONTENT,
        aliases=("bookmark", "bookmarked", "saved", "content_bookmarked"),
    ),
    event(
        "comment_posted",
        "A reader commented on a piece of content.",
        *CONTENT,
        prop("comment_id", description="The comment's id."),
        prop("comment_length", "integer", description="The comment's length in characters (never its text)."),
        aliases=("comment", "commented", "comment_added", "comment_created"),
    ),
    event(
        "newsletter_subscribed",
        "A reader subscribed to a newsletter.",
        prop("newsletter", description="Which newsletter."),
        EMAIL,
        aliases=("newsletter_signup", "subscribed_to_newsletter", "email_subscribed"),
    ),
    event(
        "subscription_started",
        "A reader started a paid subscription.",
        PLAN,
        REVENUE,
        CURRENCY,
        aliases=("paywall_converted", "subscription_purchased"),
    ),
)

TEMPLATE = Template(
    kind="content",
    title="Content or media site",
    description="Articles, videos or podcasts people read, watch, like and share.",
    events=EVENTS,
    key_actions=(
        ("content_viewed", "read or watch content"),
        ("content_searched", "search for content"),
        ("article_read", "finish an article"),
        ("video_playback_started", "play a video"),
        ("content_liked", "like"),
        ("content_shared", "share"),
        ("comment_posted", "comment"),
        ("content_saved", "save for later"),
        ("newsletter_subscribed", "subscribe to a newsletter"),
        ("subscription_started", "start a paid subscription"),
    ),
    companions=MappingProxyType(
        {"video_playback_started": ("video_playback_paused", "video_playback_completed")}
    ),
    common_properties=(PLATFORM,),
    example_questions=(
        ExampleQuestion("Which pieces of content are viewed most each week?", ("content_viewed",)),
        ExampleQuestion(
            "What share of readers who open an article read it to the end?",
            ("content_viewed", "article_read"),
        ),
        ExampleQuestion(
            "What share of started videos are watched to the end?",
            ("video_playback_started", "video_playback_completed"),
        ),
        ExampleQuestion("What share of readers come back within a week?", ("content_viewed",)),
        ExampleQuestion("Which content gets liked or shared the most?", ("content_liked", "content_shared")),
        ExampleQuestion("Which pieces start the most conversations in the comments?", ("comment_posted",)),
        ExampleQuestion(
            "What share of newsletter subscribers come back to read within a week?",
            ("newsletter_subscribed", "content_viewed"),
        ),
        ExampleQuestion(
            "How many readers see content before starting a paid subscription?",
            ("content_viewed", "subscription_started"),
        ),
        ExampleQuestion(
            "What share of sign-ups view content in their first day?", ("signed_up", "content_viewed")
        ),
    ),
)
