//! The baseline of the ingest benchmark (`scripts/bench-ingest.sh`): DuckDB's
//! own `read_csv` loading a file into a table of a new database file, with the
//! same DuckDB build as `prokus ingest`.
//!
//! Usage: `read_csv_baseline DATABASE CSV`. Prints the rows loaded.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(db), Some(csv)) = (args.next(), args.next()) else {
        return Err("usage: read_csv_baseline DATABASE CSV".into());
    };
    let conn = duckdb::Connection::open(&db)?;
    // The path goes in as a value, not pasted into the SQL text.
    conn.execute(
        "SET VARIABLE source = ?",
        [csv.to_str().ok_or("the CSV path is not UTF-8")?],
    )?;
    let rows = conn.execute(
        "CREATE TABLE raw AS SELECT * FROM read_csv(getvariable('source'))",
        [],
    )?;
    conn.close().map_err(|(_, e)| e)?;
    println!("{rows}");
    Ok(())
}
