"""Reference values for the impact estimators, computed with statsmodels.

Data: Grunfeld (1950) investment data, as shipped with statsmodels
(statsmodels.datasets.grunfeld, public domain): 11 US firms, 1935-1954.

The test (crates/prokus-metrics/tests/impact_reference.rs) shapes it the way
the impact estimates see KPM data: each firm contributes ten "households",
one per year offset k = 0..9, observed at a "baseline" (year 1935 + k) and an
"endline" (year 1945 + k); the first five firms are "treated". Outcome:
investment. Then, for each estimator (difference in means at endline,
difference-in-differences on the stacked panel, ANCOVA of endline on
baseline) and each standard error (conventional, HC1, CR1 by firm; for
DiD also CR1 by household), statsmodels' OLS gives the treatment
coefficient, its standard error, t-based p-value (use_t=True) and 95% CI.

Also: the F test of a regression (the balance table's joint test): T on y0
and y1, statsmodels' fvalue and f_pvalue; and sharpened q-values: for a fixed
list of p-values, statsmodels' two-stage Benjamini-Krieger-Yekutieli
procedure (multitest.fdrcorrection_twostage, method "bky", maxiter=1) at every
level q = 0.001, 0.002, ..., 1; a p-value's q-value is the smallest q at which
it is rejected (Anderson 2008's definition on the same grid).

Run: python3 -m pip install statsmodels pandas && python3 reference.py
It writes grunfeld.csv and reference.json next to itself.
"""

import json
import os

import pandas as pd
import statsmodels
import statsmodels.formula.api as smf
from statsmodels.datasets import grunfeld

here = os.path.dirname(os.path.abspath(__file__))
data = grunfeld.load_pandas().data[["firm", "year", "invest", "value", "capital"]]
data["year"] = data["year"].astype(int)
data.to_csv(os.path.join(here, "grunfeld.csv"), index=False)

firms = list(dict.fromkeys(data["firm"]))
treated = set(firms[:5])
rows = []
for firm in firms:
    f = data[data["firm"] == firm].set_index("year")
    for k in range(10):
        rows.append({
            "unit": f"{firm}/{k}",
            "firm": firm,
            "T": int(firm in treated),
            "y0": f.loc[1935 + k, "invest"],
            "y1": f.loc[1945 + k, "invest"],
        })
pairs = pd.DataFrame(rows)
long = pd.concat([
    pairs.assign(y=pairs["y0"], post=0),
    pairs.assign(y=pairs["y1"], post=1),
])
long["Tpost"] = long["T"] * long["post"]

def codes(s):
    return pd.factorize(s)[0]

fits = {
    "difference_in_means": ("y1 ~ T", pairs, "T", {"cr1_firm": codes(pairs["firm"])}),
    "ancova": ("y1 ~ T + y0", pairs, "T", {"cr1_firm": codes(pairs["firm"])}),
    "difference_in_differences": (
        "y ~ T + post + Tpost", long, "Tpost",
        {"cr1_firm": codes(long["firm"]), "cr1_unit": codes(long["unit"])},
    ),
}
out = {"_source": f"statsmodels {statsmodels.__version__}; Grunfeld (1950), statsmodels.datasets.grunfeld"}
for name, (formula, df, term, clusters) in fits.items():
    model = smf.ols(formula, df)
    results = {
        "conventional": model.fit(use_t=True),
        "hc1": model.fit(cov_type="HC1", use_t=True),
    }
    for label, groups in clusters.items():
        results[label] = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    out[name] = {}
    for label, r in results.items():
        ci = r.conf_int(0.05).loc[term]
        out[name][label] = {
            "estimate": float(r.params[term]),
            "se": float(r.bse[term]),
            "p_value": float(r.pvalues[term]),
            "ci_low": float(ci[0]),
            "ci_high": float(ci[1]),
        }
f_fit = smf.ols("T ~ y0 + y1", pairs).fit()
out["f_test"] = {
    "f": float(f_fit.fvalue),
    "p_value": float(f_fit.f_pvalue),
    "df_num": float(f_fit.df_model),
    "df_denom": float(f_fit.df_resid),
}

from statsmodels.stats.multitest import fdrcorrection_twostage

p_values = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.222, 0.251, 0.269, 0.381, 0.464, 0.5, 0.578, 0.6, 0.705, 0.9]
q_values = [1.0] * len(p_values)
for k in range(1000, 0, -1):
    q = k / 1000
    rejected = fdrcorrection_twostage(p_values, alpha=q, method="bky", maxiter=1)[0]
    for i, r in enumerate(rejected):
        if r:
            q_values[i] = q
out["sharpened_q"] = {"p_values": p_values, "q_values": q_values}

with open(os.path.join(here, "reference.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
