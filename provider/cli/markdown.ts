/**
 * The review summary a CI job posts as a pull-request comment: per user, what a teardown would remove, by kind (MFA
 * devices by their kind), with totals, as one Markdown table. Columns come from the kind registry's tallies; a column
 * nobody has anything in is left out and named below the table instead, so the table stays as narrow as the account.
 * A user that could not be read is named in the table and below it with the reason, and counted apart: the totals are
 * then a lower bound, and say so.
 */
import { DEPENDENCY_KINDS } from "../teardown/kinds";
import type { TeardownPlan } from "../teardown/plan";
import { type TallyCount, tallyInventory } from "../teardown/report";
import type { KindRegistry } from "../teardown/types";

/** Text for a table cell: a user name can hold nothing Markdown reads, but a cell must never be able to break the table. */
const cell = (text: string): string => text.replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`);
const code = (name: string): string => `\`${name.replace(/`/g, "")}\``;
const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
/** A reason on one line, as cell text. */
const reasonText = (reason: string): string => cell(reason.replace(/\s+/g, " ").trim());

/** A user whose plan could not be made: its name as listed and why (an error, or the run was interrupted first). */
export interface UnreadUser {
  userName: string;
  reason: string;
}

/** Activity in the review: the --inactive-for window, the users it kept, and the time "3 days ago" is counted from. */
export interface ReviewActivity {
  window?: string;
  kept: ReadonlyArray<{ userName: string; reason: string }>;
}

export function renderMarkdownSummary(
  plans: readonly TeardownPlan[],
  unread: readonly UnreadUser[] = [],
  options: {
    registry?: KindRegistry;
    activity?: ReviewActivity;
    /** The table's heading (an organization's run heads each account's table with the account). */
    heading?: string;
  } = {},
): string {
  const { registry = DEPENDENCY_KINDS, activity, heading = "### IAM user teardown plan" } = options;
  const existing = plans.filter((p) => p.exists);
  const missing = plans.filter((p) => !p.exists);
  const rows = existing.map((plan) => ({ plan, tallies: tallyInventory(plan.inventory, registry) }));
  const columns: Array<Pick<TallyCount, "kind" | "tally">> = tallyInventory({}, registry);
  const columnTotal = (i: number) => rows.reduce((sum, r) => sum + r.tallies[i].count, 0);
  const shown = columns.map((_, i) => i).filter((i) => columnTotal(i) > 0);
  const userTotal = (r: (typeof rows)[number]) => r.tallies.reduce((sum, t) => sum + t.count, 0);
  const grandTotal = rows.reduce((sum, r) => sum + userTotal(r), 0);
  const deletes = existing.filter((p) => p.steps.some((s) => s.kind === "user")).length;

  const out: string[] = [heading, ""];
  const counts = [plural(plans.length + unread.length, "user", "users")];
  if (missing.length > 0) counts.push(`${missing.length} not in IAM`);
  if (unread.length > 0) counts.push(`${unread.length} could not be read`);
  // What an unread user holds is unknown: the totals cover the users read, and say so.
  const atLeast = unread.length > 0 ? "at least " : "";
  out.push(
    `${counts.join(", ")}. A teardown would remove ${atLeast}${plural(grandTotal, "item", "items")}` +
      (deletes > 0 ? ` and delete ${atLeast}${plural(deletes, "user", "users")}` : "") +
      (unread.length > 0
        ? `; ${unread.length === 1 ? "the user" : "the users"} not read ${unread.length === 1 ? "is" : "are"} not counted.`
        : "."),
    "",
  );
  const keptLines =
    activity && activity.kept.length > 0
      ? [
          `**Kept**, active within ${activity.window} (not in the table, nothing of them would be touched):`,
          "",
          ...activity.kept.map((k) => `- ${code(k.userName)}: ${reasonText(k.reason)}`),
          "",
        ]
      : [];
  if (plans.length + unread.length === 0) return `${[...out, ...keptLines].join("\n")}\n`;

  // The last activity column, when activity was read: the date and its source ("2026-02-27, access key AKIA...").
  const withActivity = existing.some((p) => p.activity || p.activityError);
  const lastActivity = (p: TeardownPlan): string[] => {
    if (!withActivity) return [];
    if (p.activityError) return ["**unknown**"];
    const last = p.activity?.lastActivity;
    return [last ? cell(`${last.date.slice(0, 10)}, ${last.source}`) : "never"];
  };
  const blank = withActivity ? [""] : [];
  const header = ["user", ...(withActivity ? ["last activity"] : []), ...shown.map((i) => columns[i].tally.plural), "total"];
  out.push(`| ${header.map(cell).join(" | ")} |`);
  out.push(`|:--|${withActivity ? ":--|" : ""}${shown.map(() => "--:|").join("")}--:|`);
  for (const r of rows) {
    const name = code(r.plan.userName) + (r.plan.renamedFrom ? ` (renamed from ${code(r.plan.renamedFrom)})` : "");
    const counts = shown.map((i) => (r.tallies[i].count === 0 ? "·" : String(r.tallies[i].count)));
    out.push(`| ${[name, ...lastActivity(r.plan), ...counts, `**${userTotal(r)}**`].join(" | ")} |`);
  }
  for (const plan of missing) {
    const rest = shown.map(() => "");
    out.push(`| ${[code(plan.requestedUserName), ...blank, ...rest, "does not exist"].join(" | ")} |`);
  }
  for (const user of unread)
    out.push(`| ${[code(user.userName), ...blank, ...shown.map(() => ""), "**could not be read**"].join(" | ")} |`);
  if (rows.length > 1)
    out.push(`| ${["**all users**", ...blank, ...shown.map((i) => `**${columnTotal(i)}**`), `**${grandTotal}**`].join(" | ")} |`);
  out.push("");
  out.push(...keptLines);
  const absent = columns.filter((_, i) => !shown.includes(i)).map((c) => c.tally.plural);
  if (absent.length > 0 && rows.length > 0)
    out.push(`None of ${rows.length === 1 ? "the user" : "these users"} holds ${absent.join(", ")}.`, "");
  if (missing.length > 0) out.push(`Not in IAM, nothing to remove: ${missing.map((p) => code(p.requestedUserName)).join(", ")}.`, "");
  if (unread.length > 0)
    out.push(
      "**Could not be read**, so not in the totals (what a teardown would remove from them is unknown):",
      "",
      ...unread.map((u) => `- ${code(u.userName)}: ${reasonText(u.reason)}`),
      "",
    );
  return out.join("\n");
}
