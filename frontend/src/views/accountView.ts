// The header's account links: who is signed in and Sign out, or Sign in /
// Sign up coming back to this page; nothing on a server without accounts.

import type { Me } from "../transport/api";
import { h, replaceChildren } from "./dom";

export function renderAccount(el: HTMLElement, me: Me | null): void {
  const next = encodeURIComponent(location.pathname + location.hash);
  replaceChildren(el, !me ? null : me.authenticated
    ? [h("span", { class: "muted" }, "signed in as "), h("strong", { "data-testid": "username" }, me.username ?? ""),
       h("a", { class: "btn small link", href: me.logout }, "Sign out")]
    : [h("a", { class: "btn small link", "data-testid": "sign-in", href: `${me.login}?next=${next}` }, "Sign in"),
       h("a", { class: "btn small link", href: `${me.signup}?next=${next}` }, "Sign up")]);
}
