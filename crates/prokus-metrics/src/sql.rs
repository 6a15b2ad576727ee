//! How the SQL files of `queries/` that hold several statements or templates
//! are cut: each part starts after a `-- part: NAME` line; and how a
//! query's Arrow result is read.

use duckdb::arrow::record_batch::RecordBatch;

use crate::MetricsError;

/// The part of a SQL file after its `-- part: NAME` line, up to the next part.
///
/// # Panics
/// When the file has no such part: the files are compiled into the binary, so
/// this is a mistake in the project, found by its tests.
pub fn part<'a>(text: &'a str, name: &str) -> &'a str {
    let marker = format!("-- part: {name}\n");
    let start = text
        .find(&marker)
        .map(|i| i + marker.len())
        .unwrap_or_else(|| panic!("the SQL file has a part `{name}`"));
    let rest = &text[start..];
    rest.find("-- part: ").map_or(rest, |end| &rest[..end])
}

/// Column `index` of `batch` as an `A` (the query casts it to that type): a
/// mismatch is a mistake in the project's own query.
pub fn arrow_column<A: 'static>(batch: &RecordBatch, index: usize) -> Result<&A, MetricsError> {
    batch
        .column(index)
        .as_any()
        .downcast_ref::<A>()
        .ok_or_else(|| {
            MetricsError::Internal(format!(
                "column {} of a query's result is {}, not {}",
                batch.schema().field(index).name(),
                batch.column(index).data_type(),
                std::any::type_name::<A>()
            ))
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn parts_end_where_the_next_begins() {
        let text = "-- a comment\n-- part: one\nSELECT 1\n-- part: two\nSELECT 2\n";
        assert_eq!(super::part(text, "one"), "SELECT 1\n");
        assert_eq!(super::part(text, "two"), "SELECT 2\n");
    }
}
