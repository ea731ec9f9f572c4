import type { EntryKind, EntryStatus, HistoryFilterDto } from "../lib/backend";
import { PRESETS, rangeOf, type Preset } from "../lib/dateRange";
import { usePreferences } from "../lib/preferences";
import { KINDS, STATUSES, kindLabel, statusLabel } from "./entryLabels";
import { Field, SelectField } from "./Field";

export interface FilterState {
  preset: Preset;
  from: string;
  to: string;
  site: string;
  kind: EntryKind | "";
  status: EntryStatus | "";
  search: string;
}

export const NO_FILTER: FilterState = {
  preset: "all",
  from: "",
  to: "",
  site: "",
  kind: "",
  status: "",
  search: "",
};

/** The filter the core receives: empty choices are no filter at all. */
export function toFilterDto(f: FilterState, now: Date): HistoryFilterDto {
  const { since, until } = rangeOf(f.preset, now, f.from, f.to);
  const or = (s: string) => (s.trim() === "" ? null : s.trim());
  return {
    since,
    until,
    site: or(f.site),
    kind: f.kind === "" ? null : f.kind,
    status: f.status === "" ? null : f.status,
    search: or(f.search),
  };
}

export function PresetSelect({
  value,
  onChange,
  presets = PRESETS,
}: {
  value: Preset;
  onChange: (p: Preset) => void;
  presets?: readonly Preset[];
}) {
  const { t } = usePreferences();
  return (
    <SelectField
      label={t("history.period")}
      value={value}
      onChange={(e) => onChange(e.target.value as Preset)}
    >
      {presets.map((p) => (
        <option key={p} value={p}>
          {t(`range.${p}`)}
        </option>
      ))}
    </SelectField>
  );
}

export function HistoryFilters({
  value,
  sites,
  onChange,
}: {
  value: FilterState;
  sites: string[];
  onChange: (f: FilterState) => void;
}) {
  const { t } = usePreferences();
  const set = (patch: Partial<FilterState>) => onChange({ ...value, ...patch });
  const changed = JSON.stringify(value) !== JSON.stringify(NO_FILTER);
  return (
    <section className="card filters" aria-labelledby="filters-h">
      <div className="site-head">
        <h2 id="filters-h">{t("history.filters")}</h2>
        {changed && (
          <button type="button" className="button-quiet" onClick={() => onChange(NO_FILTER)}>
            {t("history.clearFilters")}
          </button>
        )}
      </div>
      <div className="row">
        <Field
          label={t("history.search")}
          type="search"
          value={value.search}
          placeholder={t("history.searchPlaceholder")}
          onChange={(e) => set({ search: e.target.value })}
        />
        <PresetSelect value={value.preset} onChange={(preset) => set({ preset })} />
        {value.preset === "custom" && (
          <>
            <Field
              label={t("history.from")}
              type="date"
              value={value.from}
              onChange={(e) => set({ from: e.target.value })}
            />
            <Field
              label={t("history.to")}
              type="date"
              value={value.to}
              onChange={(e) => set({ to: e.target.value })}
            />
          </>
        )}
      </div>
      <div className="row">
        <SelectField
          label={t("history.site")}
          value={value.site}
          onChange={(e) => set({ site: e.target.value })}
        >
          <option value="">{t("history.allSites")}</option>
          {sites.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={t("history.kind")}
          value={value.kind}
          onChange={(e) => set({ kind: e.target.value as FilterState["kind"] })}
        >
          <option value="">{t("history.allKinds")}</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {kindLabel(k, t)}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={t("history.status")}
          value={value.status}
          onChange={(e) => set({ status: e.target.value as FilterState["status"] })}
        >
          <option value="">{t("history.allStatuses")}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s, t)}
            </option>
          ))}
        </SelectField>
      </div>
    </section>
  );
}
