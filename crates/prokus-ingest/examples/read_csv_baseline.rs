//! The baseline of the ingest benchmarks (`scripts/bench-ingest.sh`,
//! `bench-template.sh`, `bench-scale.sh`): DuckDB's own `read_csv` loading
//! each file into a table of its own in a new database file, with the same
//! DuckDB build as `prokus ingest`. Given the files a benchmark's ingest
//! loads, it reads the same bytes.
//!
//! Usage: `read_csv_baseline DATABASE CSV...`. Prints the rows loaded.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let db = args.next();
    let files: Vec<PathBuf> = args.collect();
    let Some(db) = db.filter(|_| !files.is_empty()) else {
        return Err("usage: read_csv_baseline DATABASE CSV...".into());
    };
    let conn = duckdb::Connection::open(&db)?;
    let mut rows = 0;
    for (n, csv) in files.iter().enumerate() {
        // The path goes in as a value, not pasted into the SQL text; the
        // table is named by the file's place in the arguments.
        conn.execute(
            "SET VARIABLE source = ?",
            [csv.to_str().ok_or("a CSV path is not UTF-8")?],
        )?;
        let table = if n == 0 {
            "raw".to_string()
        } else {
            format!("raw_{}", n + 1)
        };
        rows += conn.execute(
            &format!("CREATE TABLE {table} AS SELECT * FROM read_csv(getvariable('source'))"),
            [],
        )?;
    }
    conn.close().map_err(|(_, e)| e)?;
    println!("{rows}");
    Ok(())
}
