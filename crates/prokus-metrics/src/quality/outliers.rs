//! Robust outliers per unit (incubator, or province for the comparison
//! group), wave and field: the modified z-score of Iglewicz and Hoaglin
//! (1993), z = 0.6745 (y − median) / MAD, with y = ln(x) for money (zero
//! amounts are then left out) and y = x for counts. MAD is the median of
//! |y − median|. The median shown is that of x, of the same answers.
//!
//! Found here rather than in SQL: the checks' latest answers are read once as
//! Arrow columns for the calendar's counts, and their values are then one
//! vector per group, whose medians `select_nth_unstable` finds in linear
//! time. As DuckDB's `median` and `mad` (once `queries/quality/outliers.sql`),
//! a median of an even count is `lo × 0.5 + hi × 0.5` of its two middle
//! values, so each z-score is the same to the last bit.

use std::collections::HashMap;

use duckdb::arrow::array::{Array, Float64Array, StringArray};
use duckdb::arrow::record_batch::RecordBatch;

use crate::MetricsError;
use crate::sql::arrow_column;

/// An answer far from its group's median.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Outlier {
    /// The answer: its batch and row among the batches read.
    pub batch: usize,
    /// Its row in that batch.
    pub row: usize,
    /// The field's place among the fields judged.
    pub field: usize,
    /// The answer's value.
    pub x: f64,
    /// The group's median of x.
    pub median: f64,
    /// The group's answers of that field.
    pub n: i64,
    /// The robust z-score.
    pub z: f64,
}

