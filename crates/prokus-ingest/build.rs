//! Rebuilds this crate when a file it embeds from queries/ or sample-data/
//! changes, in this checkout: why, in crates/prokus-metrics/build.rs.

fn main() {
    for path in ["../../queries", "../../sample-data"] {
        println!("cargo:rerun-if-changed={path}");
    }
}
