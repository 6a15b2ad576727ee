//! Gives `prokus --version` the Typst version the binary embeds, read from
//! the workspace's Cargo.lock (the DuckDB version is asked of DuckDB itself).

fn main() {
    // Read when the script runs, not when it is compiled: one compiled build
    // script may serve several checkouts sharing a target directory (CI's
    // fresh clone and the developers' tree), and the clone that compiled it
    // may be gone.
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let lock = std::path::Path::new(&dir).join("../../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
    let mut lines = text.lines();
    let mut typst = String::from("unknown");
    while let Some(line) = lines.next() {
        if line == "name = \"typst\"" {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'))
            {
                typst = version.to_string();
            }
            break;
        }
    }
    println!("cargo:rustc-env=PROKUS_TYPST_VERSION={typst}");
}
