"""Cut a page's first run WebSocket after a given event, as a dropped connection would."""

import json
import re

from playwright.sync_api import Page


def cut_first_connection_after(page: Page, last_seq: int, *, pass_other_messages: bool) -> list[str]:
    """Route run sockets so the first one delivers events up to `last_seq`, then closes;
    later connections pass untouched. Returns the list of socket URLs, filled as they open.
    `pass_other_messages`: whether non-event messages (status) reach the page before the cut."""
    urls: list[str] = []

    def route(ws):
        urls.append(ws.url)
        server = ws.connect_to_server()
        if len(urls) > 1:
            return  # later connections pass through untouched

        def from_server(message):
            data = json.loads(message)
            if data.get("type") != "events":
                if pass_other_messages:
                    ws.send(message)
                return
            kept = [e for e in data["events"] if e["seq"] <= last_seq]
            if kept:
                ws.send(json.dumps({**data, "events": kept}))
            if len(kept) < len(data["events"]) or kept and kept[-1]["seq"] == last_seq:
                ws.close()
                server.close()

        server.on_message(from_server)

    page.route_web_socket(re.compile(r"/ws/runs/"), route)
    return urls
