// The run's status as a coloured badge.

export function renderStatus(el: HTMLElement, status: string | null): void {
  el.textContent = status ?? "not run yet";
  el.className = `badge status-${status ?? "idle"}`;
  el.dataset.status = status ?? "";
}
