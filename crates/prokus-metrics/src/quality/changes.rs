//! Implausible changes between a KPM's consecutive answered waves, per
//! field: a money answer multiplied or divided by at least `max_ratio` (both
//! answers non-zero), a count changing by at least `max_jump`. The previous
//! answer of a field is the KPM's latest earlier wave that answered it (an
//! unanswered wave in between is passed over, as SQL's `lag(… IGNORE
//! NULLS)` would).
//!
//! Found from the checks' latest answers as the calendar's counts read them
//! (one Arrow read), each KPM's answers put together by the number the
//! database gives the KPM, where a window partitioned by KPM (once
//! `queries/quality/changes.sql`) had DuckDB sort every answer.

use std::collections::HashMap;

use duckdb::arrow::array::{Array, Float64Array, Int32Array, Int64Array, StringArray};
use duckdb::arrow::record_batch::RecordBatch;

use crate::MetricsError;
use crate::sql::arrow_column;

/// An answer far from the same field's previous answer.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Change {
    /// The answer: its batch among the batches read.
    pub batch: usize,
    /// Its row in that batch.
    pub row: usize,
    /// The field's place among the fields judged.
    pub field: usize,
    /// The answer's value.
    pub x: f64,
    /// The previous answer's batch and row.
    pub previous_at: (usize, usize),
    /// The previous answer's value.
    pub previous: f64,
}

/// The columns [`find`] reads of each batch.
pub(super) struct Columns<'a> {
    /// The KPM's id.
    pub kpm_id: usize,
    /// The KPM's number (`BIGINT`), null for a KPM not in the register.
    pub kpm_index: usize,
    /// The wave's order (`INTEGER`), null for a wave the database does not
    /// know (then last).
    pub ordinal: usize,
    /// The fields judged, as doubles: their columns, and whether each is
    /// money (else a count).
    pub fields: &'a [(usize, bool)],
}

