#!/usr/bin/env python3
"""Writes a canonical template as an incubator office would fill it, without
prokus: HOUSEHOLDS households of the 2022 cohort, five waves each, only the
template's own columns (no attitude, `saves`, separating money or mentoring
questions), plus the incubator list it refers to. Not the project's sample
generator on purpose: the benchmark must run on data shaped by someone else.

    scripts/template-fixture.py OUT_DIR [HOUSEHOLDS]
"""
import csv
import os
import random
import sys

out = sys.argv[1]
households = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
os.makedirs(out, exist_ok=True)
rng = random.Random(2022)

# Real Kemendagri regency codes, by province.
REGENCIES = {
    "11": ["11.71", "11.06"], "12": ["12.71", "12.07"], "31": ["31.71", "31.74"],
    "32": ["32.17", "32.73", "32.04"], "33": ["33.74", "33.22"], "35": ["35.78", "35.15"],
    "51": ["51.71", "51.03"], "52": ["52.71", "52.01"], "53": ["53.71", "53.10"],
    "73": ["73.71", "73.06"], "64": ["64.71", "64.72"],
}
incubators = []
for province in REGENCIES:
    for k in (1, 2):
        incubators.append((f"INK-{province}-0{k}", f"Inkubator {province}-{k}", f"Universitas {province}", province))

with open(os.path.join(out, "incubators.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["incubator_id", "name", "university", "province_code"])
    w.writerows(incubators)

WAVES = [("baseline", "2022-03-14"), ("monitoring_1", "2022-05-16"), ("monitoring_2", "2022-06-13"),
         ("monitoring_3", "2022-07-11"), ("endline", "2022-09-12")]
columns = ["kpm_id", "wave", "submitted_at", "kpm_name", "arm", "cohort_year", "incubator_id",
           "province_code", "regency_code", "gender", "cluster", "business_operating",
           "business_revenue", "business_income", "household_income", "saves_monthly",
           "savings_amount", "keeps_books", "has_business_plan", "paid_workers", "family_workers",
           "has_nib", "got_credit", "sells_online"]
yes = lambda p: "ya" if rng.random() < p else "tidak"
with open(os.path.join(out, "template-2022.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(columns)
    for h in range(1, households + 1):
        comparison = rng.random() < 0.2
        inc = rng.choice(incubators)
        province = inc[3]
        regency = rng.choice(REGENCIES[province])
        income = rng.lognormvariate(14.2, 0.5)
        gender = rng.choice("LP")
        cluster = rng.choice(["kuliner", "ritel", "fesyen", "agribisnis"])
        waves = [WAVES[0], WAVES[4]] if comparison else WAVES
        for i, (wave, day) in enumerate(waves):
            growth = 1.0 + (0.0 if comparison else 0.05) * i + rng.gauss(0, 0.1)
            if rng.random() < 0.03:
                continue  # not surveyed this wave
            w.writerow([
                f"KPM22-{h:06d}", wave, f"{day[:-2]}{int(day[-2:]) + rng.randrange(0, 10):02d}",
                f"Nama {h}", "comparison" if comparison else "prokus", "2022",
                "" if comparison else inc[0], province, regency, gender, cluster,
                yes(0.95), int(round(income * 2.5 * growth, -3)), int(round(income * growth, -3)),
                int(round(income * 1.8 * growth, -3)), yes(0.4 + 0.05 * i), int(round(income * 0.05, -3)),
                yes(0.3 + 0.1 * i), yes(0.3 + 0.08 * i), rng.choice([0, 0, 0, 1, 2]),
                rng.choice([0, 1, 1, 2]), yes(0.2 + 0.05 * i), yes(0.1), yes(0.2 + 0.05 * i),
            ])
