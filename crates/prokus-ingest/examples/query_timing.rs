//! The project's side of `scripts/bench-duckdb.sh`: runs a setup SQL file
//! once, then a query RUNS times into a temporary table (no result is
//! converted), through the DuckDB this project builds, and prints each
//! run's milliseconds. The script runs the same files through DuckDB's
//! Python wheel, so that the two builds of one DuckDB version can be
//! compared on one database and one SQL text.
//!
//! Usage: `query_timing DATABASE SETUP.sql QUERY.sql RUNS`, with the
//! connection at 2 threads and a memory limit of 1 GB, as in the script's
//! Python side; `query_timing --version` prints the DuckDB version built
//! (`2.0.0`), the wheel's version to compare with.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args == ["--version"] {
        let conn = duckdb::Connection::open_in_memory()?;
        let version: String =
            conn.query_row("SELECT library_version FROM pragma_version()", [], |r| {
                r.get(0)
            })?;
        println!("{}", version.trim_start_matches('v'));
        return Ok(());
    }
    let [db, setup, query, runs] = args.as_slice() else {
        return Err("usage: query_timing DATABASE SETUP.sql QUERY.sql RUNS".into());
    };
    let runs: usize = runs.parse()?;
    let conn = duckdb::Connection::open(PathBuf::from(db))?;
    conn.execute_batch("SET threads = 2; SET memory_limit = '1GB'")?;
    conn.execute_batch(&std::fs::read_to_string(setup)?)?;
    // The query is a file the script wrote from prokus's own trace log.
    let create = format!(
        "CREATE OR REPLACE TEMP TABLE timed AS {}",
        std::fs::read_to_string(query)?
    );
    for _ in 0..runs {
        let started = std::time::Instant::now();
        conn.execute_batch(&create)?;
        println!("{}", started.elapsed().as_millis());
    }
    Ok(())
}