/// The changes among `batches` (the checks' latest answers, one row per KPM
/// and wave), KPM numbered below `kpm_count`.
pub(super) fn find(
    batches: &[RecordBatch],
    columns: &Columns<'_>,
    kpm_count: usize,
    max_ratio: f64,
    max_jump: f64,
) -> Result<Vec<Change>, MetricsError> {
    // Every answer's KPM: its number, or one after the register's for a KPM
    // it does not hold.
    let mut unregistered: HashMap<&str, usize> = HashMap::new();
    let mut owner: Vec<Vec<u32>> = Vec::with_capacity(batches.len());
    for batch in batches {
        let ids = arrow_column::<StringArray>(batch, columns.kpm_id)?;
        let numbers = arrow_column::<Int64Array>(batch, columns.kpm_index)?;
        owner.push(
            (0..batch.num_rows())
                .map(|row| {
                    if numbers.is_valid(row) {
                        numbers.value(row) as u32
                    } else {
                        let next = kpm_count + unregistered.len();
                        *unregistered.entry(ids.value(row)).or_insert(next) as u32
                    }
                })
                .collect(),
        );
    }
    // The answers by KPM (a counting sort), each KPM's by wave.
    let kpm = kpm_count + unregistered.len();
    let mut starts = vec![0u32; kpm + 1];
    for o in owner.iter().flatten() {
        starts[*o as usize + 1] += 1;
    }
    for i in 0..kpm {
        starts[i + 1] += starts[i];
    }
    let mut order: Vec<(u32, u32)> = vec![(0, 0); starts[kpm] as usize];
    let mut next = starts.clone();
    for (batch, o) in owner.iter().enumerate() {
        for (row, &k) in o.iter().enumerate() {
            let at = &mut next[k as usize];
            order[*at as usize] = (batch as u32, row as u32);
            *at += 1;
        }
    }
    drop(owner);
    let ordinals = batches
        .iter()
        .map(|b| arrow_column::<Int32Array>(b, columns.ordinal))
        .collect::<Result<Vec<_>, _>>()?;
    let ordinal = |&(batch, row): &(u32, u32)| {
        let o = ordinals[batch as usize];
        if o.is_valid(row as usize) {
            o.value(row as usize)
        } else {
            i32::MAX
        }
    };
    for k in 0..kpm {
        let answers = &mut order[starts[k] as usize..starts[k + 1] as usize];
        if answers.len() > 1 {
            answers.sort_by_key(ordinal);
        }
    }
    let mut found = Vec::new();
    for (field, &(column, money)) in columns.fields.iter().enumerate() {
        let values = batches
            .iter()
            .map(|b| arrow_column::<Float64Array>(b, column))
            .collect::<Result<Vec<_>, _>>()?;
        for k in 0..kpm {
            let mut previous: Option<(f64, (usize, usize))> = None;
            for &(batch, row) in &order[starts[k] as usize..starts[k + 1] as usize] {
                let (batch, row) = (batch as usize, row as usize);
                let v = values[batch];
                if v.is_null(row) {
                    continue;
                }
                let x = v.value(row);
                if let Some((p, at)) = previous {
                    let implausible = if money {
                        x > 0.0 && p > 0.0 && (x / p).max(p / x) >= max_ratio
                    } else {
                        (x - p).abs() >= max_jump
                    };
                    if implausible {
                        found.push(Change {
                            batch,
                            row,
                            field,
                            x,
                            previous_at: at,
                            previous: p,
                        });
                    }
                }
                previous = Some((x, (batch, row)));
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check as SQL, as `queries/quality/changes.sql` had it, for a
    /// money field `v` and a count `c`: a window over each KPM's waves.
    const DUCKDB_CHANGES: &str = "
        WITH paired AS MATERIALIZED (
            SELECT kpm_id, wave,
                   v AS x0, lag(v IGNORE NULLS) OVER w AS p0,
                   lag(CASE WHEN v IS NOT NULL THEN wave END IGNORE NULLS) OVER w AS w0,
                   c AS x1, lag(c IGNORE NULLS) OVER w AS p1,
                   lag(CASE WHEN c IS NOT NULL THEN wave END IGNORE NULLS) OVER w AS w1
            FROM answers
            WINDOW w AS (PARTITION BY kpm_id ORDER BY ordinal)
        )
        SELECT kpm_id, wave, 0 AS field, x0, w0, p0 FROM paired
        WHERE x0 > 0 AND p0 > 0 AND greatest(x0 / p0, p0 / x0) >= $1
        UNION ALL
        SELECT kpm_id, wave, 1 AS field, x1, w1, p1 FROM paired
        WHERE abs(x1 - p1) >= $2
        ORDER BY kpm_id, wave, field";

    #[test]
    fn the_changes_are_duckdbs() {
        let conn = duckdb::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE answers (kpm_id VARCHAR, wave VARCHAR, ordinal INTEGER,
                                   kpm_index BIGINT, v DOUBLE, c DOUBLE)",
        )
        .unwrap();
        let mut next = super::super::tests::generator(0x9e37_79b9_7f4a_7c15_u64);
        let waves = ["baseline", "monitoring_1", "monitoring_2", "endline"];
        {
            let mut app = conn.appender("answers").unwrap();
            // 400 registered KPM (numbered) and 50 the register lacks, each
            // with some of the waves, written out of order, with missing
            // answers, zeros and tenfold jumps; and a wave the database does
            // not know (no order), last.
            for k in 0..450_u64 {
                let mut mine: Vec<usize> = (0..4).filter(|_| !next().is_multiple_of(4)).collect();
                mine.reverse();
                for w in mine {
                    let r = next();
                    let v = match r % 10 {
                        0 => None,
                        1 => Some(0.0),
                        2 => Some(10_000_000.0),
                        _ => Some(((r >> 8) % 3_000_000) as f64 + 100_000.0),
                    };
                    let c = (!r.is_multiple_of(7)).then_some(((r >> 20) % 25) as f64);
                    let index = (k < 400).then_some(k as i64);
                    app.append_row(duckdb::params![
                        format!("K{k:04}"),
                        waves[w],
                        w as i32,
                        index,
                        v,
                        c
                    ])
                    .unwrap();
                }
                if k % 50 == 0 {
                    app.append_row(duckdb::params![
                        format!("K{k:04}"),
                        "followup",
                        None::<i32>,
                        (k < 400).then_some(k as i64),
                        Some(1.0),
                        Some(99.0)
                    ])
                    .unwrap();
                }
            }
        }
        let expected: Vec<(String, String, i32, f64, String, f64)> = conn
            .prepare(DUCKDB_CHANGES)
            .unwrap()
            .query_map(duckdb::params![10.0, 10.0], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let batches: Vec<RecordBatch> = conn
            .prepare("SELECT kpm_id, wave, kpm_index, ordinal, v, c FROM answers")
            .unwrap()
            .query_arrow([])
            .unwrap()
            .collect();
        let columns = Columns {
            kpm_id: 0,
            kpm_index: 2,
            ordinal: 3,
            fields: &[(4, true), (5, false)],
        };
        let text = |(batch, row): (usize, usize), c: usize| {
            arrow_column::<StringArray>(&batches[batch], c)
                .unwrap()
                .value(row)
                .to_string()
        };
        let mut found: Vec<(String, String, i32, f64, String, f64)> =
            find(&batches, &columns, 400, 10.0, 10.0)
                .unwrap()
                .into_iter()
                .map(|c| {
                    let at = (c.batch, c.row);
                    let field = c.field as i32;
                    (
                        text(at, 0),
                        text(at, 1),
                        field,
                        c.x,
                        text(c.previous_at, 1),
                        c.previous,
                    )
                })
                .collect();
        found.sort_by(|a, b| (&a.0, &a.1, a.2).cmp(&(&b.0, &b.1, b.2)));
        assert!(
            expected.iter().filter(|e| e.2 == 0).count() > 20
                && expected.iter().filter(|e| e.2 == 1).count() > 20
                && expected.iter().any(|e| e.1 == "followup")
                && expected.iter().any(|e| e.0.as_str() >= "K0400"),
            "{expected:?}"
        );
        assert_eq!(found, expected);
    }
}
