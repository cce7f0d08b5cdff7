// The formats offered in the download menu: asked of the server once
// (GET /api/exports), the built-in list when it has none or cannot answer.

import { chooseFormats, type ExportFormat } from "../model/exports";
import { api } from "./api";

export interface FormatList {
  formats: readonly ExportFormat[];
  fromServer: boolean;
}

let pending: Promise<FormatList> | null = null;

/** The list, fetched once per page (a failure falls back and is not retried). */
export function exportFormats(fetchList: () => Promise<unknown> = api.exports): Promise<FormatList> {
  pending ??= fetchList().then(chooseFormats, () => chooseFormats(null));
  return pending;
}

/** Forgets the fetched list (tests). */
export function forgetExportFormats(): void {
  pending = null;
}
