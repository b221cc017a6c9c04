"""`partnerdesk demo`: the real bot against the built-in local Bot API, played in a browser.

`people` (the demo's partners and managers, its settings), `seed` (demo data through the
services), `render` (bot messages for the page), `web` (the page and its JSON API), `server`
(starts everything and moves the clock).
"""
