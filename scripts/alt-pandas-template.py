#!/usr/bin/env python3
"""The alternative prokus is measured against (scripts/bench-template.sh):
what an M&E officer would write with pandas and matplotlib for the same
canonical template. It reads the template and the incubator list, keeps
each KPM's latest answer per wave, computes a handful of indicators (shares
and mean income, by wave, with the change from the baseline) for the nation,
each province, regency and incubator, and writes one simple 2-page PDF per
area and incubator (a table, then a chart of income by wave), on 2
processes.

It does much less than `prokus ingest` + `prokus report`: no checks or
rejects, no confidence intervals, suppression, targets, impact estimates,
comparison group, attention lists or data-quality annex. It is the floor a
spreadsheet-and-script workflow starts from.

    python3 scripts/alt-pandas-template.py TEMPLATE.csv INCUBATORS.csv OUT-DIR
"""

import os
import re
import sys
from multiprocessing import Pool

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

YES_NO = [
    "business_operating",
    "saves_monthly",
    "keeps_books",
    "has_business_plan",
    "has_nib",
    "got_credit",
    "sells_online",
]
LABELS = {
    "business_operating": "Usaha berjalan (%)",
    "saves_monthly": "Menabung rutin (%)",
    "keeps_books": "Pembukuan (%)",
    "has_business_plan": "Rencana usaha (%)",
    "has_nib": "Memiliki NIB (%)",
    "got_credit": "Akses kredit (%)",
    "sells_online": "Jualan daring (%)",
    "business_income": "Laba usaha (Rp, rata-rata)",
    "workers": "Pekerja (rata-rata)",
}


def load(template, incubators):
    df = pd.read_csv(template, dtype={"province_code": str, "regency_code": str})
    df = df[df["arm"] == "prokus"]
    df = df.sort_values("submitted_at").drop_duplicates(["kpm_id", "wave"], keep="last")
    for c in YES_NO:
        df[c] = df[c].map({"ya": 1.0, "tidak": 0.0, "yes": 1.0, "no": 0.0})
    for c in ["business_income", "paid_workers", "family_workers"]:
        df[c] = pd.to_numeric(df[c], errors="coerce")
    df["workers"] = df["paid_workers"].fillna(0) + df["family_workers"].fillna(0)
    names = pd.read_csv(incubators, dtype={"province_code": str}).set_index("incubator_id")["name"]
    return df, names


def table(df):
    """Indicators by wave (rows: indicator, columns: wave), shares in %."""
    g = df.groupby("wave")
    out = pd.DataFrame({c: g[c].mean() * 100 for c in YES_NO})
    out["business_income"] = g["business_income"].mean()
    out["workers"] = g["workers"].mean()
    out["n"] = g["kpm_id"].nunique()
    return out.T


def write(job):
    path, title, t = job
    waves = list(t.columns)
    with PdfPages(path) as pdf:
        fig = plt.figure(figsize=(8.27, 11.69))
        fig.suptitle(title, fontsize=14)
        # Room on the left for the row labels.
        ax = fig.add_axes((0.3, 0.1, 0.65, 0.8))
        ax.axis("off")
        rows = [LABELS.get(i, i) for i in t.index]
        cells = [[f"{v:,.1f}" for v in t.loc[i]] for i in t.index]
        if "baseline" in waves and len(waves) > 1:
            last = waves[-1]
            for r, i in zip(cells, t.index):
                r.append(f"{t.loc[i, last] - t.loc[i, 'baseline']:+,.1f}")
            cols = waves + ["Perubahan"]
        else:
            cols = waves
        ax.table(cellText=cells, rowLabels=rows, colLabels=cols, loc="center")
        pdf.savefig(fig)
        plt.close(fig)
        fig, ax = plt.subplots(figsize=(8.27, 5))
        ax.bar(waves, t.loc["business_income"])
        ax.set_title("Laba usaha rata-rata per putaran")
        pdf.savefig(fig)
        plt.close(fig)


def safe(code):
    """A file name from a code in the data: letters, digits, `-`, `_` and
    `.` kept, anything else (a `/`, a leading dot) replaced."""
    return re.sub(r"[^A-Za-z0-9_.-]|^\.", "_", str(code)) or "_"


def main():
    template, incubators, out = sys.argv[1:4]
    df, names = load(template, incubators)
    order = ["baseline", "monitoring_1", "monitoring_2", "monitoring_3", "endline", "followup"]
    jobs = []

    def add(path, title, part):
        t = table(part)
        t = t[[w for w in order if w in t.columns]]
        jobs.append((path, title, t))

    for sub in ["province", "regency", "incubator"]:
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    add(os.path.join(out, "national.pdf"), "Indonesia", df)
    for code, part in df.groupby("province_code"):
        add(os.path.join(out, "province", f"{safe(code)}.pdf"), f"Provinsi {code}", part)
    for code, part in df.groupby("regency_code"):
        add(os.path.join(out, "regency", f"{safe(code)}.pdf"), f"Kabupaten/Kota {code}", part)
    for code, part in df.groupby("incubator_id"):
        add(os.path.join(out, "incubator", f"{safe(code)}.pdf"), str(names.get(code, code)), part)
    with Pool(2) as pool:
        pool.map(write, jobs, chunksize=4)
    print(f"wrote {len(jobs)} PDFs to {out}")


if __name__ == "__main__":
    main()
