//! The indicator catalog (`queries/indicators.toml`): indicators as data.

use serde::{Deserialize, Serialize};

use crate::MetricsError;

const CATALOG_TOML: &str = include_str!("../../../queries/indicators.toml");

/// The unit an indicator is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Rupiah.
    Rp,
    /// Percent (or percentage points for a change).
    Pct,
    /// A count of people or things.
    Count,
    /// A score on a scale.
    Score,
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// More is better (income, savings).
    Higher,
    /// Less is better (closures, missing data).
    Lower,
}

/// How KPM-level values become one figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Mean of the values (t interval).
    Mean,
    /// Percentage of KPM with value 1 (Wilson interval).
    Share,
    /// Sum over KPM of the change since baseline (t interval of the sum).
    SumChange,
    /// 100 × (sum of values / sum of baseline values − 1), a ratio of sums
    /// (delta-method interval).
    PctChange,
    /// Median of the values (no interval).
    Median,
    /// Sum of the values (t interval of the sum).
    Sum,
}

impl Aggregation {
    /// The name used in the catalog file.
    pub fn name(self) -> &'static str {
        match self {
            Aggregation::Mean => "mean",
            Aggregation::Share => "share",
            Aggregation::SumChange => "sum_change",
            Aggregation::PctChange => "pct_change",
            Aggregation::Median => "median",
            Aggregation::Sum => "sum",
        }
    }
}

/// Which KPM a figure after the baseline is computed over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Population {
    /// The panel: KPM with a value both at the baseline and in the period, so
    /// that the change is a paired change.
    #[default]
    Panel,
    /// Every KPM with a value in the period, on its own (process indicators,
    /// survey completion, changes already measured per KPM).
    Wave,
}

impl Population {
    /// The name used in the catalog file.
    pub fn name(self) -> &'static str {
        match self {
            Population::Panel => "panel",
            Population::Wave => "wave",
        }
    }
}

/// One indicator of the catalog.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Stable identifier.
    pub id: String,
    /// Name in Bahasa Indonesia.
    pub label_id: String,
    /// Name in English.
    pub label_en: String,
    /// Definition in Bahasa Indonesia.
    pub definition_id: String,
    /// Definition in English.
    pub definition_en: String,
    /// Unit.
    pub unit: Unit,
    /// Digits after the decimal comma.
    pub decimals: u8,
    /// Which way is better.
    pub direction: Direction,
    /// KPM-level variable (a column of `queries/metrics/kpm_value.sql`).
    pub variable: String,
    /// Aggregation rule.
    pub aggregation: Aggregation,
    /// Which KPM are compared across waves.
    #[serde(default)]
    pub population: Population,
    /// Outcome family for the standardized indices of `prokus impact`
    /// (`economic`, `practices`, `market`); none for process indicators.
    #[serde(default)]
    pub family: Option<String>,
    /// Form questions behind it.
    pub source: Vec<String>,
}

/// The whole catalog.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Catalog {
    /// Indicators in catalog order.
    #[serde(rename = "indicator")]
    pub indicators: Vec<Indicator>,
}

impl Catalog {
    /// The catalog shipped in `queries/indicators.toml`.
    pub fn builtin() -> Self {
        Self::parse(CATALOG_TOML).expect("the built-in catalog is checked by tests")
    }

    /// Parses a catalog; ids must be unique.
    pub fn parse(text: &str) -> Result<Self, MetricsError> {
        let catalog: Catalog =
            toml::from_str(text).map_err(|e| MetricsError::Catalog(e.to_string()))?;
        let mut seen = std::collections::HashSet::new();
        for i in &catalog.indicators {
            if !seen.insert(&i.id) {
                return Err(MetricsError::Catalog(format!(
                    "indicator id `{}` appears twice",
                    i.id
                )));
            }
        }
        for a in &catalog.indicators {
            if let Some(b) = catalog
                .indicators
                .iter()
                .find(|b| b.variable == a.variable && b.population != a.population)
            {
                return Err(MetricsError::Catalog(format!(
                    "indicators `{}` and `{}` aggregate the same variable `{}` over different populations; give them the same `population`",
                    a.id, b.id, a.variable
                )));
            }
        }
        Ok(catalog)
    }

    /// The indicator with this id.
    pub fn get(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_has_the_foundation_indicators() {
        let c = Catalog::builtin();
        for id in [
            "business_income",
            "business_income_change_pct",
            "saves_monthly",
            "jobs_created",
        ] {
            assert!(c.get(id).is_some(), "{id}");
        }
        assert_eq!(
            c.get("saves_monthly").unwrap().aggregation,
            Aggregation::Share
        );
        assert!(Catalog::parse("[[indicator]]\nid = 'x'\n").is_err());
        // Every indicator in the shipped catalog that has a family is an
        // outcome compared with the baseline.
        for i in c.indicators.iter().filter(|i| i.family.is_some()) {
            assert_eq!(i.population, Population::Panel, "{}", i.id);
        }
    }

    #[test]
    fn one_variable_has_one_population() {
        let one = |id: &str, population: &str| {
            format!(
                "[[indicator]]\nid = '{id}'\nlabel_id = 'a'\nlabel_en = 'a'\ndefinition_id = 'a'\ndefinition_en = 'a'\n\
                 unit = 'pct'\ndecimals = 1\ndirection = 'higher'\nvariable = 'keeps_books'\naggregation = 'share'\n\
                 population = '{population}'\nsource = []\n"
            )
        };
        assert!(Catalog::parse(&(one("a", "panel") + &one("b", "panel"))).is_ok());
        let err = Catalog::parse(&(one("a", "panel") + &one("b", "wave")))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`keeps_books`") && err.contains("population"),
            "{err}"
        );
    }
}
