//! Gives `prokus --version` the Typst version the binary embeds, read from
//! the workspace's Cargo.lock (the DuckDB version is asked of DuckDB itself).

fn main() {
    let lock = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock");
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
