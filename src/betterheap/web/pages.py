"""The minimal home page: the core metrics of the last 30 days, drawn as small SVG charts.

The real dashboard comes later; this page only needs the insight service and no JavaScript.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from betterheap.insights import service
from betterheap.web.auth import sign_in_first, signed_in, users_of
from betterheap.web.deps import RuntimeDep

router = APIRouter(include_in_schema=False)

CORE = ("dau", "wau", "mau", "new_users", "revenue")


def sparkline(values: list[float], width: int = 320, height: int = 60) -> str:
    """An inline SVG polyline of ``values`` (empty string when there are none)."""
    if not values:
        return ""
    top = max(values) or 1.0
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 4 - (v / top) * (height - 8):.1f}" for i, v in enumerate(values)
    )
    return (
        f'<svg width="{width}" height="{height}" role="img" aria-label="trend">'
        f'<polyline fill="none" stroke="#3b5bdb" stroke-width="2" points="{points}"/></svg>'
    )


def _card(name: str, rows: list[dict[str, Any]]) -> str:
    values = [float(r["value"] or 0) for r in rows]
    last = rows[-1] if rows else None
    latest = f"{last['value']:,.2f}".rstrip("0").rstrip(".") if last else "no data"
    when = escape(str(last["date"])) if last else ""
    return (
        f'<section class="card"><h2>{escape(name)}</h2>'
        f'<p class="value">{escape(latest)}</p><p class="when">{when}</p>'
        f'<p class="desc">{escape(service.METRICS.get(name, ""))}</p>{sparkline(values)}</section>'
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request, runtime: RuntimeDep, project_id: int = 1) -> Response:
    who = signed_in(request, users_of(request, runtime))
    if who is None:
        return sign_in_first(request)
    if who.account.must_change_password:
        return RedirectResponse("/account/password", status_code=303)
    cards = [_card(name, service.metric(runtime.store, project_id, name, None, None)) for name in CORE]
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>BetterHeap</title><style>
body{{font-family:system-ui,sans-serif;margin:2rem;color:#222}}
.grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:1rem}}
.card{{border:1px solid #ddd;border-radius:8px;padding:1rem}}
.card h2{{margin:0;font-size:1rem;text-transform:uppercase;color:#555}}
.value{{font-size:2rem;margin:.3rem 0 0}} .when,.desc{{color:#777;margin:.2rem 0;font-size:.85rem}}
</style></head><body>
<h1>BetterHeap</h1>
<p>Signed in as {escape(who.account.name)} ({escape(who.account.role)}).
<form method="post" action="/signout" style="display:inline"><input type="hidden" name="csrf"
value="{escape(who.csrf_token)}"><button type="submit">Sign out</button></form>
<form method="post" action="/signout/everywhere" style="display:inline"><input type="hidden" name="csrf"
value="{escape(who.csrf_token)}"><button type="submit">Sign out everywhere</button></form>
<a href="/projects">Projects and install</a>
{'<a href="/admin/users">People</a>' if who.account.role == "admin" else ""}</p>
<p>Core metrics, last 30 days of data (UTC). API: <a href="/docs">/docs</a> ·
definitions: docs/metrics.md</p>
<div class="grid">{"".join(cards)}</div></body></html>"""
    return HTMLResponse(html)