/// The median of `values` as DuckDB's `median` finds it: the middle value,
/// or of an even count the two middle values interpolated halfway
/// (`lo × (1 − 0.5) + hi × 0.5`, DuckDB's `InterpolateOperator` for
/// doubles). Reorders `values`; `None` when there are none.
fn median(values: &mut [f64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (low, high) = ((n - 1) / 2, n / 2);
    let (_, lo, above) = values.select_nth_unstable_by(low, f64::total_cmp);
    let lo = *lo;
    if low == high {
        return Some(lo);
    }
    let hi = above.iter().copied().min_by(f64::total_cmp)?;
    Some(lo * (1.0 - 0.5) + hi * 0.5)
}

/// The groups' answers of one field: for each group, its values of y and
/// (on the log scale) of x.
struct Spread {
    /// Median of y.
    med: f64,
    /// Median of x (of y on the counts' own scale).
    med_x: f64,
    /// Median absolute deviation of y.
    mad: f64,
    /// Answers.
    n: i64,
}

/// The outliers among `batches` (the checks' latest answers: their columns
/// `unit` and `wave` the group, `fields` the values judged, as doubles),
/// money fields (`log`) on the log scale. A group of fewer than `min_n`
/// answers of a field, or whose MAD is 0, is not judged.
pub(super) fn find(
    batches: &[RecordBatch],
    (unit, wave): (usize, usize),
    fields: &[(usize, bool)],
    min_n: i64,
    max_z: f64,
) -> Result<Vec<Outlier>, MetricsError> {
    // Every answer's group, numbered as met.
    let mut numbers: HashMap<(&str, &str), u32> = HashMap::new();
    let mut groups: Vec<Vec<u32>> = Vec::with_capacity(batches.len());
    for batch in batches {
        let (units, waves) = (
            arrow_column::<StringArray>(batch, unit)?,
            arrow_column::<StringArray>(batch, wave)?,
        );
        groups.push(
            (0..batch.num_rows())
                .map(|row| {
                    let next = numbers.len() as u32;
                    *numbers
                        .entry((units.value(row), waves.value(row)))
                        .or_insert(next)
                })
                .collect(),
        );
    }
    let mut found = Vec::new();
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); numbers.len()];
    let mut xs: Vec<Vec<f64>> = vec![Vec::new(); numbers.len()];
    for (field, &(column, log)) in fields.iter().enumerate() {
        let y = |x: f64| (!log || x > 0.0).then(|| if log { x.ln() } else { x });
        let columns = batches
            .iter()
            .map(|b| arrow_column::<Float64Array>(b, column))
            .collect::<Result<Vec<_>, _>>()?;
        for v in values.iter_mut().chain(xs.iter_mut()) {
            v.clear();
        }
        for (c, g) in columns.iter().zip(&groups) {
            for (row, &group) in g.iter().enumerate() {
                if c.is_null(row) {
                    continue;
                }
                let x = c.value(row);
                if let Some(y) = y(x) {
                    values[group as usize].push(y);
                    if log {
                        xs[group as usize].push(x);
                    }
                }
            }
        }
        let spread: Vec<Option<Spread>> = values
            .iter_mut()
            .zip(xs.iter_mut())
            .map(|(ys, xs)| {
                let n = ys.len() as i64;
                if n < min_n {
                    return None;
                }
                let med = median(ys)?;
                let med_x = if log { median(xs)? } else { med };
                for y in ys.iter_mut() {
                    *y = (*y - med).abs();
                }
                let mad = median(ys)?;
                (mad > 0.0).then_some(Spread { med, med_x, mad, n })
            })
            .collect();
        for (batch, (c, g)) in columns.iter().zip(&groups).enumerate() {
            for (row, &group) in g.iter().enumerate() {
                let Some(s) = &spread[group as usize] else {
                    continue;
                };
                if c.is_null(row) {
                    continue;
                }
                let x = c.value(row);
                let Some(y) = y(x) else { continue };
                let z = 0.6745 * (y - s.med) / s.mad;
                if z.abs() > max_z {
                    found.push(Outlier {
                        batch,
                        row,
                        field,
                        x,
                        median: s.med_x,
                        n: s.n,
                        z,
                    });
                }
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check as SQL, as `queries/quality/outliers.sql` had it, for one
    /// field `v`: DuckDB's own medians.
    const DUCKDB_OUTLIERS: &str = "
        WITH scaled AS (
            SELECT kpm_id, wave, unit_id, v AS x,
                   CASE WHEN $1 THEN ln(v) ELSE v END AS y
            FROM answers
            WHERE v IS NOT NULL AND (NOT $1 OR v > 0)
        ), spread AS (
            SELECT unit_id, wave, median(y) AS med, median(x) AS med_x, count(*) AS n, mad(y) AS mad
            FROM scaled
            GROUP BY ALL
        )
        SELECT s.kpm_id, s.x, CASE WHEN $1 THEN p.med_x ELSE p.med END, p.n,
               0.6745 * (s.y - p.med) / p.mad AS z
        FROM scaled s JOIN spread p USING (unit_id, wave)
        WHERE p.n >= $2 AND p.mad > 0 AND abs(0.6745 * (s.y - p.med) / p.mad) > $3
        ORDER BY s.kpm_id";

    #[test]
    fn the_outliers_are_duckdbs_to_the_bit() {
        let conn = duckdb::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE answers (kpm_id VARCHAR, wave VARCHAR, unit_id VARCHAR, v DOUBLE)",
        )
        .unwrap();
        // Groups of odd and even sizes, skewed amounts with zeros, missing
        // answers and repeated values, from a fixed generator.
        let mut next = super::super::tests::generator(0x2545_f491_4f6c_dd1d_u64);
        {
            let mut app = conn.appender("answers").unwrap();
            for k in 0..3_000 {
                let r = next();
                let v = match r % 20 {
                    0 => None,
                    1 => Some(0.0),
                    2 => Some(1_000_000.0),
                    _ => Some(((r >> 8) % 5_000_000) as f64 / ((r >> 40) % 7 + 1) as f64),
                };
                let unit = format!("INK-{}", k % 7);
                let wave = ["baseline", "endline"][(r >> 5) as usize % 2];
                app.append_row(duckdb::params![format!("K{k:05}"), wave, unit, v])
                    .unwrap();
            }
        }
        let batches: Vec<RecordBatch> = conn
            .prepare("SELECT kpm_id, wave, unit_id, v FROM answers")
            .unwrap()
            .query_arrow([])
            .unwrap()
            .collect();
        for log in [true, false] {
            let expected: Vec<(String, f64, f64, i64, f64)> = conn
                .prepare(DUCKDB_OUTLIERS)
                .unwrap()
                .query_map(duckdb::params![log, 10, 0.5], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let mut found: Vec<(String, f64, f64, i64, f64)> =
                find(&batches, (2, 1), &[(3, log)], 10, 0.5)
                    .unwrap()
                    .into_iter()
                    .map(|o| {
                        let ids = arrow_column::<StringArray>(&batches[o.batch], 0).unwrap();
                        (ids.value(o.row).to_string(), o.x, o.median, o.n, o.z)
                    })
                    .collect();
            found.sort_by(|a, b| a.0.cmp(&b.0));
            assert!(expected.len() > 500, "{log}: {}", expected.len());
            assert_eq!(found.len(), expected.len(), "log scale: {log}");
            for (f, e) in found.iter().zip(&expected) {
                assert_eq!(f.0, e.0);
                assert_eq!(
                    (f.1.to_bits(), f.2.to_bits(), f.3, f.4.to_bits()),
                    (e.1.to_bits(), e.2.to_bits(), e.3, e.4.to_bits()),
                    "{f:?} against DuckDB's {e:?}"
                );
            }
        }
    }

    #[test]
    fn the_median_is_duckdbs() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0]), Some(3.0));
        assert_eq!(median(&mut [5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        // Halfway between two values, where `lo + (hi - lo) / 2` would
        // differ in the last bit: as DuckDB's `median` and `mad` find it.
        let conn = duckdb::Connection::open_in_memory().unwrap();
        for (lo, hi) in [(0.1_f64, 0.7_f64), (1e-3, 7.3), (13.2, 13.200000000000003)] {
            let duckdb: (f64, f64) = conn
                .query_row(
                    "SELECT median(v), mad(v) FROM (VALUES (?::DOUBLE), (?::DOUBLE)) t(v)",
                    [hi, lo],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            let med = median(&mut [hi, lo]).unwrap();
            let mad = median(&mut [(hi - med).abs(), (lo - med).abs()]).unwrap();
            assert_eq!(
                (med.to_bits(), mad.to_bits()),
                (duckdb.0.to_bits(), duckdb.1.to_bits())
            );
        }
    }
}
