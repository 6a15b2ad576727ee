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
    /// 100 × (sum of values / sum of baseline values − 1) (delta method).
    PctChange,
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
    /// KPM-level variable (a column of `queries/metrics/kpm_wave.sql`).
    pub variable: String,
    /// Aggregation rule.
    pub aggregation: Aggregation,
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
    }
}
